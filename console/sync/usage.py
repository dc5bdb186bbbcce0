"""Metered items' usage: what the latest invoice charged, read for pending cancellations (their MRR at stake)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import PermissionMissing
from ..store import Cache
from .ratelimit import CONCURRENCY, TokenBucket, each_under
from .report import SyncReport

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


def read_latest(
    gateway: StripeGateway,
    cache: Cache,
    bucket: TokenBucket,
    report: SyncReport,
    among: set[str] | None = None,
    *,
    workers: int | None = None,
) -> int:
    """One invoice request per pending subscription with a metered item whose usage is not known yet
    (only those `among` the given ids, when given); values them again. A key without Invoices: Read
    skips it and says so. `workers`: requests in flight (a full sync's own, fitted to the latency: at
    300 ms, 4 held a 100,000-subscription sync's few hundred invoice reads to 11 a second)."""
    wanted = cache.pending_metered() - cache.subscriptions_with_usage()
    if among is not None:
        wanted &= among
    if not wanted:
        return 0
    found = each_under(wanted, gateway.latest_usage, bucket, workers=workers or CONCURRENCY, name="usage")
    if isinstance(found, PermissionMissing):
        report.skipped.append(f"usage of metered prices ({found.message})")
        return 0
    with cache.transaction():  # together: usage stored but not yet valued would never be valued again (a kill between)
        cache.put_usage((sub_id, u) for sub_id, lines in found for u in lines)
        cache.revalue(wanted)
    return len(wanted)
