"""Backoff for 429s, and reads fanned out under the sync's token bucket (console/pacing.py): stay under the rate limit."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import PermissionMissing, RateLimited
from ..pacing import TokenBucket

T = TypeVar("T")


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
