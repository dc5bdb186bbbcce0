"""Request pacing under Stripe's rate limits: the account's, and each endpoint's of its own (no I/O but sleeping)."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable

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
        at, now = self.schedule(bulk=bulk)
        if at > now:
            self.sleep(at - now)

    def schedule(self, *, bulk: bool = False) -> tuple[float, float]:
        """The next request's time on the schedule, taken, and the clock when it was: (at, now)."""
        while True:
            with self._lock:
                now = self.clock()
                at = max(now, self.due - (self.capacity - 1) / self.rate)  # up to capacity - 1 early: the burst
                if not bulk or at - now <= 1 / self.rate:
                    self.due = max(self.due, at) + 1 / self.rate
                    return at, now
                wait = at - now - 1 / self.rate  # until the schedule's end is one slot away
            self.sleep(wait)


# Each endpoint's own limit, in both modes, counted against the account's as well: "API endpoints have a default limit
# of 25 requests per second", and each named operation is one endpoint (GET /v1/payment_intents/{id} for any id is
# one), https://docs.stripe.com/rate-limits. In live mode the account's 100/s is not what one listing may use.
ENDPOINT_RATE = 25.0
# In any second, two to spare: a request reaches Stripe some milliseconds after its time, and a late one beside the
# next second's burst counts in both. A live-mode first sync of 2,000 customers at 150 ms met 7 429s in 320 requests
# at 24 a second, 0-2 at 23 (three runs; the sandbox's window).
ENDPOINT_LIMIT = int(ENDPOINT_RATE) - 2
ENDPOINT_SPACING = 0.5 / ENDPOINT_RATE  # 20 ms: a second's 23 spread over half of it, a small sync's few not 41 ms apart
_ID = re.compile(r"[a-z]+_[A-Za-z0-9]*[A-Z0-9][A-Za-z0-9]*")  # sub_1Abc…, not invoice_payments or v1


def endpoint(method: str, path: str) -> str:
    """The endpoint a request counts against: its method and path, with the objects' ids taken out."""
    return f"{method.upper()} " + "/".join("{id}" if _ID.fullmatch(part) else part for part in path.split("/"))


class Window:
    """At most `limit` requests in any `width` seconds, and `spacing` apart: each request is given its time under a
    lock, in the order asked, no sooner than `width` after the `limit`-th before it nor `spacing` after the last, and
    sleeps until then. The sandbox's limiter is such a window (stricter than a token bucket whose burst is the rate).
    The spacing spreads a burst: a second's worth sent at once met the next second's at Stripe whenever one of them
    came late (4 429s in 168 requests with the tests running beside, at no spacing)."""

    def __init__(
        self, limit: int, width: float = 1.0, spacing: float = 0.0, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:  # fmt: skip
        self.limit, self.width, self.spacing, self.clock, self.sleep = limit, width, spacing, clock, sleep
        self.times: deque[float] = deque(maxlen=limit)  # the last `limit` requests' times
        self._lock = threading.Lock()

    def acquire(self) -> None:
        at, now = self.schedule()
        if at > now:
            self.sleep(at - now)

    def schedule(self) -> tuple[float, float]:
        """The next request's time under the window, taken, and the clock when it was: (at, now)."""
        with self._lock:
            now = self.clock()
            at = max(now, self.times[-1] + self.spacing) if self.times else now
            if len(self.times) == self.limit:
                at = max(at, self.times[0] + self.width)
            self.times.append(at)
        return at, now


class EndpointPacer:
    """A Window per endpoint, ENDPOINT_LIMIT requests a second, for every request a client makes. A sync paces the
    account's rate itself (sync/ratelimit.py), but in live mode (100/s) a listing's sixteen pages in flight, or the
    saves' invoices read side by side, passed their endpoint's 25: at 2,000 customers a third of a first sync's
    requests were answered 429 (the sandbox in live mode at 150 ms). A window, not a bucket: a small sync's
    few requests to one endpoint go 20 ms apart (Window's spacing), not a bucket's 41."""

    def __init__(
        self, limit: int = ENDPOINT_LIMIT, clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:  # fmt: skip
        self.limit, self.clock, self.sleep = limit, clock, sleep
        self._windows: dict[str, Window] = {}
        self._lock = threading.Lock()

    def acquire(self, method: str, path: str) -> None:
        key = endpoint(method, path)
        with self._lock:
            if (window := self._windows.get(key)) is None:
                window = self._windows[key] = Window(self.limit, spacing=ENDPOINT_SPACING, clock=self.clock, sleep=self.sleep)
        window.acquire()
