"""Which queue rows a rep wants to see: free text, reason, currency, days-left range, plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .queue import QueueRow

NO_ANSWER = "__none__"


@dataclass(frozen=True)
class QueueFilter:
    """Empty fields match everything. `reason` is a feedback code, or NO_ANSWER."""

    text: str = ""
    reason: str | None = None
    currency: str | None = None
    min_days: int | None = None
    max_days: int | None = None
    plan: str | None = None
    owner: str | None = None  # the save desk's view: None everyone's, "" nobody's (or lapsed), else that owner's
    due_first: bool = False  # rows due (domain.desk.Desk.due) before the others, each part in the table's order

    @property
    def active(self) -> bool:
        return any(
            (
                self.text.strip(),
                self.reason,
                self.currency,
                self.min_days is not None,
                self.max_days is not None,
                self.plan,
                self.owner is not None,
            )
        )

    def matches(self, row: QueueRow, now: datetime, haystack: str | None = None) -> bool:
        """`haystack` is the row's lower-cased name, e-mail and comment (precomputed by callers that filter often)."""
        if self.reason is not None and row.reason_key != (None if self.reason == NO_ANSWER else self.reason):
            return False
        if self.currency and row.currency != self.currency:
            return False
        if self.plan and row.plan != self.plan:
            return False
        if self.owner is not None and row.desk.owner_now(now) != self.owner:
            return False
        if self.min_days is not None or self.max_days is not None:
            days = row.days_left(now)
            if self.min_days is not None and days < self.min_days:
                return False
            if self.max_days is not None and days > self.max_days:
                return False
        needle = self.text.strip().casefold()
        if needle:
            hay = haystack if haystack is not None else search_text(row)
            return all(part in hay for part in needle.split())
        return True


def search_text(row: QueueRow) -> str:
    """What free-text search looks in: name, e-mail and comment."""
    return " ".join(filter(None, (row.customer_name, row.email, row.comment))).casefold()
