"""Choose incremental or full sync, and run it; then the invoices (sync/invoices.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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
    bucket = TokenBucket(LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)  # one rate limit for all of it
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="beside") as pool:
        events = pool.submit(invoices.read_stream, gateway, cache, now)  # beside the subscriptions: no round trip after
        # The failed payments' listing with its declines, and the 30 days of failures with the outcomes they leave
        # unsettled, need nothing of the subscriptions: they are read beside their pages too, in the rate limit the
        # pages leave (a 2,000-customer first sync used 15-20 of its 25 requests/s listing subscriptions), and are
        # stored after them, and after the invoice events, as before (_invoices).
        beside = _read_beside(pool, events, gateway, cache, bucket, now, BESIDE_WORKERS)
        report = full_sync(gateway, cache, progress, now, queue_ready=queue_ready, bucket=bucket)
        if reason not in ("asked for", "resuming"):
            report.fallback_reason = reason
        _invoices(gateway, cache, report, now, events.result(), progress, bucket=bucket, beside=beside)
    return report


BESIDE_WORKERS = 4  # requests in flight for what is read beside the subscription pages: their slack, not their share
Beside = tuple["Future[failures.Ahead | None]", "Future[recovery_backfill.Ahead] | None"]


def _read_beside(
    pool: ThreadPoolExecutor, events: Future[invoices.Stream], gateway: StripeGateway, cache: Cache,
    bucket: TokenBucket, now: int, workers: int,
) -> Beside:  # fmt: skip
    """The open invoices' listing with its declines (once the invoice events' cursor is read: the listing is then
    newer than every event applied before it, and every event the next sync replays over it), and the 30 days of
    failures with the outcomes they and the listing leave unsettled; only what this sync needs of them."""

    def listing() -> failures.Ahead | None:
        gap = events.result().changes is None
        return failures.read_ahead(gateway, cache, bucket, workers=workers) if failures.needs_listing(cache, gap) else None

    listed = pool.submit(listing)
    thirty_days = (
        pool.submit(recovery_backfill.read_ahead, gateway, cache, bucket, now, workers=workers, listing=listed)
        if recovery_backfill.needs_backfill(cache)
        else None
    )
    return listed, thirty_days


def _invoices(
    gateway: StripeGateway,
    cache: Cache,
    report: SyncReport,
    now: int,
    stream: invoices.Stream,
    progress: Progress,
    *,
    bucket: TokenBucket | None = None,
    beside: Beside | None = None,
) -> None:
    """Last, when every intent (customers' own revokes from the backfill too) is known: the invoice events, and the
    invoices they cannot say (sync/invoices.py), as many in flight as the sync measured. The failed payments' reads
    go beside them (`beside`: a full sync's, begun beside its subscriptions) and are stored after them."""
    report.invoice_events = len(stream.changes or [])
    bucket = bucket or TokenBucket(LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    workers = report.workers or CONCURRENCY
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="failures") as pool:
        # the open invoices' listing with their declines, and the 30 days of failures' events, are read beside the
        # saves' invoices (the bucket is shared) and stored after the invoice events those apply: one after the other
        # they cost a 2,000-customer first sync 6 s (tests/benchmarks/bench_sync.py)
        if beside is None:
            read: Future[invoices.Stream] = Future()
            read.set_result(stream)
            beside = _read_beside(pool, read, gateway, cache, bucket, now, workers)
        invoices.sync_invoices(gateway, cache, report, bucket, workers=workers, now=now, stream=stream, progress=progress)
        listed = beside[0].result()
        failed = beside[1].result() if beside[1] is not None else None
    gap = stream.changes is None
    failures.sync_failures(gateway, cache, report, bucket, workers=workers, now=now, gap=gap, progress=progress, ahead=listed)
    recovery_backfill.sync_recoveries(
        gateway, cache, report, bucket, workers=workers, now=now, gap=gap, progress=progress, ahead=failed
    )
