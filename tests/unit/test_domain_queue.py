"""domain/queue.py and domain/queue_filter.py: a pending cancellation as a queue row, and which rows a rep sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from console.domain.models import Item, Subscription
from console.domain.queue import QueueRow, currency_rank, rank_of_counts, row_from_subscription, tenure_text
from console.domain.queue_filter import NO_ANSWER, QueueFilter, search_text

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def item(**kw) -> Item:
    base = dict(
        price_id="price_pro", product_id="prod_pro", nickname="Pro monthly", unit_amount=4900, currency="usd",
        interval="month", interval_count=1, quantity=1, current_period_end=NOW + timedelta(days=12),
    )  # fmt: skip
    return Item(**{**base, **kw})


def sub(**kw) -> Subscription:
    base = dict(
        id="sub_1", customer_id="cus_1", customer_name="Wei Sato", customer_email="wei@example.com", status="active",
        currency="usd", created=NOW - timedelta(days=400), items=(item(),), cancel_at_period_end=True, cancel_at=None,
        canceled_at=NOW - timedelta(days=2), ended_at=None, feedback="too_expensive", comment="Budget cut",
        cancel_reason="cancellation_requested",
    )  # fmt: skip
    return Subscription(**{**base, **kw})


def test_a_subscription_set_to_cancel_at_period_end_ends_with_its_earliest_item_period():
    two = sub(items=(item(), item(price_id="price_addon", current_period_end=NOW + timedelta(days=5))))
    row = row_from_subscription(two, livemode=False)
    assert row is not None and row.ends_at == NOW + timedelta(days=5) and row.days_left(NOW) == 5
    assert row.days_left(NOW + timedelta(hours=1)) == 4  # whole days left
    assert row.plan == "Pro monthly +1" and row.requested_at == NOW - timedelta(days=2)


def test_cancel_at_wins_over_the_period_end_and_a_row_needs_a_pending_cancellation():
    at = NOW + timedelta(days=40)
    assert row_from_subscription(sub(cancel_at_period_end=False, cancel_at=at), False).ends_at == at
    assert row_from_subscription(sub(cancel_at_period_end=False), False) is None  # not set to cancel
    assert row_from_subscription(sub(status="canceled"), False) is None  # ended already
    # a period end nobody knows is not "now": no row until the subscription is read again
    assert row_from_subscription(sub(items=(item(current_period_end=None),)), False) is None


def test_a_rows_words_custom_reasons_deleted_customers_and_dashboard_links():
    row = row_from_subscription(sub(feedback_option="fo_123", feedback_text="Budget frozen", customer_deleted=True), True)
    assert row.reason == "Budget frozen" and row.reason_key == "fo_123"
    assert row.display_name == "Wei Sato (deleted customer)"
    assert row.dashboard_url == "https://dashboard.stripe.com/subscriptions/sub_1"
    test_row = row_from_subscription(sub(customer_name=None), False)
    assert test_row.display_name == "wei@example.com" and test_row.reason_key == "too_expensive"
    assert test_row.dashboard_url == "https://dashboard.stripe.com/test/subscriptions/sub_1"
    assert test_row.usage_based is False
    assert row_from_subscription(sub(items=(item(usage_type="metered"),)), False).usage_based is True


def test_days_left_is_never_negative_and_tenure_reads_in_days_months_years():
    row = row_from_subscription(sub(), False)
    assert row.days_left(NOW + timedelta(days=30)) == 0
    assert row.tenure_days(NOW) == 400
    assert [tenure_text(d) for d in (0, 59, 60, 400, 730, 800)] == ["0 d", "59 d", "1 mo", "13 mo", "2 y", "2 y 2 mo"]


def test_currencies_rank_by_how_many_rows_then_by_code():
    rows = [replace(row_from_subscription(sub(), False), currency=c) for c in ("usd", "eur", "eur", "jpy", "usd", "aud")]
    assert currency_rank(r.currency for r in rows) == {"eur": 0, "usd": 1, "aud": 2, "jpy": 3}
    # from SQLite's counts (the CLI's order and the window's first rows): the same ranks, in rank order
    assert list(rank_of_counts({"jpy": 1, "usd": 2, "aud": 1, "eur": 2}).items()) == [
        ("eur", 0),
        ("usd", 1),
        ("aud", 2),
        ("jpy", 3),
    ]


@pytest.fixture
def rows() -> list[QueueRow]:
    base = row_from_subscription(sub(), False)
    return [
        base,
        replace(base, subscription_id="sub_2", customer_name="Ana Lima", email="ana@example.org", feedback=None,
                comment=None, currency="eur", plan="Team", ends_at=NOW + timedelta(days=30)),
        replace(base, subscription_id="sub_3", customer_name="Ola Nordmann", feedback_option="fo_9", comment="too slow"),
    ]  # fmt: skip


def test_an_empty_filter_matches_everything_and_is_not_active(rows):
    assert not QueueFilter().active and not QueueFilter(text="   ").active
    assert all(QueueFilter().matches(r, NOW) for r in rows)
    assert QueueFilter(min_days=0).active  # 0 is a bound, not "none"


def test_filters_by_reason_no_answer_custom_reason_currency_plan_and_days(rows):
    ids = lambda f: [r.subscription_id for r in rows if f.matches(r, NOW)]  # noqa: E731
    assert ids(QueueFilter(reason="too_expensive")) == ["sub_1"]
    assert ids(QueueFilter(reason=NO_ANSWER)) == ["sub_2"]
    assert ids(QueueFilter(reason="fo_9")) == ["sub_3"]
    assert ids(QueueFilter(currency="eur")) == ["sub_2"] and ids(QueueFilter(plan="Team")) == ["sub_2"]
    assert ids(QueueFilter(min_days=20)) == ["sub_2"] and ids(QueueFilter(max_days=20)) == ["sub_1", "sub_3"]


def test_free_text_needs_every_word_in_name_email_or_comment_whatever_the_case(rows):
    ids = lambda text: [r.subscription_id for r in rows if QueueFilter(text=text).matches(r, NOW)]  # noqa: E731
    assert ids("ANA example.org") == ["sub_2"]
    assert ids("budget wei") == ["sub_1"]
    assert ids("slow ola") == ["sub_3"] and ids("slow ana") == []
    assert search_text(rows[1]) == "ana lima ana@example.org"
    assert QueueFilter(text="lima").matches(rows[1], NOW, haystack="precomputed text") is False  # the caller's text
