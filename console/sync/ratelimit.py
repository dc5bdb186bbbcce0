"""A token bucket shared by sync's threads, and backoff for 429s: stay under the account's rate limit."""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import PermissionMissing, RateLimited

T = TypeVar("T")
TEST_MODE_RATE = 25.0  # requests per second Stripe allows in test mode
LIVE_MODE_RATE = 100.0
# The share of that rate a sync asks for. Requests spaced exactly 1/rate apart reach Stripe with our threads' jitter,
# and a second's window then holds one too many: a 2,000-customer sync at 300 ms met 8-9 429s at the whole rate
# (each a request lost and a backoff), none at 98% or 96% in three runs each, and 98% was 0.3 s faster
# (tests/benchmarks/bench_sync.py). At 98% a window of a second holds 24.5 slots: a request must come 20 ms late
# against the next for the 26th to land in one.
HEADROOM = 0.98


class TokenBucket:
    """`rate` requests per second, bursts up to `capacity`, each given its own time as it asks (a virtual schedule,
    GCRA: one 1/rate after the one before) and sleeping until then. A thread is never overtaken by ones asking after
    it: a reader of pages one after another was starved by a dozen retrying for the next free token, its last pages
    seconds after the rest (tests/benchmarks/bench_sync.py).

    `bulk` requests (many independent reads: each_under) book no further ahead than the next slot, and wait for it
    otherwise: a page that the next page waits for (a range, the events) never queues behind a hundred of them, and
    they fill the slots those leave."""

    def __init__(
        self,
        rate: float,
        capacity: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else 1.0
        self.clock, self.sleep = clock, sleep
        self.due = clock()  # the next request's time at the rate (GCRA's theoretical arrival time)
        self._lock = threading.Lock()

    def acquire(self, *, bulk: bool = False) -> None:
        while True:
            with self._lock:
                now = self.clock()
                at = max(now, self.due - (self.capacity - 1) / self.rate)  # up to capacity - 1 early: the burst
                if not bulk or at - now <= 1 / self.rate:
                    self.due = max(self.due, at) + 1 / self.rate
                    break
                wait = at - now - 1 / self.rate  # until the schedule's end is one slot away
            self.sleep(wait)
        if at > now:
            self.sleep(at - now)


def with_backoff(
    fn: Callable[[], T], bucket: TokenBucket, *, attempts: int = 6, base_s: float = 0.5, rng: random.Random | None = None,
    bulk: bool = False,
) -> T:  # fmt: skip
    """Call `fn` under the bucket (`bulk`: TokenBucket.acquire); on a 429, wait (exponential, with jitter) and try
    again."""
    rng = rng or random.Random()
    for attempt in range(attempts):
        bucket.acquire(bulk=bulk)
        try:
            return fn()
        except RateLimited:
            if attempt == attempts - 1:
                raise
            time.sleep(base_s * (2**attempt) * (0.5 + rng.random()))
    raise AssertionError("unreachable")


def paced_by(bucket: TokenBucket, *, bulk: bool = False) -> Callable[[Callable[[], T]], T]:
    """For a read of several pages (the gateway's `paced`): each page's request under the bucket, with its own
    backoff. Under one token for the whole read, its later pages went past the rate limit (429s, then a read of
    every page again after the backoff)."""
    return lambda request: with_backoff(request, bucket, bulk=bulk)


CONCURRENCY = 8  # requests in flight when the latency is unknown (events backfill), and the fewest a sync uses
MAX_CONCURRENCY = 16
PAGE_SERVICE_S = 0.15  # what a full page adds to the probe's round trip (measured on the sandbox)


def workers_for(rate: float, latency_s: float) -> int:
    """Requests in flight to keep the rate limit busy (Little's law: rate × the time a request takes). The
    probe's one-object lists measure the round trip; a page of 100 expanded subscriptions also takes its
    serving and reading (about 150 ms on the sandbox; more workers than needed only wait on the bucket).
    A full sync's pages and the per-subscription reads after them (usage, the save ledger) all use it: at 300 ms
    the ledger's 4 in flight had kept the bucket half idle (issue 32)."""
    return max(CONCURRENCY, min(MAX_CONCURRENCY, math.ceil(rate * (latency_s + PAGE_SERVICE_S))))


def each_under(
    ids: Iterable[str], read: Callable[[str], T], bucket: TokenBucket, *, workers: int, name: str, paced: bool = False
) -> list[tuple[str, T]] | PermissionMissing:
    """`read(id)` for each id (in sorted order), `workers` at a time, each under the bucket with backoff (`paced`:
    `read` puts each of its pages under it itself, paced_by): the pairs read, or the PermissionMissing that stopped
    them (the caller skips what it needed the permission for)."""
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
            one = (lambda i: (i, read(i))) if paced else (lambda i: (i, with_backoff(lambda: read(i), bucket, bulk=True)))
            return list(pool.map(one, sorted(ids)))
    except PermissionMissing as exc:
        return exc
