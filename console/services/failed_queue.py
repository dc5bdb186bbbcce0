"""The failed-payments queue as reps work it, read from the cache (never per row from Stripe): each row's decline in
words, Stripe's next attempt, the end and when, the next step, the desk; sorted by MRR at stake, then by time to the
end. The window's tab and `churn-console failed` both read it here (issue 33)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.desk import NO_DESK
from ..domain.failed import END_WORDS, FAILED_FIELDS, FailedRow
from ..domain.money import format_money
from ..domain.queue import DASHBOARD
from .desk_settings import DeskSettings

if TYPE_CHECKING:
    from .workspace import Workspace

STEPS = ("new_card", "wait", "retry", "contact")
STEP_WORDS = {
    "new_card": "Ask for a new card",
    "wait": "Wait for Stripe's retry",
    "retry": "Retry now",
    "contact": "Talk to the customer",
}


@dataclass(frozen=True)
class FailedQueue:
    """The rows in the queue's order, and the settings their ends were computed with."""

    rows: list[FailedRow]
    settings: DeskSettings
    now: int

    def record(self, row: FailedRow) -> dict[str, Any]:
        """One row as the CLI prints it (FAILED_FIELDS, in that order; docs/cli.md)."""
        c, d, settings = row.collection, row.decline, self.settings
        owner = row.desk.owner_now(datetime.fromtimestamp(self.now, UTC), settings.lapse_days)
        out = {
            "subscription": c.subscription_id, "invoice": c.invoice_id, "customer": c.customer_id,
            "name": row.customer_name, "email": row.email, "plan": row.plan, "status": row.status,
            "amount_due_minor": c.amount_due, "mrr_minor": row.mrr_minor, "currency": c.currency,
            "amount_due": format_money(c.amount_due, c.currency), "mrr": format_money(row.mrr_minor, c.currency),
            "attempts": c.attempt_count, "first_failed_at": _iso(c.created),
            "next_attempt_at": _iso(c.next_attempt) if row.will_retry() else None,
            "stripe_will_retry": row.will_retry(), "decline_code": (d.decline_code or d.code) if d else None,
            "decline": row.decline_words(), "card": d.card() if d else "", "ends": END_WORDS[settings.retry_end],
            "ends_at": row.ends_at(settings.retry_days).isoformat(), "next_step": row.next_step(self.now),
            "owner": owner or None, "desk_state": row.desk.state, "follow_up": _date(row), "note": row.desk.note or None,
            "hosted_invoice_url": c.hosted_url, "dashboard_url": f"{DASHBOARD}{'' if row.livemode else 'test/'}invoices/{c.invoice_id}",
        }  # fmt: skip
        assert tuple(out) == FAILED_FIELDS
        return out


def _iso(ts: int | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat() if ts is not None else None


def _date(row: FailedRow) -> str | None:
    return row.desk.follow_up.isoformat() if row.desk.follow_up else None


def read(
    workspace: Workspace, now: int, *, owner: str | None = None, step: str | None = None, due: bool | None = None,
    limit: int | None = None, checked: bool = True, holdout: bool = False,
) -> FailedQueue:  # fmt: skip
    """The queue from the cache, in its order (store/failures.py): `owner` only that owner's rows ("" nobody's),
    `step` only that next step, `due` only rows needing someone today (a follow-up reached, or the end three days
    away with no contact); `limit` the first rows only (the window's first paint). `checked=False` reads a cache
    opened unchecked without SQLite's whole-file check beside it (the window's first rows: the whole read after them
    is checked, and a damaged file is said then, never shown as an empty queue). `holdout`: the rows left to Stripe
    alone instead (the hold-out's view: never worked by the desk)."""
    settings = DeskSettings.load(workspace.data_dir)
    cache = workspace.cache

    def rows_now() -> list[FailedRow]:
        return cache.failed_rows(cache.livemode, retry_days=settings.retry_days, limit=limit, holdout=holdout)

    rows = cache.read_checked(rows_now) if checked else rows_now()
    at = datetime.fromtimestamp(now, UTC)
    if owner is not None:
        rows = [r for r in rows if r.desk.owner_now(at, settings.lapse_days) == owner]
    if step is not None:
        rows = [r for r in rows if r.next_step(now) == step]
    if due is not None:
        rows = [r for r in rows if (r.desk or NO_DESK).due(r.ends_at(settings.retry_days), at) == due]
    return FailedQueue(rows, settings, now)
