"""The hold-out's part of a sync (issue 34 §3): each failure first seen since the hold-out began gets its group (a
stable hash of the invoice's id: domain/holdout.py), recorded on the invoice's metadata before the cache keeps it (a
group is never kept that Stripe does not hold), so every console, and the Dashboard, sees the same. At the account's
rate limit, several in flight, as the sync's other reads."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..domain import holdout
from ..errors import ConsoleError, PermissionMissing
from ..pacing import LIVE_MODE_RATE, TEST_MODE_RATE, TokenBucket
from ..store import Cache
from .ratelimit import CONCURRENCY, each_under
from .report import SyncReport

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)


def assign_holdouts(gateway: StripeGateway, cache: Cache, report: SyncReport, percent: int, since: int | None) -> int:
    """Assign and record the new failures' groups; how many were recorded. A failure whose write failed is tried again
    at the next sync (it stays unassigned meanwhile, and in the reps' queue: never hidden without a record)."""
    if not percent or since is None:
        return 0
    unassigned = cache.unassigned_failures(since)
    if not unassigned:
        return 0

    def record(invoice_id: str) -> str | None:
        try:  # another console may have recorded it since the events were read: its group stands
            found = gateway.invoice_collection(invoice_id).holdout
            if found is not None:
                return found
            group = holdout.group_of(invoice_id, percent)
            return gateway.set_invoice_metadata(invoice_id, {holdout.KEY: group}, f"churn-console-holdout-{invoice_id}")
        except PermissionMissing:
            raise
        except ConsoleError as exc:
            log.warning("could not record the hold-out group of %s: %s", invoice_id, exc)
            return None

    bucket = TokenBucket(LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    read = each_under(unassigned, record, bucket, workers=CONCURRENCY, name="holdout")
    if isinstance(read, PermissionMissing):
        report.skipped.append(f"the hold-out's groups ({read.message})")
        return 0
    recorded = [(i, g) for i, g in read if g is not None]
    with cache.transaction():
        cache.set_holdout(recorded)
    return len(recorded)
