"""Money: Stripe's minor units per currency, formatting, and MRR normalisation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain.money import exponent, format_money, format_totals, monthly_minor, to_major, to_minor, totals


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
