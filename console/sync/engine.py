"""Choose incremental or full sync, and run it."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..errors import PermissionMissing
from ..store import Cache
from . import ledger
from .full import BACKFILLED, backfill, full_sync
from .incremental import CursorExpired, incremental_sync
from .ratelimit import LIVE_MODE_RATE, TEST_MODE_RATE, TokenBucket
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


def sync(
    gateway: StripeGateway, cache: Cache, *, full: bool = False, progress: Progress = no_progress, now: int | None = None
) -> SyncReport:
    """Incremental when the cursor allows it; otherwise (or when asked, or to finish an interrupted one) full."""
    if not full and cache.get_meta("full_sync") is None:
        try:
            report = incremental_sync(gateway, cache, now)
            if cache.get_meta(BACKFILLED) is None:  # a first sync was stopped before its backfill
                backfill(gateway, cache, now or int(time.time()))
            _save_ledger(gateway, cache, report, now)
            progress(1, 1, "Up to date")
            return report
        except CursorExpired as exc:
            reason = str(exc)
        except PermissionMissing:
            reason = "this key cannot read events, so every sync lists everything"
    else:
        reason = "resuming" if cache.get_meta("full_sync") else "asked for"
    report = full_sync(gateway, cache, progress, now)
    if reason not in ("asked for", "resuming"):
        report.fallback_reason = reason
    _save_ledger(gateway, cache, report, now)
    return report


LEDGER_EVERY_S = 600  # a quiet sync looks for saves whose invoices are due at most this often


def _save_ledger(gateway: StripeGateway, cache: Cache, report: SyncReport, now: int | None) -> None:
    """Last, when every intent (customers' own revokes from the backfill too) is known: the invoices of the saves
    that are due. After a sync that changed nothing, only every LEDGER_EVERY_S: looking is one query over the
    saves (0.28 s for 80,000 of them), and a quiet sync runs every few seconds."""
    now = now or int(time.time())
    last = cache.get_meta("ledger_at")
    if report.kind == "incremental" and not report.events and last is not None and now - last < LEDGER_EVERY_S:
        return
    bucket = TokenBucket(LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE)
    ledger.read_save_invoices(gateway, cache, bucket, report, now=now)
    cache.set_meta("ledger_at", now)
