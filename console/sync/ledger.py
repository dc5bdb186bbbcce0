"""The save ledger: each saved subscription's invoices from its save on, read after a sync (what saves earned)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..errors import PermissionMissing
from ..store import Cache
from .ratelimit import CONCURRENCY, TokenBucket, each_under
from .report import SyncReport

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


def read_save_invoices(
    gateway: StripeGateway,
    cache: Cache,
    bucket: TokenBucket,
    report: SyncReport,
    *,
    workers: int | None = None,
    now: int | None = None,
) -> int:
    """One invoice list per saved subscription that is due (store/ledger.py: never read, ended since, or live
    and read six hours ago). A key without Invoices: Read skips it and says so:
    the Outcomes tab then says what it cannot know. Returns how many subscriptions were read."""
    now = now or int(time.time())
    due = cache.ledger_due(now)
    if not due:
        return 0
    in_flight = workers or report.workers or CONCURRENCY  # as many as the sync's own measure keeps busy
    found = each_under(due, lambda s: gateway.invoices_since(s, due[s]), bucket, workers=in_flight, name="ledger")
    if isinstance(found, PermissionMissing):
        report.skipped.append(f"what saves earned ({found.message})")
        return 0
    cache.put_ledger(((sub_id, due[sub_id], invoices, coupons) for sub_id, (invoices, coupons) in found), now)
    return len(found)
