"""The store writes subscription rows by column position: the row's keys must follow SUBSCRIPTION_COLUMNS."""

import dataclasses
from datetime import UTC, datetime

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
