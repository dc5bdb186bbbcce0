"""Full sync: every subscription (ended ones for a year), 100 per page, resumable page by page."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import PermissionMissing
from ..store import Cache
from . import state, usage
from .apply import apply_changes
from .ratelimit import CONCURRENCY, LIVE_MODE_RATE, TEST_MODE_RATE, TokenBucket, with_backoff, workers_for
from .report import Progress, SyncReport, no_progress

T = TypeVar("T")

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

HISTORY_S = 365 * 86400
RANGES_PER_WORKER = 4  # at most: more ranges than workers, so a worker that finishes takes the next
PAGES_PER_RANGE = 8  # at least, as far as the last sync tells: an empty range still costs a request
EPOCH_FLOOR = 1_293_840_000  # 2011-01-01: nothing in Stripe is older
EVENT_WINDOW_S = 30 * 86400


def plan_ranges(start: int, end: int, parts: int, seen: list[int] | None = None) -> list[dict[str, Any]]:
    """Disjoint `created` ranges [gte, lt) covering start..end, paged independently. With `seen` (the creation
    times the cache holds from the last sync, sorted) the cuts fall where the data is, so each range holds about
    as many subscriptions; without, equal slices of time."""
    cuts: list[int] = []
    if seen and len(seen) >= parts * 10:
        cuts = sorted(c for c in {seen[len(seen) * i // parts] for i in range(1, parts)} if start < c < end)
    if not cuts:
        step = max(1, (end - start) // parts + 1)
        cuts = list(range(start + step, end, step))
    edges = [start, *cuts, end]
    return [{"gte": lo, "lt": hi, "after": None, "done": False} for lo, hi in zip(edges, edges[1:], strict=False) if lo < hi]


def ranges_for(workers: int, seen: list[int]) -> int:
    """How many ranges: one per worker when nothing is known yet; with the last sync's subscriptions, enough
    that a worker done early takes another, but never so many that most hold less than a few pages."""
    pages = len(seen) // 100
    return max(workers, min(workers * RANGES_PER_WORKER, pages // PAGES_PER_RANGE))


def full_sync(
    gateway: StripeGateway,
    cache: Cache,
    progress: Progress = no_progress,
    now: int | None = None,
    *,
    rate: float | None = None,
    concurrency: int | None = None,
) -> SyncReport:
    """List everything again: disjoint created ranges paged concurrently under the account's rate limit.

    Each page is written in one transaction together with its range's resume cursor, so an
    interrupted sync resumes where every range stopped, and the events cursor (taken before the
    first page) is only stored when every range is done.
    """
    now = now or int(time.time())
    report = SyncReport("full", queue_before=cache.pending_ids())
    checkpoint = cache.get_meta("full_sync")
    rate = rate or (LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    if checkpoint and "ranges" in checkpoint:
        report.resumed = True
        workers = concurrency or checkpoint.get("workers", CONCURRENCY)
    else:
        newest = _optional(gateway.newest_event, "the events cursor", report)
        probe = time.perf_counter()
        since = gateway.oldest_subscription_since(EPOCH_FLOOR, now)  # ranges start where the data does
        # its bisection is one request at a time, to a day: the round trip is its time over its probes
        probes = 1 if since >= now else 1 + math.ceil(math.log2(max(now - EPOCH_FLOOR, 86400) / 86400))
        latency = (time.perf_counter() - probe) / probes
        workers = concurrency or workers_for(rate, latency)
        checkpoint = {
            "started_at": now,
            "pages": 0,
            "cursor": list(newest) if newest else None,
            "workers": workers,
            "ranges": plan_ranges(min(since, now), now + 1, ranges_for(workers, seen := cache.created_times()), seen),
        }
        cache.set_meta("full_sync", checkpoint)
    started = checkpoint["started_at"]
    estimate = cache.get_meta("full_sync_pages")
    report.pages = checkpoint["pages"]
    bucket = TokenBucket(rate)
    lock = threading.Lock()
    # What MRR is valued with comes first: the coupons (discounts) and the tiered prices' tiers.
    progress(report.pages, estimate, "Reading coupons, prices and portal configurations…")
    coupons = _optional(lambda: with_backoff(gateway.coupons, bucket), "coupons", report)
    if coupons is not None:
        cache.replace_coupons(coupons)
    tiers = _optional(lambda: with_backoff(gateway.price_tiers, bucket), "the tiers of tiered prices", report)
    if tiers is not None:
        cache.put_price_tiers(tiers)
    progress(report.pages, estimate, "Reading subscriptions…")

    def run(rng: dict[str, Any]) -> int:
        count = 0
        while not rng["done"]:
            subs, more = with_backoff(
                lambda: gateway.subscription_page(created={"gte": rng["gte"], "lt": rng["lt"]}, starting_after=rng["after"]),
                bucket,
            )
            keep = [s for s in subs if not (s.ended and s.ended_at and s.ended_at.timestamp() < started - HISTORY_S)]
            with lock:
                # The shared checkpoint moves only after this page's commit: it is written from a staged copy, so a
                # commit that fails (disk full, a lock timeout) leaves this range's cursor where it was, and another
                # worker's later commit never stores a cursor past a page that is not in the cache.
                after = subs[-1].id if subs else rng["after"]
                staged = _advanced(checkpoint, rng, after, not more)
                with cache.transaction():
                    # most subscriptions are plainly active with nothing to record: only the others are observed
                    state.record(cache, keep, started, seen_at=now, every=False)
                    cache.set_meta("full_sync", staged)
                rng["after"], rng["done"] = after, not more
                checkpoint["pages"] = staged["pages"]
                report.pages = pages = staged["pages"]
            count += len(keep)
            progress(pages, estimate, f"Read {pages} page{'s' if pages != 1 else ''} of subscriptions")
        return count

    report.workers = workers  # the save ledger's reads after it keep the rate limit as busy
    with cache.bulk(), ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sync") as pool:
        report.subscriptions = sum(pool.map(run, [r for r in checkpoint["ranges"] if not r["done"]]))
    configs = _optional(lambda: with_backoff(gateway.portal_configurations, bucket), "portal configurations", report)
    usage.read_latest(gateway, cache, bucket, report, workers=workers)
    with cache.transaction():
        if configs is not None:
            cache.replace_portal_configurations(configs)
        cache.drop_subscriptions_not_seen(started)
        cursor = checkpoint["cursor"]
        cache.set_meta("events_cursor", {"id": cursor[0], "at": cursor[1]} if cursor else {"id": None, "at": started})
        cache.set_meta("full_sync", None)
        cache.set_meta("full_sync_pages", report.pages)
        cache.set_meta("last_full_sync_at", now)
        if cache.get_meta("first_sync_at") is None:
            cache.set_meta("first_sync_at", now)
        cache.set_meta("last_sync_at", now)
    report.subscriptions = cache.counts()["subscriptions"]
    if cache.get_meta(BACKFILLED) is None:  # the first sync, or one killed before its backfill was written
        _optional(lambda: backfill(gateway, cache, now), "recent history from events", report)
    report.queue_after = cache.pending_ids()
    return report


def unfinished(cache: Cache) -> tuple[int, int | None] | None:
    """A full sync that stopped before its end: (pages stored, the pages the last complete one read, if any).
    Until it is finished the queue holds only what those pages held, and must say so."""
    checkpoint = cache.get_meta("full_sync")
    if not checkpoint or "ranges" not in checkpoint:
        return None
    done, last = checkpoint.get("pages", 0), cache.get_meta("full_sync_pages")
    return done, max(last, done + 1) if last else None


def _advanced(checkpoint: dict[str, Any], rng: dict[str, Any], after: str | None, done: bool) -> dict[str, Any]:
    """The checkpoint as it will be once `rng`'s next page is stored: a copy, the shared one untouched."""
    ranges = [dict(r, after=after, done=done) if r is rng else dict(r) for r in checkpoint["ranges"]]
    return {**checkpoint, "ranges": ranges, "pages": checkpoint["pages"] + 1}


def _optional(fn: Callable[[], T], what: str, report: SyncReport) -> T | None:
    """Read what the key may lack permission for; skip it (and say so) rather than fail the sync."""
    try:
        return fn()
    except PermissionMissing as exc:
        report.skipped.append(f"{what} ({exc.message})")
        return None


BACKFILLED = "events_backfilled_at"


def backfill(
    gateway: StripeGateway, cache: Cache, now: int, *, rate: float | None = None, concurrency: int = CONCURRENCY
) -> None:
    """On the first sync, learn the last 30 days' intents (customers' own revokes) from events.

    Disjoint created ranges are read concurrently; only intents and the timeline are taken from
    them (the states just listed are newer).
    """
    bucket = TokenBucket(rate or (LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE))
    ranges = plan_ranges(now - EVENT_WINDOW_S, now + 1, concurrency)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="backfill") as pool:
        parts = list(
            pool.map(lambda r: with_backoff(lambda: gateway.events_in({"gte": r["gte"], "lt": r["lt"]}), bucket), ranges)
        )
    newest_first = [e for part in reversed(parts) for e in part]  # ranges are disjoint and ascending
    with cache.transaction():
        apply_changes(cache, newest_first[::-1], gateway=None, states=False)
        cache.set_meta(BACKFILLED, now)  # with the changes: a crash before this line backfills again
