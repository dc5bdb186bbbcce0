"""Full sync: every subscription (ended ones for a year), 100 per page, resumable page by page."""

from __future__ import annotations

import time

from ..errors import PermissionMissing
from ..store import Cache
from ..stripe_gateway import StripeGateway
from . import intents
from .apply import apply_changes
from .report import Progress, SyncReport, no_progress

HISTORY_S = 365 * 86400
EVENT_WINDOW_S = 30 * 86400


def full_sync(gateway: StripeGateway, cache: Cache, progress: Progress = no_progress, now: int | None = None) -> SyncReport:
    """List everything again; each page and its checkpoint are written in one transaction."""
    now = now or int(time.time())
    report = SyncReport("full", queue_before={r.subscription_id for r in cache.queue()})
    checkpoint = cache.get_meta("full_sync")
    if checkpoint:
        report.resumed = True
    else:
        newest = _optional(gateway.newest_event, "the events cursor", report)
        checkpoint = {"started_at": now, "after": None, "pages": 0, "cursor": list(newest) if newest else None}
        cache.set_meta("full_sync", checkpoint)
    started = checkpoint["started_at"]
    estimate = cache.get_meta("full_sync_pages")
    report.pages = checkpoint["pages"]
    progress(report.pages, estimate, "Reading subscriptions…")
    for subs, last_id in gateway.subscription_pages(status="all", starting_after=checkpoint["after"]):
        keep = [s for s in subs if not (s.ended and s.ended_at and s.ended_at.timestamp() < started - HISTORY_S)]
        with cache.transaction():
            cache.remember_discounts(
                (d, c, s.id)
                for s in keep
                if len(s.discount_ids) == len(s.coupon_ids)
                for d, c in zip(s.discount_ids, s.coupon_ids, strict=True)
            )
            cache.upsert_subscriptions(keep, synced_at=started)
            for sub in keep:
                intents.observe(cache, sub, now)
            report.pages += 1
            checkpoint.update(after=last_id, pages=report.pages)
            cache.set_meta("full_sync", checkpoint)
        report.subscriptions += len(keep)
        progress(report.pages, estimate, f"Read {report.pages} page{'s' if report.pages != 1 else ''} of subscriptions")
    progress(report.pages, estimate, "Reading coupons and portal configurations…")
    coupons = _optional(gateway.coupons, "coupons", report)
    configs = _optional(gateway.portal_configurations, "portal configurations", report)
    first_sync = cache.get_meta("events_cursor") is None
    with cache.transaction():
        if coupons is not None:
            cache.replace_coupons(coupons)
        if configs is not None:
            cache.replace_portal_configurations(configs)
        cache.drop_subscriptions_not_seen(started)
        cursor = checkpoint["cursor"]
        cache.set_meta("events_cursor", {"id": cursor[0], "at": cursor[1]} if cursor else {"id": None, "at": started})
        cache.set_meta("full_sync", None)
        cache.set_meta("full_sync_pages", report.pages)
        cache.set_meta("last_full_sync_at", now)
        if cache.get_meta("first_sync_at") is None:
            cache.set_meta("first_sync_at", now)
        cache.set_meta("last_sync_at", now)
    report.subscriptions = cache.counts()["subscriptions"] if report.resumed else report.subscriptions
    if first_sync:
        _optional(lambda: backfill(gateway, cache, now), "recent history from events", report)
    report.queue_after = {r.subscription_id for r in cache.queue()}
    return report


def _optional(fn, what: str, report: SyncReport):
    """Read what the key may lack permission for; skip it (and say so) rather than fail the sync."""
    try:
        return fn()
    except PermissionMissing as exc:
        report.skipped.append(f"{what} ({exc.message})")
        return None


def backfill(gateway: StripeGateway, cache: Cache, now: int) -> None:
    """On the first sync, learn the last 30 days' intents (customers' own revokes) from events.

    Only intents and the timeline are taken from these events: the states just listed are newer.
    """
    changes = gateway.changes_after(None, since=now - EVENT_WINDOW_S)
    with cache.transaction():
        apply_changes(cache, changes, gateway=None, states=False)
