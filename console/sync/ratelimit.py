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


class TokenBucket:
    """`rate` tokens per second, bursts up to `capacity`; acquire() blocks until a token is free."""

    def __init__(self, rate: float, capacity: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate / 5)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = self.clock()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


def with_backoff(
    fn: Callable[[], T], bucket: TokenBucket, *, attempts: int = 6, base_s: float = 0.5, rng: random.Random | None = None
) -> T:
    """Call `fn` under the bucket; on a 429, wait (exponential, with jitter) and try again."""
    rng = rng or random.Random()
    for attempt in range(attempts):
        bucket.acquire()
        try:
            return fn()
        except RateLimited:
            if attempt == attempts - 1:
                raise
            time.sleep(base_s * (2**attempt) * (0.5 + rng.random()))
    raise AssertionError("unreachable")


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
    ids: Iterable[str], read: Callable[[str], T], bucket: TokenBucket, *, workers: int, name: str
) -> list[tuple[str, T]] | PermissionMissing:
    """`read(id)` for each id (in sorted order), `workers` at a time, each under the bucket with backoff: the pairs
    read, or the PermissionMissing that stopped them (the caller skips what it needed the permission for)."""
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
            return list(pool.map(lambda i: (i, with_backoff(lambda: read(i), bucket)), sorted(ids)))
    except PermissionMissing as exc:
        return exc
