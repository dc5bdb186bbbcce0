"""The store's valuation book: sync's figures-only MRR, remembered by the shape of a subscription's prices,
quantities and running discounts, is always what domain.mrr.value computes for that subscription; and a
valued copy (rows.with_mrr) equals dataclasses.replace."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain import mrr
from console.domain.models import Coupon, Item, Subscription
from console.store import rows
from console.store.valuation import Book

NOW = datetime(2026, 11, 22, tzinfo=UTC)
COUPONS = {
    "P25": Coupon("P25", "25% off", 25.0, None, None, "repeating", 3, True, 0, None),
    "FREE": Coupon("FREE", "Free", 100.0, None, None, "forever", None, True, 0, None),
    "USD10": Coupon("USD10", "$10 off", None, 1000, "usd", "forever", None, True, 0, None),
    "ONCE": Coupon("ONCE", "Half once", 50.0, None, None, "once", None, True, 0, None),
}


def book() -> Book:
    def query(sql: str) -> list[dict]:
        return []

    b = Book(query)
    b._maps = (COUPONS, {}, {})  # the maps as the cache would have loaded them
    return b


items = st.builds(
    Item,
    price_id=st.sampled_from(["price_a", "price_b"]),
    product_id=st.just("prod_1"),
    nickname=st.just("Team"),
    unit_amount=st.sampled_from([0, 999, 1900, 2500, 120000]),
    currency=st.just("usd"),
    interval=st.sampled_from(["day", "week", "month", "year"]),
    interval_count=st.sampled_from([1, 3]),
    quantity=st.integers(0, 30),
    current_period_end=st.just(NOW + timedelta(days=9)),
    item_id=st.just("si_1"),
    transform_divide_by=st.sampled_from([None, 1000]),
    transform_round=st.sampled_from([None, "up", "down"]),
    unit_amount_decimal=st.sampled_from([None, "1900.5", "0.35"]),
)


@st.composite
def subscriptions(draw) -> Subscription:
    coupon_ids = tuple(draw(st.lists(st.sampled_from(sorted(COUPONS)), max_size=3)))
    ends = tuple(draw(st.sampled_from([None, NOW - timedelta(days=1), NOW, NOW + timedelta(days=20)])) for _ in coupon_ids)
    return Subscription(
        "sub_1", "cus_1", "Ana", None, draw(st.sampled_from(["active", "trialing", "past_due"])),
        draw(st.sampled_from(["usd", "eur"])), NOW, tuple(draw(st.lists(items, min_size=1, max_size=3))), False, None, None,
        None, None, None, None, tuple(f"di_{n}" for n in range(len(coupon_ids))), coupon_ids,
        discount_ends=ends if draw(st.booleans()) else (),
    )  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(subscriptions(), min_size=1, max_size=12))
def test_remembered_figures_are_the_ones_mrr_value_computes(subs: list[Subscription]) -> None:
    b = book()
    for sub in subs + subs:  # the second pass reads what the first remembered
        expected = mrr.value(sub, coupons=COUPONS, now=NOW, explain=False)
        assert b.value(sub, NOW) == expected


def test_a_change_of_coupons_forgets_the_figures() -> None:
    b = book()
    sub = Subscription(
        "sub_1", "cus_1", None, None, "active", "usd", NOW, (Item("p", "prod", None, 2000, "usd", "month", 1, 1, None),),
        False, None, None, None, None, None, None, ("di_1",), ("P25",),
    )  # fmt: skip
    assert b.value(sub, NOW).net_minor == 1500
    b.invalidate()
    b._maps = ({**COUPONS, "P25": dataclasses.replace(COUPONS["P25"], percent_off=50.0)}, {}, {})
    assert b.value(sub, NOW).net_minor == 1000


def test_metered_and_tiered_items_are_valued_every_time() -> None:
    metered = Item("p", "prod", None, 0, "usd", "month", 1, 0, None, usage_type="metered")
    tiered = Item("p", "prod", None, 0, "usd", "month", 1, 5, None, billing_scheme="tiered")
    for item in (metered, tiered):
        sub = Subscription("s", "c", None, None, "active", "usd", NOW, (item,), False, None, None, None, None, None, None)
        b = book()
        b.value(sub, NOW)
        assert b._figures == {}


@settings(max_examples=50, deadline=None)
@given(subscriptions(), st.integers(0, 10**7))
def test_a_valued_copy_equals_dataclasses_replace(sub: Subscription, mrr_minor: int) -> None:
    copy = rows.with_mrr(sub, mrr_minor)
    assert copy == dataclasses.replace(sub, mrr=mrr_minor) and copy is not sub and sub.mrr is None
