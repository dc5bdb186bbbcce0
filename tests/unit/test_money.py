"""Money: Stripe's minor units per currency, formatting, and MRR normalisation."""

import subprocess
import sys

import pytest
from babel.numbers import format_currency, get_currency_symbol, list_currencies
from hypothesis import given
from hypothesis import strategies as st

from console.domain.money import EN_US_SYMBOLS, exponent, format_money, format_totals, monthly_minor, to_major, to_minor, totals


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (123450, "usd", "$1,234.50"),
        (1999, "USD", "$19.99"),
        (1700, "eur", "€17.00"),
        (2800, "jpy", "¥2,800"),
        (0, "jpy", "¥0"),
        (-500, "usd", "-$5.00"),
        (12345, "bhd", "BHD12.345"),
    ],
)
def test_format_money(minor, currency, shown):
    assert format_money(minor, currency) == shown


def _babel(minor: int, currency: str, locale: str = "en_US") -> str:
    """What Babel itself writes for the console's pattern (what format_money gave before it had its own en_US path)."""
    digits = exponent(currency)
    pattern = "¤#,##0" + ("." + "0" * digits if digits else "")
    return format_currency(to_major(minor, currency), currency.upper(), format=pattern, locale=locale, currency_digits=False)


AMOUNTS = (0, 1, -1, 5, 99, 100, -100, 1234, 99999, 100000, 123456789, -987654321, 10**15)


NO_CURRENCY = "XXX"  # ISO 4217's "no currency": Stripe has no price or invoice in it (domain/money.py leaves it out)
STRIPE_POSSIBLE = sorted(set(list_currencies()) - {NO_CURRENCY})


@pytest.mark.parametrize("currency", [*STRIPE_POSSIBLE, "ZZZ", "usd", "bhd", "jpy"])
def test_en_us_money_is_babels_for_every_currency_it_knows(currency):
    """EN_US_SYMBOLS and the grouping stand in for Babel's en_US data (60 ms to load before the first frame): every
    currency Babel lists, and a code it does not, written as Babel writes it."""
    for minor in AMOUNTS:
        assert format_money(minor, currency) == _babel(minor, currency), (minor, currency)


def test_the_en_us_symbols_are_babels_own():
    assert {c: s for c in STRIPE_POSSIBLE if (s := get_currency_symbol(c, "en_US")) != c} == EN_US_SYMBOLS


@given(st.integers(min_value=-(10**18), max_value=10**18), st.sampled_from(["usd", "eur", "jpy", "bhd", "xof", "chf"]))
def test_any_amount_is_written_as_babel_writes_it(minor, currency):
    assert format_money(minor, currency) == _babel(minor, currency)


def test_another_locale_is_written_by_babel():
    assert format_money(123450, "eur", "de_DE") == _babel(123450, "eur", "de_DE") == "€1.234,50"


def test_writing_money_in_en_us_never_loads_babels_locale_data():
    """The window's first rows show MRR: Babel's locale data (root + en, unpickled) stays unloaded for them."""
    code = (
        "import sys; from console.domain.money import format_money; format_money(123450, 'usd'); "
        "format_money(-5, 'xof'); print('babel.numbers' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_zero_decimal_currencies_have_no_cents():
    assert exponent("jpy") == 0 and exponent("krw") == 0
    assert to_major(2800, "jpy") == 2800
    assert to_minor("2800", "jpy") == 2800
    with pytest.raises(ValueError, match="JPY"):
        to_minor("10.5", "jpy")


def test_two_decimal_default():
    assert exponent("usd") == 2 and exponent("eur") == 2
    assert to_minor("19.99", "usd") == 1999
    assert str(to_major(1999, "usd")) == "19.99"


@pytest.mark.parametrize(
    ("amount", "qty", "interval", "count", "mrr"),
    [
        (1900, 1, "month", 1, 1900),
        (19000, 1, "year", 1, 1583),  # 19000 / 12 = 1583.33
        (1200, 5, "month", 1, 6000),
        (1000, 1, "week", 1, 4333),  # 1000 × 52 / 12
        (100, 1, "day", 1, 3042),  # 100 × 365 / 12
        (2800, 1, "month", 3, 933),
        (28000, 1, "year", 1, 2333),  # JPY stays in yen
    ],
)
def test_monthly_minor(amount, qty, interval, count, mrr):
    assert monthly_minor(amount, qty, interval, count) == mrr


def test_totals_never_mix_currencies():
    assert totals([(100, "usd"), (200, "USD"), (300, "eur")]) == {"usd": 300, "eur": 300}
    assert format_totals({"usd": 120000, "jpy": 28000, "eur": 34000}) == "€340.00 · ¥28,000 · $1,200.00"
    assert format_totals({}) == "—"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["usd", "eur", "jpy", "bhd", "krw"]))
def test_minor_major_round_trip(minor, currency):
    assert to_minor(to_major(minor, currency), currency) == minor
