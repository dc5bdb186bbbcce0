"""Injected latency, rate limiting and faults, all drawn from a seeded RNG."""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class FaultConfig:
    """What to inject. Rates are fractions of requests (0.1 = 10%)."""

    latency_ms: float = 0.0
    rate_limit: float = 0.0  # requests per second for the account (Stripe: 25 in test mode, 100 live); 0 = unlimited
    # With a rate limit, each endpoint (a method and a route, whatever the id) has its own as well, counted against the
    # account's: "API endpoints have a default limit of 25 requests per second", https://docs.stripe.com/rate-limits
    endpoint_rate_limit: float = 25.0
    error_rate: float = 0.0  # 500 api_error before the request runs
    throttle_rate: float = 0.0  # random 429s on top of the rate limit
    drop_rate: float = 0.0  # connection closed after the request ran (response lost)
    seed: int = 7
    drop_next: int = 0  # deterministic: drop the next N responses after running the requests
    fail_next: int = 0  # deterministic: answer the next N requests with a 500 before running them
    write_latency_ms: float = 0.0  # added to POSTs only: a write that outlives a client's timeout, reads still quick
    # deterministic: answer the next N writes 429 `lock_timeout` before running them, as Stripe does while another
    # request or process holds the object (the SDK's generated error codes list it; stripe-python retries it when
    # Stripe-Should-Retry says so: _http_client._should_retry, "in cases of lock timeouts")
    lock_next: int = 0


@dataclass
class Decision:
    """What to do with one request."""

    status: int | None = None  # 429 or 500 to answer without running it
    drop: bool = False
    code: str = "rate_limit"  # a 429's: the rate limit's, or `lock_timeout`


@dataclass
class Faults:
    """Thread-safe fault injector shared by all request threads."""

    config: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.config.seed)
        self._recent: deque[float] = deque()
        self._endpoints: dict[str, deque[float]] = {}

    def configure(self, **changes: float) -> None:
        with self._lock:
            for key, value in changes.items():
                if not hasattr(self.config, key):
                    raise ValueError(f"unknown fault setting: {key}")
                setattr(self.config, key, type(getattr(self.config, key))(value))
            if "seed" in changes:
                self._rng = random.Random(int(changes["seed"]))
            self._recent.clear()
            self._endpoints.clear()

    def decide(self, endpoint: str = "") -> Decision:
        """Draw this request's fate; the rate limits (the account's, then `endpoint`'s) count only requests they let
        through. Each is a window of the last second, a stricter reading than a bucket that allows bursts."""
        with self._lock:
            c = self.config
            if c.fail_next > 0:
                c.fail_next -= 1
                return Decision(status=500)
            if c.lock_next > 0 and endpoint.startswith("POST "):
                c.lock_next -= 1
                return Decision(status=429, code="lock_timeout")
            if c.drop_next > 0:
                c.drop_next -= 1
                return Decision(drop=True)
            roll = self._rng.random()
            drop = self._rng.random() < c.drop_rate
            if c.rate_limit > 0:
                now = time.monotonic()
                mine = self._endpoints.setdefault(endpoint, deque())
                if _full(self._recent, now, c.rate_limit) or _full(mine, now, c.endpoint_rate_limit or c.rate_limit):
                    return Decision(status=429)
                self._recent.append(now)
                mine.append(now)
            if roll < c.error_rate:
                return Decision(status=500)
            if roll < c.error_rate + c.throttle_rate:
                return Decision(status=429)
            return Decision(drop=drop)

    def delay(self, method: str = "GET") -> None:
        """Sleep the injected latency (outside any lock, so requests overlap)."""
        wait = self.config.latency_ms + (self.config.write_latency_ms if method == "POST" else 0.0)
        if wait > 0:
            time.sleep(wait / 1000.0)


def _full(recent: deque[float], now: float, limit: float) -> bool:
    """Whether the last second's requests (`recent`, dropping older ones) already number `limit`."""
    while recent and now - recent[0] >= 1.0:
        recent.popleft()
    return len(recent) >= limit
