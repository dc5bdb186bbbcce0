"""The recovery ledger's part of a sync (issue 34): once, the failures of the 30 days Stripe keeps events for (what
happened before the console followed the account); and after that listing, or whenever the events had a gap, the
outcome of each failed invoice that is no longer open and whose ending no event told (one read each)."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.events import InvoiceChange
from ..domain.failed import Collection
from ..errors import PermissionMissing
from ..pacing import TokenBucket
from ..store import Cache
from .invoices import ENDINGS, record_recoveries
from .ratelimit import each_under, paced_by
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
BACKFILLED = "recovery_backfilled_at"
EVENTS_KEPT_S = 30 * 86400  # Stripe keeps 30 days of events (docs.stripe.com/api/events)


def needs_backfill(cache: Cache) -> bool:
    """Whether this sync reads the 30 days of failures back (once, until a backfill is stored)."""
    return cache.get_meta(BACKFILLED) is None


@dataclass(frozen=True)
class Ahead:
    """The 30 days of failures' events, and how each failure they and the open invoices' listing leave unsettled
    ended, read while the saves' invoices were (network only: sync_recoveries stores them, after the listing)."""

    changes: list[InvoiceChange] | PermissionMissing
    outcomes: dict[str, tuple[int, bool] | None] = field(default_factory=dict)


def read_ahead(
    gateway: StripeGateway, cache: Cache, bucket: TokenBucket, now: int, *,
    workers: int = 1, listing: Future[list[Collection] | PermissionMissing] | None = None,
) -> Ahead:  # fmt: skip
    """The 30 days of failures' events, read beside the saves' invoices (a few pages one after another: a second of
    a 2,000-customer first sync). With the `listing` read beside them too, the outcome of each failure that will
    then be unsettled (unsettled_after) is read here as well, not after both are stored: 28 reads ending on a 300 ms
    round trip each at 2,000 customers (bench_sync.py). One the invoice events settle meanwhile is read for nothing
    and not used: sync_recoveries asks only of what is unsettled once everything is stored."""
    try:
        changes = gateway.failure_changes_since(now - EVENTS_KEPT_S, paced=paced_by(bucket))
    except PermissionMissing as exc:
        return Ahead(exc)
    listed = listing.result() if listing is not None else None  # the listing only: not its declines
    if listed is None or isinstance(listed, PermissionMissing):
        return Ahead(changes)  # which failures are still open is not known before the listing
    read = each_under(unsettled_after(cache, changes, listed), gateway.payment_outcome, bucket, workers=workers, name="outcomes")
    return Ahead(changes, dict(read) if not isinstance(read, PermissionMissing) else {})


def unsettled_after(cache: Cache, changes: list[InvoiceChange], listed: list[Collection]) -> set[str]:
    """What cache.unsettled_recoveries() will say once `changes` and the `listing` are stored: the failures known or
    in `changes`, less those `changes` end (but written off: a written-off invoice may still be paid), less those
    still open and failing."""
    ended = {c.collection.invoice_id: ENDINGS[c.type] for c in changes if c.type in ENDINGS and c.collection}
    failed = {c.collection.invoice_id for c in changes if c.type == "invoice.payment_failed" and c.collection}
    known = set(cache.unsettled_recoveries()) | failed
    still_open = {c.invoice_id for c in listed if c.failing}
    return {i for i in known if ended.get(i, "uncollectible") == "uncollectible" and i not in still_open}


def sync_recoveries(
    gateway: StripeGateway, cache: Cache, report: SyncReport, bucket: TokenBucket, *,
    workers: int, now: int, gap: bool, progress: Progress = no_progress,
    ahead: Ahead | None = None,
) -> None:  # fmt: skip
    """After the failed-payments listing: the 30 days back once (`ahead`: as read beside the invoices), then the
    outcomes no event told (those `ahead` read are not read again)."""
    try:
        first = needs_backfill(cache)
        if first:
            if ahead is None:
                progress(0, None, "Reading the last 30 days of failed payments")
                ahead = read_ahead(gateway, cache, bucket, now)
            if isinstance(ahead.changes, PermissionMissing):
                raise ahead.changes
            with cache.transaction():
                record_recoveries(cache, ahead.changes)
        if not (first or gap):
            return
        unsettled = cache.unsettled_recoveries()
        early = ahead.outcomes if ahead is not None else {}
        rest = [i for i in unsettled if i not in early]
        if rest:
            progress(0, len(rest), f"Reading how {len(rest):,} failed payments ended")
        read = each_under(rest, gateway.payment_outcome, bucket, workers=workers, name="recoveries")
        if isinstance(read, PermissionMissing):
            raise read
        read += [(i, early[i]) for i in unsettled if i in early]
        paid = [(i, found) for i, found in read if found is not None]
        with cache.transaction():
            cache.note_ended((i, "paid", at) for i, (at, _) in paid)
            cache.note_paid_how((i for i, (_, by) in paid if by), by_payment=True)
            cache.note_paid_how((i for i, (_, by) in paid if not by), by_payment=False)
            cache.set_meta(BACKFILLED, now)
        log.info("recovery ledger: %d outcomes read, %d paid", len(unsettled), len(paid))
    except PermissionMissing as exc:
        report.skipped.append(f"how failed payments ended ({exc.message})")
