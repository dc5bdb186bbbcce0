"""sync/engine.py, sync/full.py, sync/incremental.py, sync/ratelimit.py, sync/report.py, heap.py and
sync/usage.py: which sync runs, how a full one splits its work, the rate limit, and what a sync reports."""

from __future__ import annotations

import gc
import random
import time

import pytest

from console.domain.events import EVENT_WINDOW_S
from console.errors import RateLimited
from console.heap import collector_paused
from console.pacing import TokenBucket
from console.sandbox.app import Sandbox
from console.store import Cache
from console.stripe_gateway import StripeGateway
from console.sync import usage
from console.sync.engine import sync
from console.sync.incremental import CursorExpired, incremental_sync
from console.sync.ranges import EPOCH_FLOOR, plan_ranges, recent_first, whole_pages
from console.sync.ratelimit import CONCURRENCY, MAX_CONCURRENCY, with_backoff, workers_for
from console.sync.report import SyncReport


@pytest.fixture
def cache(tmp_path):
    made = Cache(tmp_path / "c.sqlite3")
    yield made
    made.close()


def test_full_sync_ranges_are_disjoint_and_cover_the_span():
    ranges = plan_ranges(1000, 2001, 8)
    assert ranges[0]["gte"] == 1000 and ranges[-1]["lt"] == 2001
    assert all(a["lt"] == b["gte"] for a, b in zip(ranges, ranges[1:], strict=False))
    assert len(ranges) <= 8 and not any(r["done"] or r["after"] for r in ranges)
    assert plan_ranges(5, 6, 8) == [{"gte": 5, "lt": 6, "after": None, "done": False}]


def test_ranges_fall_where_the_data_is_when_the_cache_knows_it():
    # most subscriptions created lately (a growing account): equal slices of time would leave most ranges empty
    seen = sorted([1000 + i for i in range(10)] + [1900 + i % 100 for i in range(390)])
    ranges = plan_ranges(1000, 2001, 4, seen)
    counts = [sum(r["gte"] <= t < r["lt"] for t in seen) for r in ranges]
    assert ranges[0]["gte"] == 1000 and ranges[-1]["lt"] == 2001 and len(ranges) == 4
    assert max(counts) - min(counts) <= 10  # about a quarter each
    assert plan_ranges(1000, 2001, 4, seen[:5]) == plan_ranges(1000, 2001, 4)  # too little known: slices of time


def test_a_later_full_sync_cuts_what_was_listed_into_ranges_of_whole_pages():
    """1,655 listed over 8 workers: ceil(17 pages / 8) = 3 pages a range, so 5 ranges of 300 and the newest with 155
    (and what was made since): 17 pages in all, where 8 equal shares of 207 would have read 24."""
    now = EPOCH_FLOOR + 2_000_000
    seen = sorted(EPOCH_FLOOR + 1_000_000 + (i * 7919) % 500_000 for i in range(1655))  # distinct times
    ranges = whole_pages(EPOCH_FLOOR, now, 8, seen)
    counts = [sum(r["gte"] <= t < r["lt"] for t in seen) for r in ranges]
    assert counts == [300] * 5 + [155] and ranges[0]["gte"] == EPOCH_FLOOR and ranges[-1]["lt"] == now
    assert all(a["lt"] == b["gte"] for a, b in zip(ranges, ranges[1:], strict=False))
    assert sum(-(-n // 100) for n in counts) == 17
    small = whole_pages(EPOCH_FLOOR, now, 8, seen[:150])  # fewer pages than workers: a page a range
    assert [sum(r["gte"] <= t < r["lt"] for t in seen[:150]) for r in small] == [100, 50]


def test_a_first_sync_reads_recent_weeks_in_short_ranges_and_old_years_in_long_ones():
    day, now = 86400, 1_800_000_000
    ranges = recent_first(now - 400 * day, now)
    assert ranges[0]["gte"] == now - 400 * day and ranges[-1]["lt"] == now
    assert all(a["lt"] == b["gte"] for a, b in zip(ranges, ranges[1:], strict=False))
    widths = [r["lt"] - r["gte"] for r in ranges]
    assert widths[-1] == 7 * day and widths[-2] == 14 * day and widths[-3] == 28 * day  # each twice the one after it
    assert len(ranges) == 6  # 7 + 14 + … + 112 days, then the rest: six requests to learn where 400 days of data are


def test_requests_in_flight_follow_the_latency_within_bounds():
    assert workers_for(25, 0.06) == CONCURRENCY  # fast network: the floor
    assert workers_for(25, 0.3) == 12 and workers_for(40, 0.1) == 10  # rate × (latency + a page's serving)
    assert workers_for(100, 5.0) == MAX_CONCURRENCY


def test_the_token_bucket_allows_a_burst_then_the_rate():
    now = [0.0]
    bucket = TokenBucket(rate=10, capacity=2, clock=lambda: now[0])
    bucket.acquire()
    bucket.acquire()  # the burst
    assert bucket.due == pytest.approx(0.2)  # the next goes one interval after the burst's last
    now[0] += 0.1  # one token's worth of time
    start = time.monotonic()
    bucket.acquire()
    assert time.monotonic() - start < 0.05  # no wait: the token had come
    assert TokenBucket(rate=25).capacity == 1  # no burst: a sliding window of 25 a second never sees 26


def test_the_token_bucket_hands_out_times_in_the_order_asked_never_faster_than_the_rate():
    """GCRA: each acquire() is given its own time under the lock, 1/rate after the one before it, and sleeps until
    then: one asked later never goes first (a reader of pages one after another was starved by a dozen threads
    retrying for the next free token), and an idle bucket lets the next go at once, with no burst after."""
    now, slept = [0.0], []
    bucket = TokenBucket(rate=50, clock=lambda: now[0], sleep=slept.append)
    for _ in range(4):  # four threads asking at the same moment, in this order
        bucket.acquire()
    assert slept == pytest.approx([0.02, 0.04, 0.06])  # the first at once, then 20 ms apart
    now[0] = 10.0  # idle for a while
    slept.clear()
    bucket.acquire()
    bucket.acquire()
    assert slept == pytest.approx([0.02])  # the first at once, the second one interval later: never 2 at once


def test_bulk_requests_wait_for_the_schedule_to_be_one_slot_from_its_end_so_pages_go_first():
    """Many independent reads (each_under: bulk) book no further ahead than the next slot: a page the next page waits
    for, asking meanwhile, is given the slot after it, never one behind a hundred of them."""
    now, slept = [0.0], []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now[0] += seconds

    bucket = TokenBucket(rate=10, clock=lambda: now[0], sleep=slept.append)
    for _ in range(5):  # pages booked at 0.0 … 0.4 (their threads sleep; this clock stays)
        bucket.acquire()
    bucket.sleep = sleep
    slept.clear()
    bucket.acquire(bulk=True)  # the schedule ends at 0.5: it waits until that is one slot away, then takes 0.5
    assert slept == [0.4, 0.1] and now[0] == 0.5
    slept.clear()
    bucket.acquire()  # a page asking at 0.5 goes at 0.6, right after
    assert slept == [0.1]


def test_a_429_is_retried_with_backoff_and_the_last_one_is_raised():
    calls = []

    def limited():
        calls.append(1)
        if len(calls) < 3:
            raise RateLimited("Too many requests")
        return "page"

    bucket = TokenBucket(rate=1000, capacity=100)
    assert with_backoff(limited, bucket, base_s=0.001, rng=random.Random(1)) == "page" and len(calls) == 3
    with pytest.raises(RateLimited):
        with_backoff(lambda: (_ for _ in ()).throw(RateLimited("again")), bucket, attempts=2, base_s=0.001)


def test_a_sync_report_says_what_changed_in_the_queue():
    report = SyncReport("full", pages=1, subscriptions=120, queue_before={"a", "b"}, queue_after={"b", "c", "d"})
    assert (report.joined, report.left) == (2, 1)
    assert report.summary() == "Full sync: 120 subscriptions in 1 page. Queue: 3 pending cancellations (2 new, 1 left)."
    inc = SyncReport("incremental", events=1, fallback_reason=None, skipped=["usage"], notes=["older API version"])
    assert inc.summary() == (
        "Incremental sync: 1 event. Skipped: usage. Note: older API version. Queue: 0 pending cancellations (0 new, 0 left)."
    )
    assert "(resumed an interrupted sync)" in SyncReport("full", resumed=True).summary()
    invoices = SyncReport("incremental", invoice_events=3, ledger_read=2, invoice_reads="one list per saved subscription")
    assert invoices.summary().endswith("Invoices: 3 events, 2 saves read.")
    assert "invoice" not in SyncReport("incremental").summary()  # a quiet sync says nothing of them


def test_overlapping_syncs_share_one_pause_of_the_collector():
    assert gc.isenabled()
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the other sync still runs
    assert gc.isenabled()


def test_no_cursor_or_one_older_than_stripes_window_needs_a_full_sync_before_any_request(cache):
    nowhere = StripeGateway("rk_test_" + "x" * 24, "http://127.0.0.1:9")  # nothing listens: a request would fail
    with pytest.raises(CursorExpired, match="first sync"):
        incremental_sync(nowhere, cache)
    now = int(time.time())
    cache.set_meta("events_cursor", {"id": "evt_1", "at": now - EVENT_WINDOW_S})
    with pytest.raises(CursorExpired, match="30-day event window"):
        incremental_sync(nowhere, cache, now)
    report = SyncReport("incremental")
    assert usage.read_latest(nowhere, cache, TokenBucket(10), report) == 0  # nothing metered pending: no request


def test_the_engine_runs_full_first_then_incremental_and_full_again_when_the_cursor_is_too_old(cache):
    with Sandbox(seed=3, customers=25) as sb:
        gateway = StripeGateway(sb.key, sb.url)
        first = sync(gateway, cache)
        assert first.kind == "full" and first.fallback_reason == "first sync" and first.queue_after
        assert cache.get_meta("events_cursor") is not None and cache.get_meta("full_sync") is None
        second = sync(gateway, cache)
        assert second.kind == "incremental" and second.queue_after == first.queue_after
        asked = sync(gateway, cache, full=True)
        assert asked.kind == "full" and asked.fallback_reason is None
        cursor = cache.get_meta("events_cursor")
        cache.set_meta("events_cursor", {**cursor, "at": int(time.time()) - EVENT_WINDOW_S - 10})
        fallback = sync(gateway, cache)
        assert fallback.kind == "full" and "30-day event window" in fallback.fallback_reason


def test_a_sync_that_finds_nothing_changes_nothing_and_builds_no_rows(tmp_path):
    from console.domain.action import Consent
    from console.domain.offers import RevokeOffer
    from console.services import operations
    from console.services.changes import AFTER_SYNC, NOTHING
    from console.services.workspace import Workspace

    with Sandbox(seed=3, customers=25) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        first = operations.sync(ws)
        assert first.result.kind == "full" and first.changes == AFTER_SYNC
        quiet = operations.sync(ws)
        assert quiet.result.kind == "incremental" and quiet.result.events == 0 and quiet.changes == NOTHING
        assert quiet.result.queue_after == first.result.queue_after == ws.cache.pending_ids()
        sub_id = sorted(quiet.result.queue_after)[0]
        operations.apply_offer(ws, "Dana", sub_id, RevokeOffer(), Consent("call"))
        after = operations.sync(ws)  # the save's own event
        assert after.result.events >= 1 and after.changes == AFTER_SYNC and sub_id not in after.result.queue_after
        ws.close()


def test_a_sync_killed_between_reading_usage_and_valuing_it_reads_it_again(cache, monkeypatch):
    """Usage stored but not yet valued would never be valued again (the next sync asks only for usage it
    lacks): the two commit together, so a kill between them leaves neither (tests/reliability's kill test
    found an open intent's MRR at stake stuck at the plan's base fee)."""
    with Sandbox(seed=3, customers=300) as sb:
        gateway = StripeGateway(sb.key, sb.url)

        def killed(self, sub_ids):
            raise KeyboardInterrupt  # what SIGKILL does to the rest of the run

        with monkeypatch.context() as patched:
            patched.setattr(Cache, "revalue", killed)
            with pytest.raises(KeyboardInterrupt):
                sync(gateway, cache)
        metered = cache.pending_metered()
        assert metered and not cache.subscriptions_with_usage()  # nothing half-done is kept
        sync(gateway, cache)  # resumes the interrupted full sync
        assert cache.subscriptions_with_usage() >= metered
        for sub_id in metered:
            intent = cache.open_intent(sub_id)
            sub = cache.subscription(sub_id)
            assert intent is not None and sub is not None
            assert intent["mrr_minor"] == sub.mrr_minor > sub.items[0].unit_amount * (sub.items[0].quantity or 1)


def test_no_page_is_committed_after_one_whose_commit_failed():
    """A commit that raises (a full disk) stops the read under the same lock: another worker's page, fetched while it
    was failing, is not stored after it (it had been, valued without what the failed commit was storing first)."""
    import threading as _threading

    from console.sync.ranges import RangeReader, new_range

    committing, committed = _threading.Event(), []

    def page(rng):
        if rng["gte"] == 1:
            assert committing.wait(5)  # the second range's page comes in while the first's commit is failing
        return [rng["gte"]], False, (f"obj_{rng['gte']}", rng["gte"])

    def commit(rng, objects, update, split):
        committed.append(rng["gte"])
        if rng["gte"] == 0:
            committing.set()
            time.sleep(0.2)  # the other worker now waits for the lock with its page
            raise OSError("database or disk is full")

    ranges = [new_range(0, 1), new_range(1, 2)]
    with pytest.raises(OSError, match="disk is full"):
        RangeReader(ranges, page, commit, bucket=TokenBucket(1000.0), workers=2).run()
    assert committed == [0] and not ranges[0]["done"] and not ranges[1]["done"]
