"""What a full sync reads before its first page, started with it, or beside the account check when a full sync is
known to follow (the first sync in a data dir, or `sync --full`): one round trip less before the queue."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..errors import PermissionMissing
from ..pacing import HEADROOM, LIVE_MODE_RATE, TEST_MODE_RATE, TokenBucket
from .invoices import Stream, fresh_stream
from .ratelimit import with_backoff
from .report import SyncReport

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..domain.models import Coupon, PortalConfigSummary
    from ..domain.mrr import PriceTiers
    from ..stripe_gateway import StripeGateway

T = TypeVar("T")
Cursor = tuple[str, int] | None


def sync_bucket(gateway: StripeGateway) -> TokenBucket:
    """One bucket for a whole sync (sync/engine.py), at HEADROOM of the key's mode's rate (known from the key)."""
    return TokenBucket(HEADROOM * (LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE))


@dataclass
class Opening:
    """The opening round's reads, in flight: the events cursor (timed: its round trip sizes the requests in flight;
    None when resuming, which keeps its own), coupons and the tiered prices' tiers (MRR is valued with them, so they
    must be in before the first page is stored), the portal configurations, and (`stream`, for a cache that cannot
    hold an invoice cursor yet) the newest invoice event. Under the sync's `bucket`, which the sync then goes on with.
    """

    bucket: TokenBucket
    newest: Future[tuple[Cursor | PermissionMissing, float]] | None
    coupons: Future[list[Coupon]]
    tiers: Future[list[PriceTiers]]
    configs: Future[list[PortalConfigSummary]]
    stream: Future[Stream] | None
    _pool: ThreadPoolExecutor

    @classmethod
    def start(
        cls, gateway: StripeGateway, bucket: TokenBucket | None = None, *, cursor: bool = True, stream: bool = False
    ) -> Opening:
        bucket = bucket if bucket is not None else sync_bucket(gateway)
        pool = ThreadPoolExecutor(max_workers=5, thread_name_prefix="open")
        try:
            return cls(
                bucket,
                pool.submit(_timed, gateway.newest_event) if cursor else None,
                pool.submit(with_backoff, gateway.coupons, bucket),
                pool.submit(with_backoff, gateway.price_tiers, bucket),
                pool.submit(with_backoff, gateway.portal_configurations, bucket),
                pool.submit(fresh_stream, gateway) if stream else None,
                pool,
            )
        finally:
            pool.shutdown(wait=False)  # its threads end with their reads; nothing more is submitted

    def close(self) -> None:
        """Not used after all (the account check failed, or no full sync came): what has not started never will."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def cursor(self, report: SyncReport) -> tuple[Cursor, float]:
        """The events cursor and its round trip (None, with the report saying so, when the key may not read events)."""
        assert self.newest is not None  # started with cursor=True
        found, latency = self.newest.result()
        if isinstance(found, PermissionMissing):
            report.skipped.append(f"the events cursor ({found.message})")
            return None, latency
        return found, latency


def _timed(fn: Callable[[], Cursor]) -> tuple[Cursor | PermissionMissing, float]:
    """The read and its round trip; a refusal is a round trip too (it sizes the requests in flight all the same)."""
    began = time.perf_counter()
    try:
        found: Cursor | PermissionMissing = fn()
    except PermissionMissing as exc:
        found = exc
    return found, time.perf_counter() - began


def got(future: Future[T], what: str, report: SyncReport) -> T | None:
    """A read the key may lack permission for: its result, or None (and the report says what was skipped)."""
    return optional(future.result, what, report)


def optional(fn: Callable[[], T], what: str, report: SyncReport) -> T | None:
    """Read what the key may lack permission for; skip it (and say so) rather than fail the sync."""
    try:
        return fn()
    except PermissionMissing as exc:
        report.skipped.append(f"{what} ({exc.message})")
        return None
