"""Each cancellation intent resolved to an outcome, from the cache (sync, metadata) and the journal."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from ..store import Cache
from ..store.span import Span

LATE_LOSS_S = 90 * 86400
DAY = 86400
_NEVER = 1 << 62  # an open_from no intent reaches
SAVED = frozenset({"saved_operator", "saved_customer"})  # the kinds of a save


@dataclass(slots=True)
class Outcome:
    """One time a customer asked to cancel, and what came of it. Never changed once read, though not frozen: a
    frozen dataclass sets each field through object.__setattr__, three times the cost of building one (a report
    reads 44,000, the Outcomes tab 360,000 at a million cached), and slots hold it in a third of the memory.

    `kind`: saved_operator (an operator's offer: coupon, pause or revoke), saved_customer (revoked on
    their own), churned (it ended) or pending. A save followed by the end within 90 days is a late loss.
    """

    intent_id: str
    subscription_id: str
    scheduled_at: int
    resolved_at: int | None
    feedback: str | None
    currency: str
    mrr_at_stake: int
    kind: str
    offer: str | None  # coupon, pause, revoke for operator saves
    offer_code: str | None
    ended_at: int | None  # when the subscription ended, if it has
    feedback_option: str | None = None  # a custom reason's id (fo_…), when the customer picked one
    feedback_text: str | None = None  # its text
    action_id: str | None = None  # the console action that saved it (operator saves)
    variant: str | None = None  # "experiment:label" when a playbook experiment assigned the row an offer

    @property
    def reason_key(self) -> str | None:
        """What outcomes group by: the custom reason (fo_…) where one was chosen, else the survey code."""
        return self.feedback_option or self.feedback

    @property
    def saved(self) -> bool:
        return self.kind in SAVED

    @property
    def late_loss(self) -> bool:
        return (
            self.saved
            and self.ended_at is not None
            and self.resolved_at is not None
            and self.ended_at - self.resolved_at <= LATE_LOSS_S
        )

    @property
    def mrr_kept(self) -> int:
        return self.mrr_at_stake if self.saved and not self.late_loss else 0

    def subscribed_after(self, days: int, now: int) -> bool | None:
        """Still subscribed `days` after the save (None while that day is still to come)."""
        if not self.saved or self.resolved_at is None:
            return None
        day = self.resolved_at + days * DAY
        if day > now:
            return None
        return self.ended_at is None or self.ended_at > day


def offer_family(code: str | None) -> str | None:
    """coupon:RETAIN25-3M -> coupon, pause:2m -> pause, revoke -> revoke."""
    if not code:
        return None
    return code.split(":", 1)[0]


@dataclass(frozen=True)
class OpenTally:
    """Open intents counted rather than read one by one: per currency, when each was asked (sorted). A report needs
    of most open intents only how many fell in a range and in each week; made into Outcome objects, the 200,000 of a
    large account cost seconds (tests/benchmarks/bench_cli.py, `report`)."""

    times: dict[str, array[int]] = field(default_factory=dict)
    read: dict[str, array[int]] = field(default_factory=dict)  # among `times`, those read as Outcomes after all

    def count(self, since: int, until: int, currency: str | None = None) -> int:
        """The open intents asked in [since, until), in `currency` or any (those read as Outcomes left out)."""
        return sum(
            _within(times, since, until) - _within(self.read.get(cur), since, until)
            for cur, times in self.times.items()
            if currency is None or cur == currency
        )


def _within(times: array[int] | None, since: int, until: int) -> int:
    return 0 if times is None else bisect_left(times, until) - bisect_left(times, since)


NO_TALLY = OpenTally()


@dataclass(frozen=True)
class Found:
    """The intents a report reads: `every` as Outcome objects, `tallied` the open ones only counted."""

    every: list[Outcome]
    tallied: OpenTally = NO_TALLY

    @property
    def currencies(self) -> list[str]:
        return sorted({o.currency for o in self.every} | set(self.tallied.times))


def outcomes(cache: Cache, span: Span | None = None) -> list[Outcome]:
    """Every intent but the undone ones, each an Outcome (read_outcomes, every open one read too)."""
    return read_outcomes(cache, span, open_from=0).every


def read_outcomes(cache: Cache, span: Span | None = None, *, open_from: int | None = None) -> Found:
    """Every intent but the undone ones (an undone save is replaced by the new intent it reopened); with `span`,
    those of the subscriptions asked about in it: a range's report needs no other subscription's story.
    An open intent is an Outcome when asked at or after `open_from` (an experiment's customers: each is matched to
    its rules), or when its subscription was saved before (a second ask, in the save's afterlife); the others are
    only counted (`tallied`). `open_from=None`: none needs to be an object."""
    start = _NEVER if open_from is None else open_from
    with cache.snapshot():  # an ask saved between the two reads would be counted open and read saved
        times = cache.open_intent_times(span, start) if start > 0 else {}
        out = [o for o in map(_outcome, cache.intent_rows(span, open_from=start)) if o is not None]
    return Found(out, OpenTally(times, _read_too(out, span, start)) if times else NO_TALLY)


def _read_too(out: list[Outcome], span: Span | None, before: int) -> dict[str, array[int]]:
    """When each open intent counted by open_intent_times(span, before) and read as an Outcome too was asked (a
    second ask of a saved subscription), per currency: the count leaves them out, not the SQL (which would find
    each open ask's subscription among every saved one: 0.13 s at 200,000 open asks)."""
    since, until = span if span is not None else (-_NEVER, _NEVER)
    read: dict[str, list[int]] = {}
    for o in out:
        if o.kind == "pending" and o.scheduled_at < before and since <= o.scheduled_at < until:
            read.setdefault(o.currency, []).append(o.scheduled_at)
    return {currency: array("q", sorted(times)) for currency, times in read.items()}


_KINDS = {"saved": "saved_operator", "revoked": "saved_customer", "ended": "churned", "pending": "pending"}


def _outcome(i: Any) -> Outcome | None:
    """An intent's row (store.intents.INTENT_READ's columns in order, then its subscription's end) as an Outcome;
    None for an undone save (replaced by the intent it reopened). Unpacked, not read by name: 54 against 88 ms for
    a report's 44,000 rows."""
    (intent_id, sub_id, asked, resolved, resolution, feedback, option, text, currency, mrr, offer, action, variant, ended) = i
    kind = _KINDS.get(resolution)
    if kind is None:
        return None
    desk = kind == "saved_operator"
    return Outcome(
        intent_id=intent_id,
        subscription_id=sub_id,
        scheduled_at=asked,
        resolved_at=resolved,
        feedback=feedback,
        currency=currency,
        mrr_at_stake=mrr,
        kind=kind,
        offer=offer_family(offer) if desk else None,
        offer_code=offer if desk else None,
        ended_at=ended if kind != "churned" else resolved,
        feedback_option=option,
        feedback_text=text,
        action_id=action if desk else None,
        variant=variant,
    )
