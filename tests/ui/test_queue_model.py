"""The queue model and proxy on their own: sorting by MRR never compares currencies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from console.domain.queue import QueueRow
from console.domain.queue_filter import NO_ANSWER, QueueFilter
from console.ui.queue.model import MRR_COL, ROW_ROLE, QueueModel, QueueProxy

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def row(sub: str, mrr: int, currency: str, days: int, feedback: str | None = "too_expensive") -> QueueRow:
    return QueueRow(
        subscription_id=sub,
        customer_id=f"cus_{sub}",
        customer_name=f"Customer {sub}",
        email=f"{sub}@example.com",
        plan="Team monthly",
        mrr_minor=mrr,
        currency=currency,
        ends_at=NOW + timedelta(days=days, hours=1),
        requested_at=NOW - timedelta(days=2),
        feedback=feedback,
        comment=None,
        created=NOW - timedelta(days=400),
        status="active",
        discount=None,
    )


def ordered(proxy: QueueProxy) -> list[str]:
    return [proxy.data(proxy.index(i, 0), ROW_ROLE).subscription_id for i in range(proxy.rowCount())]


def make(rows):
    model = QueueModel()
    model.set_rows(rows, NOW)
    proxy = QueueProxy()
    proxy.setSourceModel(model)
    return model, proxy


def test_mrr_sort_groups_by_currency_then_amount_then_days_left(qapp):
    rows = [
        row("usd_small", 1_900, "usd", 5),
        row("usd_big", 30_000, "usd", 9),
        row("usd_big_sooner", 30_000, "usd", 2),
        row("jpy_huge_number", 148_000, "jpy", 3),  # ¥148,000 is ~$1,000: its minor units must not outrank USD cents
    ]
    _, proxy = make(rows)
    proxy.sort(MRR_COL, Qt.SortOrder.DescendingOrder)
    assert ordered(proxy) == ["usd_big_sooner", "usd_big", "usd_small", "jpy_huge_number"]


def test_days_and_filters(qapp):
    rows = [row("a", 100, "usd", 1), row("b", 200, "eur", 20, feedback=None), row("c", 300, "usd", 40, feedback="unused")]
    model, proxy = make(rows)
    assert model.days == [1, 20, 40]
    proxy.set_filter(QueueFilter(reason=NO_ANSWER))
    assert ordered(proxy) == ["b"]
    proxy.set_filter(QueueFilter(min_days=10, max_days=30))
    assert ordered(proxy) == ["b"]
    proxy.set_filter(QueueFilter(currency="usd", text="C@EXAMPLE"))
    assert ordered(proxy) == ["c"]
    proxy.set_filter(QueueFilter())
    assert len(ordered(proxy)) == 3


def test_urgent_rows_are_marked(qapp):
    model, _ = make([row("soon", 100, "usd", 1), row("later", 100, "usd", 30)])
    days_col = 4
    assert model.index(0, days_col).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, days_col).data(Qt.ItemDataRole.ForegroundRole) is None
