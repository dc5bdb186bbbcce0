"""The recovery report's use case (issue 34): the failed invoices of a period from the cache's recovery ledger, each
with what happened around it (card changes, and what reps did: this console's journal and its timeline of links
sent), credited and summed by domain/recovery.py and domain/recovery_rate.py. The window and `report --recovery` both
call it."""

from __future__ import annotations

from collections import defaultdict

from ..domain.action import FAILED_PAUSE
from ..domain.playbook import Playbook
from ..domain.recovery import Acted, Failure
from ..domain.recovery_rate import RecoveryFigures, figures
from ..store import Cache
from ..store.journal import Journal


def recovery_report(
    cache: Cache, journal: Journal, since: int, until: int, now: int, *, currency: str | None = None,
    playbook: Playbook | None = None,
) -> RecoveryFigures:  # fmt: skip
    """The figures of the invoices that first failed in [since, until) (only `currency`'s when given), as of `now`,
    with the playbook's settings: the attribution's order and the link's window, and the hold-out's share and start."""
    book = playbook or Playbook()
    rows = [r for r in cache.recovery_rows(since, until) if currency is None or r["currency"] == currency]
    changes = cache.card_changes_of(r["customer_id"] for r in rows)
    subs = [r["subscription_id"] for r in rows]
    links = _links(cache, subs)
    retried: dict[str, Acted] = {}
    paused: dict[str, list[Acted]] = defaultdict(list)
    for entries in cache.timeline_of_kind("credit_retried", subs).values():  # any console's, from Stripe
        for at, d in entries:
            retried[str(d.get("ref"))] = Acted(at, str(d.get("operator") or ""))
    cache_pauses = cache.timeline_of_kind("credit_failed_pause", subs)
    own_pauses: set[str] = set()
    for a in journal.all():
        invoice = a.params.get("invoice") if isinstance(a.params, dict) else None
        if not invoice or a.applied_at is None:
            continue
        if a.offer_code == "charge:retry" and a.state == "applied":
            retried[invoice] = Acted(a.applied_at, a.operator)
        elif a.offer_code == FAILED_PAUSE and a.state in ("applied", "undone"):
            paused[invoice].append(Acted(a.applied_at, a.operator))
            own_pauses.add(a.id)
    for r in rows:  # another console's pauses: the ones naming this invoice (older ones: made during its failure)
        for at, d in cache_pauses.get(r["subscription_id"], []):
            ended = r["ended_at"] if r["ended_at"] is not None else now
            named = d.get("invoice") == r["id"] if d.get("invoice") else r["first_failed_at"] <= at <= ended
            if d.get("ref") not in own_pauses and named:
                paused[r["id"]].append(Acted(at, str(d.get("operator") or "")))
    failures = [
        Failure(
            r["id"],
            r["subscription_id"],
            r["currency"],
            r["failed_minor"],
            r["first_failed_at"],
            r["decline_code"],
            r["outcome"],
            r["ended_at"],
            None if r["by_payment"] is None else bool(r["by_payment"]),
            tuple(changes.get(r["customer_id"], [])),
            retried.get(r["id"]),
            links.get(r["subscription_id"], ()),
            tuple(paused.get(r["id"], [])),
            r["holdout"],
        )  # fmt: skip
        for r in rows
    ]
    found = figures(failures, since, until, now, book.link_window_days, book.attribution_order)
    found.holdout_percent, found.holdout_since = book.holdout_percent, book.holdout_since  # said beside the comparison
    return found


def _links(cache: Cache, subs: list[str]) -> dict[str, tuple[Acted, ...]]:
    """The card-update links sent on each subscription: this console's (its timeline) and any console's (the desk's
    metadata on Stripe, read at each sync: a contact of kind card_link), oldest first."""
    out: dict[str, list[Acted]] = defaultdict(list)
    for sub_id, entries in cache.timeline_of_kind("card_link", subs).items():
        out[sub_id] += [Acted(at, str(d.get("operator") or "")) for at, d in entries]
    for sub_id, entries in cache.timeline_of_kind("desk", subs).items():
        out[sub_id] += [Acted(at, str(d.get("by") or "")) for at, d in entries if d.get("kind") == "card_link"]
    return {sub_id: tuple(sorted(acts, key=lambda a: a.at)) for sub_id, acts in out.items()}
