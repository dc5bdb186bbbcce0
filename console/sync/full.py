"""Full sync: every subscription (ended ones for a year), 100 per page, resumable page by page."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..domain.events import EVENT_WINDOW_S
from ..domain.models import Subscription
from ..pacing import LIVE_MODE_RATE, TEST_MODE_RATE, TokenBucket
from ..store import Cache
from . import state
from .apply import apply_changes
from .opening import Opening, got, optional
from .ranges import AHEAD_S, EPOCH_FLOOR, PAGE_SIZE, Range, RangeReader, plan_ranges, recent_first, whole_pages
from .ratelimit import CONCURRENCY, paced_by, workers_for
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..domain.models import Coupon
    from ..domain.mrr import PriceTiers
    from ..stripe_gateway import StripeGateway

HISTORY_S = 365 * 86400
# The two listings a full sync reads, in this order: Stripe's default list (every subscription not canceled: the
# queue is among them), then `status=ended` (canceled, and expired unpaid: the reports' history). Together they are
# `status=all`; a subscription in both (an expired one, if the default holds it) is stored twice, the same.
# https://docs.stripe.com/api/subscriptions/list#list_subscriptions-status (the SDK's SubscriptionListParams.status)
LIVE, ENDED = "live", "ended"
STRIPE_STATUS: dict[str, str | None] = {LIVE: None, ENDED: "ended", "all": "all"}  # "all": a checkpoint from before


def first_ranges(now: int, workers: int, listed: list[int]) -> list[Range]:
    """Where a full sync starts reading the subscriptions not ended: with the creation times of those the last sync
    listed, a range per worker or fewer, cut where the data is into whole pages (ranges.whole_pages); without, short
    recent ranges and longer old ones (ranges.recent_first). Either way a range that proves long is split while it
    is read, so a worker never waits for another's range."""
    if len(listed) >= workers * 10:
        return whole_pages(EPOCH_FLOOR, now + AHEAD_S, workers, listed)
    return recent_first(EPOCH_FLOOR, now + AHEAD_S)


def full_sync(
    gateway: StripeGateway,
    cache: Cache,
    progress: Progress = no_progress,
    now: int | None = None,
    *,
    rate: float | None = None,
    concurrency: int | None = None,
    queue_ready: Callable[[SyncReport], None] | None = None,
    bucket: TokenBucket | None = None,
    opening: Opening | None = None,
) -> SyncReport:
    """List every subscription again: disjoint created ranges paged concurrently under the account's rate limit.

    Each page is written in one transaction together with its range's resume cursor, so an interrupted sync
    resumes where every range stopped, and the events cursor (taken before the first page) is only stored when
    every range is done. `queue_ready` is told as soon as the queue is complete (before the invoices are read).
    `bucket`: the sync's, when other reads share it (sync/engine.py); else one of `rate`'s. `opening`: the reads before
    the first page, when they were started beside the account check (sync/opening.py); its bucket is then `bucket`.
    """
    now = now or int(time.time())
    report = SyncReport("full", queue_before=cache.pending_ids())
    checkpoint = cache.get_meta("full_sync")
    rate = rate or (LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    bucket = bucket if bucket is not None else TokenBucket(rate)
    progress(0, cache.get_meta("full_sync_pages"), "Reading coupons, prices and portal configurations…")
    fresh = not (checkpoint and "ranges" in checkpoint)
    if opening is None:  # else it was read beside the account check (Workspace.connect)
        opening = Opening.start(gateway, bucket, cursor=fresh)
    if fresh:
        cursor, latency = opening.cursor(report)
        workers = concurrency or workers_for(rate, latency)
        planned = first_ranges(now, workers, cache.created_times(listed=True))
        checkpoint = {
            "started_at": now,
            "pages": 0,
            "cursor": list(cursor) if cursor else None,
            "workers": workers,
            "ranges": [{**r, "status": LIVE} for r in planned],  # the ended listing's are planned when it begins
        }
        cache.set_meta("full_sync", checkpoint)
    else:
        report.resumed = True
        workers = concurrency or checkpoint.get("workers", CONCURRENCY)
    priced = False
    prices: tuple[list[Coupon] | None, list[PriceTiers] | None] | None = None

    def price() -> None:
        # MRR is valued with the coupons and the tiered prices' tiers: they are stored before the first page is, but
        # the pages are not asked after them (they wait for the events cursor alone: 80 ms at 2,000 customers). Only
        # once both are stored is it done: a store that failed (a full disk) is tried again at the next page, never
        # skipped (another worker's page was stored without the tiers, its tiered MRR 0 after the resume: the
        # write-faults test, under load)
        nonlocal priced, prices
        if priced:
            return
        if prices is None:  # read once: a refusal is said once
            prices = (got(opening.coupons, "coupons", report), got(opening.tiers, "the tiers of tiered prices", report))
        found, price_tiers = prices
        if found is not None:
            cache.replace_coupons(found)
        if price_tiers is not None:
            cache.put_price_tiers(price_tiers)
        priced = True

    started = checkpoint["started_at"]
    estimate = cache.get_meta("full_sync_pages")
    report.pages = checkpoint["pages"]
    progress(report.pages, estimate, "Reading subscriptions…")

    def page(rng: Range) -> tuple[list[Subscription], bool, tuple[str, int] | None]:
        subs, more = gateway.subscription_page(
            created={"gte": rng["gte"], "lt": rng["lt"]},
            starting_after=rng["after"],
            status=STRIPE_STATUS[rng.get("status", "all")],
        )
        return subs, more, (subs[-1].id, int(subs[-1].created.timestamp())) if subs else None

    def commit(rng: Range, subs: list[Subscription], update: Range, split: Range | None) -> None:
        # The shared checkpoint moves only after this page's commit: it is written from a staged copy, so a commit
        # that fails (disk full, a lock timeout) leaves this range's cursor where it was, and another worker's later
        # commit never stores a cursor past a page that is not in the cache.
        keep = [s for s in subs if not (s.ended and s.ended_at and s.ended_at.timestamp() < started - HISTORY_S)]
        staged = _advanced(checkpoint, rng, update, split)
        price()
        with cache.transaction():
            # most subscriptions are plainly active with nothing to record: only the others are observed
            state.record(cache, keep, started, seen_at=now, every=False)
            cache.set_meta("full_sync", staged)
        listed_pending.update(s.id for s in keep if s.pending_cancellation)
        checkpoint["pages"] = staged["pages"]  # its ranges are the reader's own: it moves them after this commit
        report.pages = pages = staged["pages"]
        report.subscriptions += len(keep)
        progress(pages, estimate, f"Read {pages} page{'s' if pages != 1 else ''} of subscriptions")

    listed_pending: set[str] = set()  # the pending cancellations this run's pages listed

    def read(reading: Callable[[Range], bool]) -> None:
        with cache.bulk():
            RangeReader(
                checkpoint["ranges"], page, commit, bucket=bucket, workers=workers, reading=reading,
                created_of=lambda s: int(s.created.timestamp()),
            ).run()  # fmt: skip

    report.workers = workers  # the invoice reads after it keep the rate limit as busy
    read(lambda r: r.get("status") != ENDED)  # every subscription not ended (and an older checkpoint's ranges of all)
    price()  # no page was stored (a resumed sync whose ranges were all read)
    if (portal := got(opening.configs, "portal configurations", report)) is not None:
        cache.replace_portal_configurations(portal)  # the queue shows their reasons' words
    queue = cache.pending_ids()
    if told := queue_ready is not None and queue == listed_pending:
        # Every pending cancellation is in, and the cache holds no pending row this listing did not list (one from an
        # earlier sync, or from the pages of an interrupted one, that may have ended since and would stay in the queue
        # until the ended listing): the queue is complete before the ended subscriptions, which only the reports'
        # history needs (at 2,000 customers 345 of 2,000: 0.25 s sooner).
        report.queue_after = queue
        queue_ready(report)
    if all(r.get("status") == LIVE for r in checkpoint["ranges"]):  # (a checkpoint from before read `all`)
        checkpoint["ranges"].extend(_ended_ranges(cache, now, workers))
        cache.set_meta("full_sync", checkpoint)  # the ended listing resumes too
    read(lambda r: r.get("status") == ENDED)
    report.ranges = len(checkpoint["ranges"])
    with cache.transaction():
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
    report.queue_after = cache.pending_ids()
    if queue_ready is not None and not told:
        queue_ready(report)
    if cache.get_meta(BACKFILLED) is None:  # the first sync, or one killed before its backfill was written
        progress(report.pages, estimate, "Reading the last 30 days of events…")
        optional(lambda: backfill(gateway, cache, now, concurrency=workers, bucket=bucket), "recent history from events", report)
    return report


def _ended_ranges(cache: Cache, now: int, workers: int) -> list[Range]:
    """Where the ended listing starts: its size is not known, and it is read beside the reads after the queue, where
    its requests count more than its round trips. So a range per four pages of the subscriptions listed (at least
    one, at most a worker each), cut where they were made; one that proves long is split while it is read. At 2,000
    customers (345 ended) 4 requests, against 11 for the first listing's short recent ranges (a simulation of the
    range reader on the sandbox's creation times)."""
    seen = cache.created_times()
    parts = max(1, min(workers, len(seen) // (4 * PAGE_SIZE)))
    return [{**r, "status": ENDED} for r in plan_ranges(EPOCH_FLOOR, now + AHEAD_S, parts, seen)]


def unfinished(cache: Cache, *, queue: bool = False) -> tuple[int, int | None] | None:
    """A full sync that stopped before its end: (pages stored, the pages the last complete one read, if any).
    Until it is finished the cache holds only what those pages held, and must say so. `queue`: only while the queue
    is partial (its listing of subscriptions not ended unfinished); the ended ones after it are the reports' history."""
    checkpoint = cache.get_meta("full_sync")
    if not checkpoint or "ranges" not in checkpoint:
        return None
    if queue and all(r["done"] for r in checkpoint["ranges"] if r.get("status") != ENDED):
        return None
    done, last = checkpoint.get("pages", 0), cache.get_meta("full_sync_pages")
    return done, max(last, done + 1) if last else None


def _advanced(checkpoint: dict[str, Any], rng: Range, update: Range, split: Range | None) -> dict[str, Any]:
    """The checkpoint as it will be once `rng`'s next page is stored (and the range `split` from it): a copy, the
    shared one untouched."""
    ranges = [dict(update) if r is rng else dict(r) for r in checkpoint["ranges"]]
    return {**checkpoint, "ranges": ranges + ([dict(split)] if split else []), "pages": checkpoint["pages"] + 1}


BACKFILLED = "events_backfilled_at"


def backfill(
    gateway: StripeGateway, cache: Cache, now: int, *, concurrency: int = CONCURRENCY, bucket: TokenBucket | None = None
) -> None:
    """On the first sync, learn the last 30 days' intents (customers' own revokes) from events.

    Disjoint created ranges are read concurrently; only intents and the timeline are taken from
    them (the states just listed are newer).
    """
    bucket = bucket if bucket is not None else TokenBucket(LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    ranges = plan_ranges(now - EVENT_WINDOW_S, now + AHEAD_S, concurrency)
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="backfill") as pool:
        parts = list(pool.map(lambda r: gateway.events_in({"gte": r["gte"], "lt": r["lt"]}, paced=paced_by(bucket)), ranges))
    newest_first = [e for part in reversed(parts) for e in part]  # ranges are disjoint and ascending
    with cache.transaction():
        apply_changes(cache, newest_first[::-1], gateway=None, states=False)
        cache.set_meta(BACKFILLED, now)  # with the changes: a crash before this line backfills again
