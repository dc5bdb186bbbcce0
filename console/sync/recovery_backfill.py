"""The recovery ledger's part of a sync (issue 34): once, the failures of the 30 days Stripe keeps events for (what
happened before the console followed the account); and after that listing, or whenever the events had a gap, the
outcome of each failed invoice that is no longer open and whose ending no event told (one read each)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

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


def sync_recoveries(
    gateway: StripeGateway, cache: Cache, report: SyncReport, bucket: TokenBucket, *,
    workers: int, now: int, gap: bool, progress: Progress = no_progress,
) -> None:  # fmt: skip
    """After the failed-payments listing: the 30 days back once, then the outcomes no event told."""
    try:
        first = cache.get_meta(BACKFILLED) is None
        if first:
            progress(0, None, "Reading the last 30 days of failed payments")
            changes = with_backoff(lambda: gateway.failure_changes_since(now - EVENTS_KEPT_S), bucket)
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
