"""Invoices after the subscriptions: the saves' ledger and metered usage, read the cheaper way by counting (one list per
saved subscription, or every invoice of the span in created ranges), then kept current from the invoice events."""

from __future__ import annotations

import bisect
import logging
import math
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.events import CURSOR_PARAMS, InvoiceChange, cursor_holds
from ..domain.save_value import LedgerInvoice
from ..errors import InvalidRequest, NotFound, PermissionMissing
from ..pacing import TokenBucket
from ..store import Cache
from . import usage
from .ranges import AHEAD_S, RangeReader, recent_first
from .ratelimit import each_under, paced_by
from .report import Progress, SyncReport, no_progress

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
CURSOR = "invoice_events_cursor"
PAGE = 100
QUANTILES = 8  # the times a range read may start from, tried by counting
Found = dict[str, tuple[list[LedgerInvoice], list[tuple[str, str]]]]
ENDINGS = {"invoice.paid": "paid", "invoice.marked_uncollectible": "uncollectible", "invoice.voided": "void"}
TIMELINE_KINDS = {"invoice.payment_failed": "payment_failed", "invoice.paid": "invoice_paid"}


@dataclass(frozen=True)
class Stream:
    """The invoice events since the stream's cursor, oldest first (`changes`); None when there is no cursor that still
    holds (none yet, or older than Stripe keeps events): then what the ledger kept may have missed a change, and
    `fresh` is the newest invoice event now (where the next read starts), taken before anything is read."""

    changes: list[InvoiceChange] | None
    fresh: tuple[str, int] | None = None


def read_stream(gateway: StripeGateway, cache: Cache, now: int) -> Stream:
    """Read beside the other events (one round trip for both); a key that may not read events reads no stream."""
    try:
        cursor = cache.get_meta(CURSOR)
        if cursor and cursor_holds(cursor["at"], now):
            try:
                return Stream(gateway.invoice_changes_after(cursor["id"], since=cursor["at"]))
            except NotFound:  # the event it stopped at is gone from Stripe
                pass
            except InvalidRequest as exc:  # the same, worded as a 400 naming the cursor
                if exc.param not in CURSOR_PARAMS:
                    raise
        return fresh_stream(gateway)
    except PermissionMissing:  # every sync then reads the saves' invoices again
        return Stream(None)


def fresh_stream(gateway: StripeGateway) -> Stream:
    """The stream of a cache with no cursor that holds: no changes, and the newest invoice event (sync/opening.py
    reads it beside the account check when the cache is new)."""
    try:
        return Stream(None, gateway.newest_invoice_event())
    except PermissionMissing:
        return Stream(None)


def sync_invoices(
    gateway: StripeGateway,
    cache: Cache,
    report: SyncReport,
    bucket: TokenBucket,
    *,
    workers: int,
    now: int,
    stream: Stream,
    progress: Progress = no_progress,
    usage_ahead: Future[usage.Read] | None = None,
) -> None:
    """Apply the invoice events (`stream`, read beside the others), then read what they cannot say: the invoices of
    saves never read (and, when the stream's cursor did not hold, of every save since its last read), and the usage of
    metered pending cancellations not known yet. The stream's cursor, its events and what was read are stored in one
    transaction: a read that fails leaves them all for the next sync. A key without Invoices: Read skips them and says
    so: the Outcomes tab then says what it cannot know. `usage_ahead`: the usage read before (usage.read_ahead)."""
    changes = stream.changes
    try:
        due = cache.ledger_due(gap=changes is None)
        # A save made after the stream's cursor (an operator's, a customer's revoke just seen) has every invoice of
        # its own ahead of it, in the events: nothing to read, it is kept from here on.
        cursor = cache.get_meta(CURSOR) if changes is not None else None
        ahead = {s: since for s, since in due.items() if cursor is not None and since >= cursor["at"]}
        due = {s: since for s, since in due.items() if s not in ahead}
        found = read_due(gateway, cache, due, bucket, report, workers=workers, now=now, progress=progress)
    except PermissionMissing as exc:
        report.skipped.append(f"what saves earned ({exc.message})")
        return
    with cache.transaction():
        cache.put_ledger(((sub_id, since, [], []) for sub_id, since in ahead.items()), now)
        if changes:
            apply_invoice_changes(cache, changes)
        cache.put_ledger(((sub_id, due[sub_id], *found.get(sub_id, ([], []))) for sub_id in due), now)
        if changes:
            cache.set_meta(CURSOR, {"id": changes[-1].id, "at": changes[-1].created})
        elif changes is None:
            fresh = stream.fresh
            cache.set_meta(CURSOR, {"id": fresh[0], "at": fresh[1]} if fresh else {"id": None, "at": now})
    report.ledger_read = len(due)
    # a metered pending cancellation's usage: read once, then from its invoices' events
    early = usage_ahead.result() if usage_ahead is not None else None
    usage.read_latest(gateway, cache, bucket, report, report.touched, workers=workers, ahead=early)


def plan(cache: Cache, due: dict[str, int], now: int) -> tuple[int | None, int]:
    """Where to read the due saves' invoices, by counting requests: every invoice made from a time T on, 100 a page
    over created ranges (cache.invoices_estimate), and one list for each save older than T. T is tried at the saves'
    dates (eight quantiles), and None (a list for each) wins unless some T costs fewer. Returns (T, requests)."""
    dates = sorted(due.values())
    best: tuple[int | None, int] = (None, len(dates))
    if len(dates) < 2 * QUANTILES:  # a few saves: a list each is as cheap as a range read can be
        return best
    tried = sorted({dates[len(dates) * i // QUANTILES] for i in range(QUANTILES)})
    for t, made in cache.invoices_estimates(tried, now).items():
        cost = math.ceil(made / PAGE) + len(recent_first(t, now + AHEAD_S)) + bisect.bisect_left(dates, t)
        if cost < best[1]:
            best = (t, cost)
    return best


def read_due(
    gateway: StripeGateway, cache: Cache, due: dict[str, int], bucket: TokenBucket, report: SyncReport, *,
    workers: int, now: int, progress: Progress = no_progress,
) -> Found:  # fmt: skip
    """Each due subscription's invoices from its date on, as `plan` says: the span from T in created ranges (kept only
    where they are due) beside one list for each save older than T, all under the bucket, `workers` in flight each."""
    if not due:
        return {}
    t, cost = plan(cache, due, now)
    one_each = {s: since for s, since in due.items() if t is None or since < t}
    report.invoice_reads = (
        "one list per saved subscription"
        if t is None
        else f"every invoice since {datetime.fromtimestamp(t, UTC):%d %b %Y} by created ranges, {len(one_each)} older saves one by one"
    )
    log.info("saves' invoices: %d to read, %d requests planned: %s", len(due), cost, report.invoice_reads)
    done = _Counter(cost, progress, "invoice lists")
    paced = paced_by(bucket, bulk=True)  # a list per save: many, each on its own
    found: Found = {}
    lock = threading.Lock()

    def commit(rng: Any, kept: list[tuple[LedgerInvoice, list[tuple[str, str]]]], update: Any, split: Any) -> None:
        for invoice, coupons in kept:
            sub_id = invoice.subscription_id
            if sub_id in due and sub_id not in one_each and invoice.created >= due[sub_id]:
                with lock:
                    held = found.setdefault(sub_id, ([], []))
                    held[0].append(invoice)
                    held[1].extend(coupons)
        done.after(None)

    def page(rng: Any) -> Any:
        return gateway.invoice_page(created={"gte": rng["gte"], "lt": rng["lt"]}, starting_after=rng["after"])

    reader = RangeReader(recent_first(t, now + AHEAD_S) if t is not None else [], page, commit, bucket=bucket, workers=workers,
                         created_of=lambda kept: kept[0].created)  # fmt: skip
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ranges") as pool:
        ranged = pool.submit(reader.run)  # beside the lists, under the same bucket
        listed = each_under(
            one_each, lambda s: done.after(gateway.invoices_since(s, due[s], paced=paced)), bucket, workers=workers,
            name="ledger", paced=True,
        )  # fmt: skip
        ranged.result()
    if isinstance(listed, PermissionMissing):
        raise listed
    found.update(listed)
    for invoices, _ in found.values():
        invoices.sort(key=lambda i: i.created)
    return found


def apply_invoice_changes(cache: Cache, changes: list[InvoiceChange]) -> None:
    """Invoice events oldest first, inside the caller's transaction: a kept save's invoice is stored as it now is (its
    payments too), and a metered pending cancellation's usage follows its newest invoice."""
    kept, metered = cache.ledger_kept(), cache.pending_metered()
    invoices: dict[str, LedgerInvoice] = {}
    coupons: list[tuple[str, str, str]] = []
    usage_of: dict[str, InvoiceChange] = {}
    for change in changes:
        invoice = change.invoice
        if invoice is not None and invoice.created >= kept.get(invoice.subscription_id, invoice.created + 1):
            invoices[invoice.id] = invoice
            coupons.extend((d, c, invoice.subscription_id) for d, c in change.coupons)
        if invoice is not None and change.usage and invoice.subscription_id in metered:
            usage_of[invoice.subscription_id] = change  # the newest invoice's usage wins
    cache.put_invoices(invoices.values(), coupons)
    cache.apply_collections(c.collection for c in changes if c.collection is not None)
    for change in changes:  # each attempt and the payment on the row's timeline (the failed-payments desk's history)
        c = change.collection
        if c is not None and change.type in TIMELINE_KINDS:
            words = f"attempt {c.attempt_count}" if change.type == "invoice.payment_failed" else ""
            cache.add_timeline(change.id, c.subscription_id, change.created, TIMELINE_KINDS[change.type], {"words": words})
    for change in changes:
        if change.paid is not None:
            cache.mark_invoice_paid(*change.paid)
    record_recoveries(cache, changes)
    if usage_of:
        cache.put_usage((sub_id, u) for sub_id, change in usage_of.items() for u in change.usage)
        cache.revalue(usage_of)


def record_recoveries(cache: Cache, changes: list[InvoiceChange]) -> None:
    """The recovery ledger (issue 34): each failure when it happened, how each failed invoice ended, whether a charge
    paid it, and the card updater's changes of a card."""
    cache.note_failed((c.collection, c.created) for c in changes if c.type == "invoice.payment_failed" and c.collection)
    ended = [(c.collection.invoice_id, ENDINGS[c.type], c.created) for c in changes if c.type in ENDINGS and c.collection]
    cache.note_ended(ended)
    cache.note_paid_how((i for i, outcome, _ in ended if outcome == "paid"), by_payment=False)
    cache.note_paid_how((c.paid[0] for c in changes if c.paid is not None), by_payment=True)
    for c in changes:
        if c.card is not None:  # payment_method.automatically_updated: the card updater
            cache.note_card_change(c.card[0], c.card[1], c.created, "updater")


class _Counter:
    """Progress through a pass of reads, told from the threads that read (the window's relay is thread-safe)."""

    def __init__(self, total: int, progress: Progress, what: str) -> None:
        self.total, self.progress, self.what, self.done = total, progress, what, 0
        self.lock = threading.Lock()

    def after(self, value: Any) -> Any:
        with self.lock:
            self.done += 1
            done = self.done
        self.progress(done, max(self.total, done), f"Reading invoices: {done:,} of about {self.total:,} {self.what}")
        return value
