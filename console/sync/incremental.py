"""Incremental sync: the events since the stored cursor, applied in one transaction with the cursor."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..domain.events import CURSOR_PARAMS, cursor_holds
from ..errors import InvalidRequest, NotFound
from ..pacing import LIVE_MODE_RATE, TEST_MODE_RATE
from ..store import Cache
from . import invoices
from .apply import apply_changes
from .ratelimit import workers_for
from .report import SyncReport

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


class CursorExpired(Exception):
    """The events since the cursor are no longer all available: a full sync is needed."""


def incremental_sync(gateway: StripeGateway, cache: Cache, now: int | None = None) -> tuple[SyncReport, invoices.Stream]:
    """The events since the cursor, and beside them (at once: one round trip) the invoice events since theirs, which
    are returned for the invoice pass (sync/invoices.py)."""
    now = now or int(time.time())
    cursor = cache.get_meta("events_cursor")
    if not cursor:
        raise CursorExpired("first sync")
    if not cursor_holds(cursor["at"], now):
        raise CursorExpired("the last sync is older than Stripe's 30-day event window")
    report = SyncReport("incremental", queue_before=cache.pending_ids())
    try:
        asked = time.perf_counter()
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="invoice-events") as pool:
            invoice_changes = pool.submit(invoices.read_stream, gateway, cache, now)
            changes = gateway.changes_after(cursor.get("id"), since=cursor["at"])
            beside = invoice_changes.result()
        pages = 1 + len(changes) // 100  # its round trip, for the reads after it (Little's law: ratelimit.py)
        rate = LIVE_MODE_RATE if gateway.livemode else TEST_MODE_RATE
        report.workers = workers_for(rate, (time.perf_counter() - asked) / pages)
    except NotFound as exc:
        raise CursorExpired("Stripe no longer has the event the last sync stopped at") from exc
    except InvalidRequest as exc:  # the same, worded as a 400 naming the cursor: whatever the shape, list again
        if exc.param not in CURSOR_PARAMS:
            raise
        raise CursorExpired("Stripe no longer takes the event the last sync stopped at") from exc
    with cache.transaction():
        report.events = apply_changes(cache, changes, gateway=gateway)
        if changes:
            last = changes[-1]
            cache.set_meta("events_cursor", {"id": last.id, "at": int(last.created.timestamp())})
        cache.set_meta("last_sync_at", now)
    report.touched = {c.subscription.id for c in changes if c.subscription is not None}
    report.queue_after = cache.pending_ids() if changes else set(report.queue_before)
    return report, beside
