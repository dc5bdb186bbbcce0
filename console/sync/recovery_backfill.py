"""The recovery ledger's part of a sync (issue 34): once, the failures of the 30 days Stripe keeps events for (what
happened before the console followed the account); and after that listing, or whenever the events had a gap, the
outcome of each failed invoice that is no longer open and whose ending no event told (one read each)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..domain.events import InvoiceChange
from ..errors import PermissionMissing
from ..store import Cache
from .invoices import record_recoveries
from .ratelimit import TokenBucket, each_under, with_backoff
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
BACKFILLED = "recovery_backfilled_at"
EVENTS_KEPT_S = 30 * 86400  # Stripe keeps 30 days of events (docs.stripe.com/api/events)


def needs_backfill(cache: Cache) -> bool:
    """Whether this sync reads the 30 days of failures back (once, until a backfill is stored)."""
    return cache.get_meta(BACKFILLED) is None


def read_ahead(gateway: StripeGateway, bucket: TokenBucket, now: int) -> list[InvoiceChange] | PermissionMissing:
    """The 30 days of failures' events, read beside the saves' invoices (a few pages one after another: a second of
    a 2,000-customer first sync); stored by sync_recoveries, after the listing."""
    try:
        return with_backoff(lambda: gateway.failure_changes_since(now - EVENTS_KEPT_S), bucket)
    except PermissionMissing as exc:
        return exc


def sync_recoveries(
    gateway: StripeGateway, cache: Cache, report: SyncReport, bucket: TokenBucket, *,
    workers: int, now: int, gap: bool, progress: Progress = no_progress,
    ahead: list[InvoiceChange] | PermissionMissing | None = None,
) -> None:  # fmt: skip
    """After the failed-payments listing: the 30 days back once (`ahead`: as read beside the invoices), then the
    outcomes no event told."""
    try:
        first = needs_backfill(cache)
        if first:
            if ahead is None:
                progress(0, None, "Reading the last 30 days of failed payments")
                ahead = read_ahead(gateway, bucket, now)
            if isinstance(ahead, PermissionMissing):
                raise ahead
            changes = ahead
            with cache.transaction():
                record_recoveries(cache, changes)
        if not (first or gap):
            return
        unsettled = cache.unsettled_recoveries()
        if unsettled:
            progress(0, len(unsettled), f"Reading how {len(unsettled):,} failed payments ended")
        read = each_under(unsettled, gateway.payment_outcome, bucket, workers=workers, name="recoveries")
        if isinstance(read, PermissionMissing):
            raise read
        paid = [(i, found) for i, found in read if found is not None]
        with cache.transaction():
            cache.note_ended((i, "paid", at) for i, (at, _) in paid)
            cache.note_paid_how((i for i, (_, by) in paid if by), by_payment=True)
            cache.note_paid_how((i for i, (_, by) in paid if not by), by_payment=False)
            cache.set_meta(BACKFILLED, now)
        log.info("recovery ledger: %d outcomes read, %d paid", len(unsettled), len(paid))
    except PermissionMissing as exc:
        report.skipped.append(f"how failed payments ended ({exc.message})")
