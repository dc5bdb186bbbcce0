"""The failed-payments desk's part of a sync: every open invoice Stripe charges, listed once (and again whenever the
invoice events since the last sync are no longer all there), kept current from those events after, and each new
failure's decline read once (one request per attempt, never per row shown)."""

from __future__ import annotations

import functools
import logging
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain.failed import Collection, LastDecline
from ..errors import PermissionMissing
from ..pacing import TokenBucket
from ..store import Cache
from .ratelimit import each_under, with_backoff
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
LISTED = "failures_listed_at"  # set once a whole listing is stored: until then every sync lists them again


@dataclass(frozen=True)
class Ahead:
    """The listing and its declines, read while the saves' invoices were (network only: stored after the invoice
    events, which are older than the listing and would otherwise overwrite it)."""

    listed: list[Collection] | PermissionMissing
    declines: list[tuple[str, LastDecline]] | PermissionMissing = field(default_factory=list)


def needs_listing(cache: Cache, gap: bool) -> bool:
    """Whether this sync lists every open invoice: a gap in the invoice events, or no listing ever stored."""
    return gap or cache.get_meta(LISTED) is None


def read_listing(gateway: StripeGateway, bucket: TokenBucket) -> list[Collection] | PermissionMissing:
    """Every open invoice Stripe charges, read ahead (read_ahead), or the PermissionMissing that stopped it."""
    try:
        return list_open(gateway, bucket)
    except PermissionMissing as exc:
        return exc


def read_ahead(
    gateway: StripeGateway, cache: Cache, bucket: TokenBucket, *, workers: int, listing: Future[list[Collection] | PermissionMissing]
) -> Ahead:  # fmt: skip
    """The `listing` (read_listing, on a thread of its own: the recovery ledger's read-ahead waits for it, not for
    these declines) and the decline of each failing invoice in it not read for its attempt yet, read beside the
    saves' invoices under the same bucket (one after the other, they cost a 2,000-customer first sync 5 s:
    tests/benchmarks/bench_sync.py). Nothing is stored here: sync_failures stores them in order."""
    listed = listing.result()
    if isinstance(listed, PermissionMissing):
        return Ahead(listed)
    failing = {c.invoice_id: c.attempt_count for c in listed if c.failing}
    known = cache.declines_read(failing)
    due = {i: attempts for i, attempts in failing.items() if known.get(i, -1) < attempts}
    return Ahead(listed, _read_declines(gateway, due, bucket, workers))


def sync_failures(
    gateway: StripeGateway, cache: Cache, report: SyncReport, bucket: TokenBucket, *,
    workers: int, now: int, gap: bool, progress: Progress = no_progress, ahead: Ahead | None = None,
) -> None:  # fmt: skip
    """After the invoice events (their collection states are applied with them): list every open invoice when
    there is a `gap` in the events or no listing was ever stored (`ahead`: as read beside the invoices), then read the
    declines not read yet. A key that may not read invoices or PaymentIntents skips what it cannot read, and the sync
    says so."""
    try:
        if needs_listing(cache, gap):
            listed = ahead.listed if ahead is not None else list_open(gateway, bucket, progress)
            if isinstance(listed, PermissionMissing):  # as the listing read ahead met it
                raise listed
            _store_listing(cache, listed, now)
    except PermissionMissing as exc:
        report.skipped.append(f"failed payments ({exc.message})")
        return
    early = ahead.declines if ahead is not None else []
    if isinstance(early, PermissionMissing):
        report.skipped.append(f"why payments failed ({early.message})")
        return
    _store_declines(cache, early)
    due = dict(cache.declines_due())  # those the listing read ahead did not have (none, but for a new attempt since)
    if due:
        progress(0, len(due), f"Reading {len(due):,} new payment failure{'s' if len(due) != 1 else ''}")
        read = _read_declines(gateway, due, bucket, workers)
        if isinstance(read, PermissionMissing):
            report.skipped.append(f"why payments failed ({read.message})")
            return
        _store_declines(cache, read)
        early = [*early, *read]
    if early:
        report.declines_read = len(early)
        report.failures_open = cache.failure_count()


def _read_declines(
    gateway: StripeGateway, due: dict[str, int], bucket: TokenBucket, workers: int
) -> list[tuple[str, LastDecline]] | PermissionMissing:
    """Each due invoice's last decline (invoice -> the attempt it is due for), `workers` in flight under the bucket."""
    return each_under(due, lambda i: gateway.last_decline(i, due[i]), bucket, workers=workers, name="declines")


def _store_listing(cache: Cache, listed: list[Collection], now: int) -> None:
    with cache.transaction():
        cache.replace_failures(listed)
        cache.note_failed((c, c.created) for c in listed if c.failing)  # the recovery ledger's first rows
        for c in (c for c in listed if c.failing):  # the events before this sync are not read: its start said
            words = f"{c.attempt_count} attempt{'s' if c.attempt_count != 1 else ''} failed by the time it was listed"
            cache.add_timeline(f"{c.invoice_id}:listed", c.subscription_id, c.created, "payment_failed", {"words": words})
        cache.set_meta(LISTED, now)


def _store_declines(cache: Cache, read: list[tuple[str, LastDecline]]) -> None:
    if read:
        with cache.transaction():
            cache.put_declines(read)
            cache.note_decline_code((i, d.decline_code or d.code) for i, d in read)


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
