"""A list read by disjoint `created` ranges, concurrently, splitting a range that proves long so that no worker idles."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ..pacing import TokenBucket
from .ratelimit import with_backoff

T = TypeVar("T")
DAY = 86400
WEEK = 7 * DAY
PAGE_SIZE = 100
EPOCH_FLOOR = 1_293_840_000  # 2011-01-01: nothing in Stripe is older
# A listing's newest range ends this far past this machine's clock, not a second past it: the cursor the listing pairs
# with was read at Stripe's time, and on a Stripe clock ahead of ours (by over a second) what was made just before
# that read had a `created` past our "now": outside every range, and its event not after the cursor, it was never
# read. `created[lt]` in the future is a plain filter to Stripe (https://docs.stripe.com/api/subscriptions/list).
AHEAD_S = DAY

Range = dict[str, Any]  # {"gte", "lt", "after", "done"}: [gte, lt) and the cursor within it (JSON, for checkpoints), and
# any key of the caller's (a full sync's "status"), which the ranges split from it keep
# page(range) -> (objects, has_more, (id, created) of the page's last (oldest) object listed, or None when it was empty)
Page = Callable[[Range], tuple[list[T], bool, tuple[str, int] | None]]


def new_range(gte: int, lt: int) -> Range:
    return {"gte": gte, "lt": lt, "after": None, "done": False}


def plan_ranges(start: int, end: int, parts: int, seen: list[int] | None = None) -> list[Range]:
    """Disjoint `created` ranges [gte, lt) covering start..end. With `seen` (the creation times the cache holds from
    the last sync, sorted) the cuts fall where the data is, so each range holds about as many objects; without,
    `parts` equal slices of time."""
    cuts: list[int] = []
    if seen and len(seen) >= parts * 10:
        cuts = sorted(c for c in {seen[len(seen) * i // parts] for i in range(1, parts)} if start < c < end)
    if not cuts:
        step = max(1, (end - start) // parts + 1)
        cuts = list(range(start + step, end, step))
    return _between([start, *cuts, end])


def whole_pages(start: int, end: int, parts: int, seen: list[int]) -> list[Range]:
    """About `parts` ranges covering start..end, each holding a whole number of pages of what `seen` says is there
    (the creation times the last sync listed, sorted): the same pages per range, as few as `parts` allow, and no
    range but the newest (where what was made since goes) ends on a part-filled page. Cut into equal shares instead
    (plan_ranges), each range had ended on one: at 2,000 customers 24-26 pages for 17 pages' worth."""
    per = PAGE_SIZE * max(1, -(-len(seen) // (PAGE_SIZE * parts)))  # a range's objects: whole pages, ceil(pages/parts)
    return _between([start, *sorted({c for c in seen[per::per] if start < c < end}), end])


def recent_first(start: int, end: int) -> list[Range]:
    """Ranges for a list nothing is known of yet: a week, then each range twice the one after it, back to `start`.
    An account's objects are mostly recent, so the newest ranges are short; an old range that proves long is split
    while it is read (RangeReader), and an empty one costs one request, read beside the others (no probing first:
    the bisection it replaces was a dozen round trips one after another, 3.6 s at 300 ms)."""
    cuts, width, cut = [], WEEK, end - WEEK
    while cut > start:
        cuts.append(cut)
        width *= 2
        cut -= width
    return _between([start, *reversed(cuts), end])


def _between(edges: list[int]) -> list[Range]:
    return [new_range(lo, hi) for lo, hi in zip(edges, edges[1:], strict=False) if lo < hi]


class RangeReader(Generic[T]):
    """Reads every range to its end, `workers` requests in flight under the bucket. A worker left without a range
    is given half of what a running range has left (split at the time between its start and its last object), so a
    long range never holds the sync to one request at a time. Each page is handed to `commit(range, objects,
    update, split)` under one lock, before anything shared moves: `update` is what the range becomes once that page is
    stored ({"after", "done", "gte"}), `split` the new range cut from it, or None. A commit that raises stops the
    read at once (no other page is committed after it), and the range stays where it was."""

    def __init__(
        self, ranges: list[Range], page: Page[T], commit: Callable[[Range, list[T], Range, Range | None], None], *,
        bucket: TokenBucket, workers: int, created_of: Callable[[T], int | None] = lambda _: None,
        reading: Callable[[Range], bool] = lambda _: True,
    ) -> None:  # fmt: skip
        self.ranges, self.page, self.commit, self.bucket, self.workers = ranges, page, commit, bucket, workers
        self.created_of = created_of  # an object's `created`, to measure how dense a page was (None: split when idle)
        # `reading`: which of `ranges` this run reads (a split keeps its range's other keys, so it is read with it)
        self.pending = deque(r for r in ranges if not r["done"] and reading(r))
        self.cond = threading.Condition()
        self.active = self.idle = 0
        self.errors: list[BaseException] = []

    def run(self) -> None:
        threads = [threading.Thread(target=self._work, name=f"range-{i}", daemon=True) for i in range(self.workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.errors:
            raise self.errors[0]

    def _work(self) -> None:
        while (rng := self._next()) is not None:
            try:
                self._read(rng)
            except BaseException as exc:  # noqa: BLE001 - re-raised by run(), in the caller's thread
                with self.cond:
                    self.errors.append(exc)
            finally:
                with self.cond:
                    self.active -= 1
                    self.cond.notify_all()

    def _next(self) -> Range | None:
        with self.cond:
            while not self.pending and self.active and not self.errors:
                self.idle += 1
                self.cond.wait()
                self.idle -= 1
            if self.errors or not self.pending:
                return None
            self.active += 1
            return self.pending.popleft()

    def _worth_splitting(self, rng: Range, objects: list[T], last: tuple[str, int]) -> bool:
        """Whether what is left of the range holds at least two more pages, as dense as the one just read (its first
        object's `created` to its last): each half of a split ends on a part-filled page, one request more."""
        left = last[1] - int(rng["gte"])
        if left < 2:
            return False
        first = self.created_of(objects[0]) if objects else None
        if first is None or first <= last[1]:
            return True  # a page made within one second: as dense as can be
        return left / (first - last[1]) * len(objects) >= 2 * PAGE_SIZE

    def _read(self, rng: Range) -> None:
        while not rng["done"]:
            objects, more, last = with_backoff(lambda: self.page(rng), self.bucket)
            with self.cond:
                if self.errors:
                    return
                update: Range = {**rng, "done": not more, "after": last[0] if last else rng["after"]}
                split = None
                if more and self.idle and not self.pending and last is not None and self._worth_splitting(rng, objects, last):
                    mid = rng["gte"] + (last[1] - rng["gte"]) // 2  # gte < mid <= its last: the cursor stays in range
                    split, update["gte"] = {**rng, **new_range(rng["gte"], mid)}, mid
                try:
                    self.commit(rng, objects, update, split)
                except BaseException as exc:  # noqa: BLE001 - re-raised by run(), in the caller's thread
                    self.errors.append(exc)  # under the lock: no page is stored after one whose commit failed
                    self.cond.notify_all()
                    return
                rng.update(update)
                if split is not None:
                    self.ranges.append(split)
                    self.pending.append(split)
                    self.cond.notify()
