"""Choose incremental or full sync, and run it; then the invoices (sync/invoices.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import PermissionMissing
from ..pacing import TokenBucket
from ..store import Cache
from . import failures, invoices, recovery_backfill, usage
from .full import BACKFILLED, backfill, full_sync
from .incremental import CursorExpired, incremental_sync
from .opening import Opening, sync_bucket
from .ratelimit import CONCURRENCY
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
    opening: Opening | None = None,
) -> SyncReport:
    """Incremental when the cursor allows it; otherwise (or when asked, or to finish an interrupted one) full. The
    invoices come last: `queue_ready` is told when the queue is complete, before they are read. One bucket for the
    whole sync: what is read beside something else never takes the account past its rate limit, and the many
    independent reads of the failed payments (bulk) fill the slots the pages leave. `opening`: a full sync's first
    reads, started beside the account check (Workspace.connect), and the bucket they went under."""
    now = now or int(time.time())
    bucket = opening.bucket if opening is not None else sync_bucket(gateway)
    with ThreadPoolExecutor(max_workers=6, thread_name_prefix="beside") as pool:
        if not full and cache.get_meta("full_sync") is None:
            try:
                report, stream = incremental_sync(gateway, cache, now)
                if opening is not None:
                    opening.close()  # read for a full sync that this cache did not need
                if cache.get_meta(BACKFILLED) is None:  # a first sync was stopped before its backfill
                    backfill(gateway, cache, now, bucket=bucket)
                workers = report.workers or CONCURRENCY
                metered = _usage(pool, gateway, cache, bucket, stream, workers, report.touched)
                ahead = _failures(pool, gateway, cache, bucket, now, stream, workers)
                _invoices(gateway, cache, report, now, stream, progress, bucket, ahead, metered)
                progress(1, 1, "Up to date")
                return report
            except CursorExpired as exc:
                reason = str(exc)
            except PermissionMissing:
                reason = "this key cannot read events, so every sync lists everything"
        else:
            reason = "resuming" if cache.get_meta("full_sync") else "asked for"
        # beside the subscriptions: no round trip after (read already when the cache was new: sync/opening.py)
        beside = (
            opening.stream
            if opening is not None and opening.stream is not None
            else pool.submit(invoices.read_stream, gateway, cache, now)
        )
        started: list[tuple[Ahead, Future[usage.Read] | None]] = []

        def listed(report: SyncReport) -> None:
            # What the invoices do not need starts now, beside the 30 days of events, not after them; not sooner: beside
            # the subscriptions' pages, the queue came 0.4 s later at 2,000 customers (bench_sync.py).
            workers, stream = report.workers or CONCURRENCY, beside.result()
            failed = _failures(pool, gateway, cache, bucket, now, stream, workers)
            started.append((failed, _usage(pool, gateway, cache, bucket, stream, workers, None)))
            if queue_ready is not None:
                queue_ready(report)

        report = full_sync(gateway, cache, progress, now, queue_ready=listed, bucket=bucket, opening=opening)
        if reason not in ("asked for", "resuming"):
            report.fallback_reason = reason
        stream = beside.result()
        failed, later = started[0] if started else (_failures(pool, gateway, cache, bucket, now, stream, CONCURRENCY), None)
        _invoices(gateway, cache, report, now, stream, progress, bucket, failed, later)
        return report


@dataclass(frozen=True)
class Ahead:
    """The failed payments' reads started ahead (network only: _invoices stores them after the invoice events)."""

    listing: Future[failures.Ahead] | None
    recoveries: Future[recovery_backfill.Ahead] | None


def _failures(
    pool: ThreadPoolExecutor, gateway: StripeGateway, cache: Cache, bucket: TokenBucket, now: int, stream: invoices.Stream,
    workers: int,
) -> Ahead:  # fmt: skip
    """Start reading, under the bucket, the open invoices' listing with its declines (when this sync lists them) and
    the 30 days of failures with the outcomes the listing leaves unsettled (once). The outcomes wait for the listing
    alone, not for its declines: after them they were a 1.2 s tail of a 2,000-customer first sync (bench_sync.py)."""
    listing = (
        pool.submit(failures.read_listing, gateway, bucket) if failures.needs_listing(cache, stream.changes is None) else None
    )
    return Ahead(
        pool.submit(failures.read_ahead, gateway, cache, bucket, workers=workers, listing=listing) if listing else None,
        pool.submit(recovery_backfill.read_ahead, gateway, cache, bucket, now, workers=workers, listing=listing)
        if recovery_backfill.needs_backfill(cache)
        else None,
    )


def _usage(
    pool: ThreadPoolExecutor, gateway: StripeGateway, cache: Cache, bucket: TokenBucket, stream: invoices.Stream,
    workers: int, touched: set[str] | None,
) -> Future[usage.Read] | None:  # fmt: skip
    """Start reading the metered cancellations' usage when the invoice events cannot add any (`stream` has none: a
    gap): after the invoices it was a round trip alone at the very end of a first sync."""
    return pool.submit(usage.read_ahead, gateway, cache, bucket, touched, workers=workers) if stream.changes is None else None


def _invoices(
    gateway: StripeGateway, cache: Cache, report: SyncReport, now: int, stream: invoices.Stream, progress: Progress,
    bucket: TokenBucket, ahead: Ahead, metered: Future[usage.Read] | None,
) -> None:  # fmt: skip
    """Last, when every intent (customers' own revokes from the backfill too) is known: the invoice events, and the
    invoices they cannot say (sync/invoices.py), as many in flight as the sync measured; what was read `ahead` (the
    bucket is shared) stored after the invoice events those apply."""
    report.invoice_events = len(stream.changes or [])
    workers = report.workers or CONCURRENCY
    gap = stream.changes is None
    invoices.sync_invoices(
        gateway, cache, report, bucket, workers=workers, now=now, stream=stream, progress=progress, usage_ahead=metered
    )
    listed = ahead.listing.result() if ahead.listing is not None else None
    failed = ahead.recoveries.result() if ahead.recoveries is not None else None
    failures.sync_failures(gateway, cache, report, bucket, workers=workers, now=now, gap=gap, progress=progress, ahead=listed)
    recovery_backfill.sync_recoveries(
        gateway, cache, report, bucket, workers=workers, now=now, gap=gap, progress=progress, ahead=failed
    )
