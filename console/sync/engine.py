"""Choose incremental or full sync, and run it; then the invoices (sync/invoices.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..errors import PermissionMissing
from ..store import Cache
from . import failures, invoices, recovery_backfill
from .full import BACKFILLED, backfill, full_sync
from .incremental import CursorExpired, incremental_sync
from .ratelimit import CONCURRENCY, LIVE_MODE_RATE, TEST_MODE_RATE, TokenBucket
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


def sync(
    gateway: StripeGateway,
    cache: Cache,
    *,
    full: bool = False,
    progress: Progress = no_progress,
    now: int | None = None,
    queue_ready: Callable[[SyncReport], None] | None = None,
) -> SyncReport:
    """Incremental when the cursor allows it; otherwise (or when asked, or to finish an interrupted one) full. The
    invoices come last: `queue_ready` is told when the queue is complete, before they are read."""
    now = now or int(time.time())
    if not full and cache.get_meta("full_sync") is None:
        try:
            report, stream = incremental_sync(gateway, cache, now)
            if cache.get_meta(BACKFILLED) is None:  # a first sync was stopped before its backfill
                backfill(gateway, cache, now)
            _invoices(gateway, cache, report, now, stream, progress)
            progress(1, 1, "Up to date")
            return report
        except CursorExpired as exc:
            reason = str(exc)
        except PermissionMissing:
            reason = "this key cannot read events, so every sync lists everything"
    else:
        reason = "resuming" if cache.get_meta("full_sync") else "asked for"
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoice-events") as pool:
        beside = pool.submit(invoices.read_stream, gateway, cache, now)  # beside the subscriptions: no round trip after
        report = full_sync(gateway, cache, progress, now, queue_ready=queue_ready)
    if reason not in ("asked for", "resuming"):
        report.fallback_reason = reason
    _invoices(gateway, cache, report, now, beside.result(), progress)
    return report


def _invoices(
    gateway: StripeGateway, cache: Cache, report: SyncReport, now: int, stream: invoices.Stream, progress: Progress
) -> None:
    """Last, when every intent (customers' own revokes from the backfill too) is known: the invoice events, and the
    invoices they cannot say (sync/invoices.py), as many in flight as the sync measured."""
    report.invoice_events = len(stream.changes or [])
    bucket = TokenBucket(LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    workers = report.workers or CONCURRENCY
    gap = stream.changes is None
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="failures") as pool:
        # the open invoices' listing with their declines, and the 30 days of failures' events, are read beside the
        # saves' invoices (the bucket is shared) and stored after the invoice events those apply: one after the other
        # they cost a 2,000-customer first sync 6 s (tests/benchmarks/bench_sync.py)
        listing = (
            pool.submit(failures.read_ahead, gateway, cache, bucket, workers=workers)
            if failures.needs_listing(cache, gap)
            else None
        )
        backfill = (  # with the listing's result, the outcomes of failures no longer open are read ahead too
            pool.submit(recovery_backfill.read_ahead, gateway, cache, bucket, now, workers=workers, listing=listing)
            if recovery_backfill.needs_backfill(cache)
            else None
        )
        invoices.sync_invoices(gateway, cache, report, bucket, workers=workers, now=now, stream=stream, progress=progress)
        listed = listing.result() if listing is not None else None
        failed = backfill.result() if backfill is not None else None
    failures.sync_failures(gateway, cache, report, bucket, workers=workers, now=now, gap=gap, progress=progress, ahead=listed)
    recovery_backfill.sync_recoveries(
        gateway, cache, report, bucket, workers=workers, now=now, gap=gap, progress=progress, ahead=failed
    )
