"""Money in Stripe's minor units: exponents, formatting and MRR normalisation."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

# Babel's answer for en_US, the only locale the console shows: every currency's symbol is its code but these (CLDR,
# babel 2.19 `get_currency_symbol(code, "en_US")`; tests/unit/test_money.py compares every currency and a spread of
# amounts with Babel itself). Loading Babel's en_US data unpickles ~400 KB: 60 ms before the window's first frame.
# ISO 4217's code for "no currency" (CLDR's symbol "¤") is left out: no Stripe price or invoice is in it.
EN_US_SYMBOLS = {
    "AUD": "A$", "BRL": "R$", "CAD": "CA$", "CNY": "CN¥", "EUR": "€", "GBP": "£", "HKD": "HK$", "ILS": "₪", "INR": "₹",
    "JPY": "¥", "KRW": "₩", "MXN": "MX$", "NZD": "NZ$", "PHP": "₱", "TWD": "NT$", "USD": "$", "VND": "₫", "XAF": "FCFA",
    "XCD": "EC$", "XCG": "Cg.", "XOF": "F\u202fCFA", "XPF": "CFPF",
}  # fmt: skip

# Stripe's own lists (docs: "Zero-decimal currencies", "Three-decimal currencies");
# every other currency has two decimals in Stripe's API, whatever ISO says.
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())
THREE_DECIMAL = frozenset("bhd jod kwd omr tnd".split())

# How many of each interval fit in a month (STRIPE.md: year ÷ 12, week × 52 ÷ 12, day × 365 ÷ 12).
MONTHS_PER = {
    "month": Decimal(1),
    "year": Decimal(1) / Decimal(12),
    "week": Decimal(52) / Decimal(12),
    "day": Decimal(365) / Decimal(12),
}


def exponent(currency: str) -> int:
    """Digits after the decimal point for `currency` in Stripe's minor units."""
    cur = currency.lower()
    if cur in ZERO_DECIMAL:
        return 0
    if cur in THREE_DECIMAL:
        return 3
    return 2


def to_major(amount_minor: int, currency: str) -> Decimal:
    """Minor units to a Decimal in the currency's major unit (1999 USD -> 19.99)."""
    return Decimal(amount_minor).scaleb(-exponent(currency))


def to_minor(amount_major: Decimal | str | int, currency: str) -> int:
    """A major-unit amount to minor units; refuses fractions the currency cannot hold."""
    value = Decimal(str(amount_major)).scaleb(exponent(currency))
    if value != value.to_integral_value():
        raise ValueError(f"{amount_major} has more decimals than {currency.upper()} allows")
    return int(value)


@functools.lru_cache(maxsize=65536)  # amounts repeat across thousands of rows
def format_money(amount_minor: int, currency: str, locale: str = "en_US") -> str:
    """`$1,234.50`, `€17.00`, `¥2,800`: the currency's symbol and its own number of decimals (Babel's pattern
    `¤#,##0.00`, the minus before the symbol); en_US from EN_US_SYMBOLS, any other locale through Babel."""
    cur = currency.upper()
    digits = exponent(currency)
    if locale != "en_US":
        from babel.numbers import format_currency

        pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
        return format_currency(to_major(amount_minor, currency), cur, format=pattern, locale=locale, currency_digits=False)
    sign = "-" if amount_minor < 0 else ""
    return f"{sign}{EN_US_SYMBOLS.get(cur, cur)}{to_major(abs(amount_minor), currency):,.{digits}f}"


def monthly_minor(unit_amount: int, quantity: int, interval: str, interval_count: int = 1) -> int:
    """MRR of one item in minor units, rounded half-even to a whole minor unit."""
    value = Decimal(unit_amount) * quantity * MONTHS_PER[interval] / Decimal(interval_count or 1)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def totals(pairs: Iterable[tuple[int, str]]) -> dict[str, int]:
    """Sum amounts per currency (never across currencies)."""
    out: dict[str, int] = {}
    for amount, currency in pairs:
        out[currency.lower()] = out.get(currency.lower(), 0) + amount
    return out


def format_totals(by_currency: Mapping[str, int], locale: str = "en_US") -> str:
    """`€340.00 · ¥28,000 · $1,200.00`, by currency code (amounts in different currencies don't compare)."""
    if not by_currency:
        return "—"
    return " · ".join(format_money(by_currency[cur], cur, locale) for cur in sorted(by_currency))
