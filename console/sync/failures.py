"""The failed-payments desk's part of a sync: every open invoice Stripe charges, listed once (and again whenever the
invoice events since the last sync are no longer all there), kept current from those events after, and each new
failure's decline read once (one request per attempt, never per row shown)."""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

from ..domain.failed import Collection
from ..errors import PermissionMissing
from ..store import Cache
from .ratelimit import TokenBucket, each_under, with_backoff
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
LISTED = "failures_listed_at"  # set once a whole listing is stored: until then every sync lists them again


def sync_failures(
    gateway: StripeGateway, cache: Cache, report: SyncReport, bucket: TokenBucket, *,
    workers: int, now: int, gap: bool, progress: Progress = no_progress,
) -> None:  # fmt: skip
    """After the invoice events (their collection states are applied with them): list every open invoice when
    there is a `gap` in the events or no listing was ever stored, then read the declines not read yet. A key that
    may not read invoices or PaymentIntents skips what it cannot read, and the sync says so."""
    try:
        if gap or cache.get_meta(LISTED) is None:
            listed = list_open(gateway, bucket, progress)
            with cache.transaction():
                cache.replace_failures(listed)
                cache.note_failed((c, c.created) for c in listed if c.failing)  # the recovery ledger's first rows
                for c in (c for c in listed if c.failing):  # the events before this sync are not read: its start said
                    words = f"{c.attempt_count} attempt{'s' if c.attempt_count != 1 else ''} failed by the time it was listed"
                    cache.add_timeline(f"{c.invoice_id}:listed", c.subscription_id, c.created, "payment_failed", {"words": words})
                cache.set_meta(LISTED, now)
    except PermissionMissing as exc:
        report.skipped.append(f"failed payments ({exc.message})")
        return
    due = dict(cache.declines_due())
    if not due:
        return
    progress(0, len(due), f"Reading {len(due):,} new payment failure{'s' if len(due) != 1 else ''}")
    read = each_under(due, lambda i: gateway.last_decline(i, due[i]), bucket, workers=workers, name="declines")
    if isinstance(read, PermissionMissing):
        report.skipped.append(f"why payments failed ({read.message})")
        return
    with cache.transaction():
        cache.put_declines(read)
        cache.note_decline_code((i, d.decline_code or d.code) for i, d in read)
    report.declines_read = len(read)
    report.failures_open = cache.failure_count()


def list_open(gateway: StripeGateway, bucket: TokenBucket, progress: Progress = no_progress) -> list[Collection]:
    """Every open invoice Stripe charges, page after page (a cursor: one at a time; an account has few open)."""
    found: list[Collection] = []
    after: str | None = None
    while True:
        page, more, after = with_backoff(functools.partial(gateway.open_invoice_page, after), bucket)
        found.extend(page)
        progress(len(found), None, f"Reading open invoices: {len(found):,}")
        if not more or after is None:
            log.info("open invoices listed: %d, %d failing", len(found), sum(c.failing for c in found))
            return found
