"""What a sync did, in numbers a person (or the CLI) can read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# progress(done_pages, estimated_total_pages or None, message)
Progress = Callable[[int, int | None, str], None]


def no_progress(done: int, total: int | None, message: str) -> None:
    return None


@dataclass
class SyncReport:
    """Counts from one sync; `kind` is `full` or `incremental`."""

    kind: str
    pages: int = 0
    subscriptions: int = 0
    events: int = 0
    queue_before: set[str] = field(default_factory=set)
    queue_after: set[str] = field(default_factory=set)
    fallback_reason: str | None = None
    resumed: bool = False
    workers: int | None = None  # requests in flight that keep the rate limit busy, as this sync measured them
    touched: set[str] | None = None  # the subscriptions an incremental sync's events named (None: a full sync, all)
    ranges: int = 0  # created ranges a full sync read, the splits included (each can end on a part-filled page)
    invoice_events: int = 0
    ledger_read: int = 0  # saved subscriptions whose invoices were read (not kept current by events)
    invoice_reads: str | None = None  # how: one list per saved subscription, or created ranges (counted: cheaper)
    declines_read: int = 0  # new payment failures whose decline was read (the failed-payments desk)
    failures_open: int = 0  # the failed-payments queue's rows after those reads (Cache.failure_count)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def joined(self) -> int:
        return len(self.queue_after - self.queue_before)

    @property
    def left(self) -> int:
        return len(self.queue_before - self.queue_after)

    def summary(self) -> str:
        head = (
            f"Full sync: {self.subscriptions:,} subscriptions in {self.pages} page{'s' if self.pages != 1 else ''}"
            if self.kind == "full"
            else f"Incremental sync: {self.events} event{'s' if self.events != 1 else ''}"
        )
        if self.resumed:
            head += " (resumed an interrupted sync)"
        if self.fallback_reason:
            head = f"{head} ({self.fallback_reason})"
        # what went wrong first, right after the head: the window's status bar shows a long summary's start
        warn = f" Skipped: {'; '.join(self.skipped)}." if self.skipped else ""
        warn += f" Note: {'; '.join(self.notes)}." if self.notes else ""
        tail = ""
        if self.invoice_events or self.ledger_read:  # short: the window's status bar shows it (how: in the log)
            events = f"{self.invoice_events} event{'s' if self.invoice_events != 1 else ''}"
            tail += f" Invoices: {events}, {self.ledger_read} save{'s' if self.ledger_read != 1 else ''} read."
        if self.declines_read:
            tail += f" Failed payments: {self.declines_read} new failure{'s' if self.declines_read != 1 else ''} read, {self.failures_open} to win back."
        return f"{head}.{warn} Queue: {len(self.queue_after)} pending cancellations ({self.joined} new, {self.left} left).{tail}"
