"""Each price model and discount kind gives the MRR its rule says (docs/mrr.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from console.domain import mrr
from console.domain.models import Coupon, Item, Subscription

NOW = datetime(2026, 11, 23, tzinfo=UTC)
GRADUATED = mrr.PriceTiers(
    "price_grad",
    "graduated",
    (
        mrr.Tier(5, Decimal(1500), Decimal(2000)),
        mrr.Tier(20, Decimal(1200), Decimal(0)),
        mrr.Tier(None, Decimal(900), Decimal(0)),
    ),
)
VOLUME = mrr.PriceTiers(
    "price_vol",
    "volume",
    (
        mrr.Tier(10, Decimal(1000), Decimal(0)),
        mrr.Tier(50, Decimal(800), Decimal(5000)),
        mrr.Tier(None, Decimal(600), Decimal(10000)),
    ),
)
COUPONS = {
    "P25": Coupon("P25", None, 25.0, None, None, "repeating", 3, True, 0, None),
    "P10F": Coupon("P10F", None, 10.0, None, None, "forever", None, True, 0, None),
    "A20": Coupon("A20", None, None, 2000, "usd", "forever", None, True, 0, None),
    "ONCE50": Coupon("ONCE50", None, 50.0, None, None, "once", None, True, 0, None),
    "FREE": Coupon("FREE", None, 100.0, None, None, "forever", None, True, 0, None),
    "EUR5": Coupon("EUR5", None, None, 500, "eur", "forever", None, True, 0, None),
}
USAGE = {"si_meter": mrr.Usage("si_meter", "price_meter", 4560, 1140, "in_1")}


def item(price="price_flat", unit=12000, qty=1, interval="month", count=1, **kw) -> Item:
    return Item(price, "prod", price, unit, "usd", interval, count, qty, NOW, **kw)


def sub(*items: Item, coupons=(), ends=(), status="active") -> Subscription:
    return Subscription(
        "sub_1", "cus_1", "A", "a@example.com", status, "usd", NOW - timedelta(days=400), tuple(items), True, None, NOW,
        None, None, None, None, tuple(f"di_{c}" for c in coupons), tuple(coupons), discount_ends=tuple(ends),
    )  # fmt: skip


LATER = NOW + timedelta(days=30)
EARLIER = NOW - timedelta(days=1)

CASES = [
    ("flat monthly", sub(item()), 12000),
    ("12 seats", sub(item(unit=1200, qty=12)), 14400),
    ("annual ÷ 12", sub(item(unit=99000, interval="year")), 8250),
    ("quarterly ÷ 3", sub(item(unit=27900, count=3)), 9300),
    ("weekly × 52 ÷ 12", sub(item(unit=600, interval="week")), 2600),
    (
        "graduated 8 seats: 5×15+20 flat, 3×12",
        sub(item("price_grad", 0, 8, billing_scheme="tiered", tiers_mode="graduated")),
        13100,
    ),
    ("graduated 30 seats: three tiers", sub(item("price_grad", 0, 30, billing_scheme="tiered", tiers_mode="graduated")), 36500),
    ("volume 25 units: all at tier 2 + flat", sub(item("price_vol", 0, 25, billing_scheme="tiered", tiers_mode="volume")), 25000),
    ("volume 60 units: top tier + flat", sub(item("price_vol", 0, 60, billing_scheme="tiered", tiers_mode="volume")), 46000),
    ("per 1,000 rounded up: 12,500 → 13", sub(item(unit=2500, qty=12500, transform_divide_by=1000, transform_round="up")), 32500),
    (
        "per 1,000 rounded down: 12,500 → 12",
        sub(item(unit=2500, qty=12500, transform_divide_by=1000, transform_round="down")),
        30000,
    ),
    ("metered: last invoice's usage", sub(item("price_meter", 4, 0, usage_type="metered", item_id="si_meter")), 4560),
    ("metered not invoiced yet: 0, said", sub(item("price_meter", 4, 0, usage_type="metered", item_id="si_new")), 0),
    ("plan + metered add-on", sub(item(), item("price_meter", 4, 0, usage_type="metered", item_id="si_meter")), 16560),
    ("25% while it runs", sub(item(), coupons=["P25"], ends=[LATER]), 9000),
    ("25% that ended: list", sub(item(), coupons=["P25"], ends=[EARLIER]), 12000),
    ("once: not MRR", sub(item(), coupons=["ONCE50"]), 12000),
    ("$20 off forever", sub(item(), coupons=["A20"]), 10000),
    ("$20 off an annual plan: ÷ 12", sub(item(unit=99000, interval="year"), coupons=["A20"]), 8083),
    ("stacked 10% then 25%, each on what is left", sub(item(), coupons=["P10F", "P25"], ends=[None, LATER]), 8100),
    ("100% forever: free", sub(item(), coupons=["FREE"]), 0),
    ("never below zero", sub(item(unit=1000), coupons=["A20"]), 0),
    ("a coupon in another currency does not apply", sub(item(), coupons=["EUR5"]), 12000),
    ("trial: not MRR yet", sub(item(), status="trialing"), 0),
]


@pytest.mark.parametrize(("case", "subscription", "expected"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("explain", [True, False], ids=["explained", "sync's figures only"])
def test_mrr_rule(case, subscription, expected, explain):
    tiers = {"price_grad": GRADUATED, "price_vol": VOLUME}
    got = mrr.value(subscription, coupons=COUPONS, tiers=tiers, usage=USAGE, now=NOW, explain=explain)
    assert got.net_minor == expected, got.lines
    assert got.list_minor == mrr.value(subscription, coupons=COUPONS, tiers=tiers, usage=USAGE, now=NOW).list_minor


def test_the_explanation_names_list_discount_and_net():
    got = mrr.value(
        sub(item("price_grad", 0, 12, billing_scheme="tiered", tiers_mode="graduated"), coupons=["P25"], ends=[LATER]),
        coupons=COUPONS,
        tiers={"price_grad": GRADUATED},
        now=NOW,
    )
    assert got.summary == "$179.00 list − 25% coupon = $134.25/mo"
    assert any("12 units, graduated tiers" in line for line in got.lines)


def test_what_cannot_be_known_is_said_not_guessed():
    got = mrr.value(sub(item("price_x", 0, 3, billing_scheme="tiered", tiers_mode="volume")), coupons={}, now=NOW)
    assert got.net_minor == 0 and got.unknown == ("price_x: the price's tiers could not be read",)
    metered = mrr.value(sub(item("price_meter", 4, 0, usage_type="metered", item_id="si_new")), coupons={}, now=NOW)
    assert metered.usage_based and metered.unknown
