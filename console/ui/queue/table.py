"""The queue's rows as the table shows and sorts them: precomputed once, without Qt (so a worker can build it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...domain.money import format_money
from ...domain.queue import QueueRow, currency_rank, tenure_text
from ...domain.queue_filter import search_text

COLUMNS = ("Customer", "Email", "Plan", "MRR", "Days left", "Reason", "Offer", "Comment", "Tenure", "Status", "Discount")


def mrr_sort_key(rank: int, mrr_minor: int, ends_at: datetime) -> str:
    """One string that sorts (descending) by currency group, then MRR, then the soonest end.

    Amounts never compare across currencies; Qt reverses ties in a descending sort, so the
    tiebreak is part of the key. Fixed-width digits make string order numeric order.
    """
    return f"{999 - rank:03d}{min(mrr_minor, 10**18 - 1):018d}{10**11 - int(ends_at.timestamp()):011d}"


@dataclass
class PreparedQueue:
    """Rows (pre-sorted by days left, so ties in any column keep the most urgent first) with their cell texts and sort keys."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    rows: list[QueueRow] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    haystacks: list[str] = field(default_factory=list)
    display: list[tuple[str, ...]] = field(default_factory=list)
    sort: list[tuple[Any, ...]] = field(default_factory=list)

    @classmethod
    def build(cls, rows: list[QueueRow], now: datetime | None = None, offers: dict[str, str] | None = None) -> PreparedQueue:
        """`offers` maps subscription id -> the playbook's recommendation, as shown in the Offer column."""
        offers = offers or {}
        table = cls(now or datetime.now(UTC))
        rank = currency_rank(rows)
        table.rows = sorted(rows, key=lambda r: (r.ends_at, r.subscription_id))
        table.days = [r.days_left(table.now) for r in table.rows]
        table.haystacks = [search_text(r) for r in table.rows]
        for row, days in zip(table.rows, table.days, strict=True):
            tenure = row.tenure_days(table.now)
            offer = offers.get(row.subscription_id, "")
            table.display.append(
                (
                    row.display_name if (row.customer_name or row.customer_deleted) else "—",
                    row.email or "",
                    row.plan,
                    ("~" if row.usage_based else "") + format_money(row.mrr_minor, row.currency),  # ~: from the last invoice's usage
                    str(days),
                    row.reason,
                    offer,
                    (row.comment or "").replace("\n", " "),
                    tenure_text(tenure),
                    row.status.replace("_", " "),
                    row.discount or "",
                )
            )
            table.sort.append(
                (
                    (row.customer_name or row.email or "").casefold(),
                    (row.email or "").casefold(),
                    row.plan.casefold(),
                    mrr_sort_key(rank[row.currency], row.mrr_minor, row.ends_at),
                    int(row.ends_at.timestamp()),
                    row.reason,
                    offer,
                    (row.comment or "").casefold(),
                    tenure,
                    row.status,
                    row.discount or "",
                )
            )
        return table
