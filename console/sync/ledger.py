"""The save ledger: each saved subscription's invoices from its save on, read after a sync (what saves earned)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..errors import PermissionMissing
from ..store import Cache
from .ratelimit import TokenBucket, with_backoff
from .report import SyncReport

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

CONCURRENCY = 4


def read_save_invoices(
    gateway: StripeGateway,
    cache: Cache,
    bucket: TokenBucket,
    report: SyncReport,
    *,
    workers: int = CONCURRENCY,
    now: int | None = None,
) -> int:
    """One invoice list per saved subscription that is due (store/ledger.py: never read, ended since, or live
    and read six hours ago). A key without Invoices: Read skips it and says so:
    the Outcomes tab then says what it cannot know. Returns how many subscriptions were read."""
    now = now or int(time.time())
    due = cache.ledger_due(now)
    if not due:
        return 0
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ledger") as pool:
            found = list(pool.map(lambda s: (s, with_backoff(lambda: gateway.invoices_since(s, due[s]), bucket)), sorted(due)))
    except PermissionMissing as exc:
        report.skipped.append(f"what saves earned ({exc.message})")
        return 0
    cache.put_ledger(((sub_id, due[sub_id], invoices, coupons) for sub_id, (invoices, coupons) in found), now)
    return len(found)
