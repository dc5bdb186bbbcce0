"""The store writes subscription rows by column position: the row's keys must follow SUBSCRIPTION_COLUMNS."""

import dataclasses
import json
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from console.domain import mrr
from console.domain.models import Item, Subscription
from console.store.rows import SUBSCRIPTION_COLUMNS, subscription_from_row, subscription_values

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def test_row_keys_follow_the_column_order_and_round_trip():
    sub = Subscription(
        "sub_1", "cus_1", "Ana", "ana@example.com", "active", "eur", NOW, (Item("price_1", "prod_1", "Team", 1100, "eur", "month", 1, 3, NOW),),
        True, NOW, NOW, None, "unused", "Back in spring", "cancellation_requested", ("di_1",), ("LOYAL10",), False, None, {"k": "v"},
    )  # fmt: skip
    valuation = mrr.value(sub, coupons={}, now=NOW)
    values = subscription_values(sub, 123, valuation)
    assert len(values) == len(SUBSCRIPTION_COLUMNS)
    row = dict(zip(SUBSCRIPTION_COLUMNS, values, strict=True))
    assert (row["id"], row["customer_email"], row["synced_at"], row["mrr_minor"]) == (
        "sub_1",
        "ana@example.com",
        123,
        valuation.net_minor,
    )
    assert subscription_from_row(row) == dataclasses.replace(sub, mrr=valuation.net_minor)


# Any subscription round-trips through its row, and the row's derived columns (pending, ends_at, period_end, plan)
# are what the domain's properties say: the row is built without them (inline, in groups) for a large upsert's sake.
_times = st.one_of(
    st.none(), st.integers(1_500_000_000, 2_000_000_000).map(lambda t: datetime.fromtimestamp(t, UTC))
)  # whole seconds: rows hold epoch seconds
_items = st.builds(
    Item,
    price_id=st.sampled_from(("price_a", "price_b")),
    product_id=st.just("prod_a"),
    nickname=st.one_of(st.none(), st.text(max_size=8)),
    unit_amount=st.integers(0, 10**6),
    currency=st.sampled_from(("usd", "jpy")),
    interval=st.sampled_from(("day", "week", "month", "year")),
    interval_count=st.integers(1, 12),
    quantity=st.integers(0, 50),
    current_period_end=_times,
    item_id=st.sampled_from(("", "si_1")),
    billing_scheme=st.sampled_from(("per_unit", "tiered")),
    tiers_mode=st.sampled_from((None, "graduated", "volume")),
    transform_divide_by=st.sampled_from((None, 1000)),
    transform_round=st.sampled_from((None, "up", "down")),
    usage_type=st.sampled_from(("licensed", "metered")),
    unit_amount_decimal=st.sampled_from((None, "0.5")),
)
_subscriptions = st.builds(
    Subscription,
    id=st.just("sub_1"),
    customer_id=st.just("cus_1"),
    customer_name=st.one_of(st.none(), st.text(max_size=8)),
    customer_email=st.none(),
    status=st.sampled_from(("active", "trialing", "past_due", "paused", "canceled", "incomplete_expired")),
    currency=st.just("usd"),
    created=_times.filter(lambda t: t is not None),
    items=st.lists(_items, max_size=3).map(tuple),
    cancel_at_period_end=st.booleans(),
    cancel_at=_times,
    canceled_at=_times,
    ended_at=_times,
    feedback=st.sampled_from((None, "unused")),
    comment=st.none(),
    cancel_reason=st.none(),
    paused=st.booleans(),
    pause_resumes_at=_times,
    metadata=st.dictionaries(st.sampled_from(("b", "a")), st.text(max_size=3)),
    trial_end=_times,
    paused_at=_times,
)


@given(_subscriptions)
def test_any_subscription_round_trips_and_its_derived_columns_are_the_domains(sub):
    valuation = mrr.Valuation(net_minor=500, list_minor=600, currency="usd", lines=())
    row = dict(zip(SUBSCRIPTION_COLUMNS, subscription_values(sub, 7, valuation), strict=True))
    assert subscription_from_row(row) == dataclasses.replace(sub, mrr=500)
    assert row["pending"] == int(sub.pending_cancellation)
    assert row["ends_at"] == (None if sub.ends_at is None else int(sub.ends_at.timestamp()))
    assert row["plan"] == sub.plan
    ends = [int(i.current_period_end.timestamp()) for i in sub.items if i.current_period_end is not None]
    assert row["period_end"] == (min(ends) if ends else None)


def test_a_plain_items_row_leaves_out_what_item_defaults_say():
    item = Item("price_1", "prod_1", "Team", 1100, "eur", "month", 1, 3, NOW, item_id="si_1")
    metered = dataclasses.replace(item, usage_type="metered", unit_amount_decimal="0.25")
    sub = Subscription(
        "sub_1", "cus_1", None, None, "active", "eur", NOW, (item, metered), False, None, None, None, None, None, None
    )
    stored = json.loads(
        subscription_values(sub, 1, mrr.Valuation(net_minor=0, list_minor=0, currency="eur", lines=(), usage_based=True))[
            SUBSCRIPTION_COLUMNS.index("items")
        ]
    )
    assert set(stored[0]) == {*_REQUIRED, "item_id"}
    assert set(stored[1]) == {*_REQUIRED, "item_id", "usage_type", "unit_amount_decimal"}
    assert stored[1]["usage_type"] == "metered"  # what pending_metered's LIKE looks for


_REQUIRED = {
    "price_id",
    "product_id",
    "nickname",
    "unit_amount",
    "currency",
    "interval",
    "interval_count",
    "quantity",
    "current_period_end",
}
