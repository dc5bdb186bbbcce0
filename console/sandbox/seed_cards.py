"""The seed's cards on file: every customer has one, and a past-due subscription's card declines as real cards do
(insufficient funds most often, then generic declines, expired and lost cards), its open invoice replayed through
Stripe's attempts and Smart Retries up to now (charges.py): some are still being retried, some ran out."""

from __future__ import annotations

import copy
import datetime as dt
import random
from typing import Any

from . import cards, charges
from .state import State, diff

DAY = 86400
# How cards that stop working fail (the demo's mix, said so: Stripe reports insufficient funds as the most common
# soft decline, and expired and lost cards as the usual hard ones).
FAILURES = (("insufficient_funds", 45), ("generic_decline", 25), ("expired_card", 15), ("lost_card", 15))


def card_on_file(state: State, cust: dict[str, Any], sub: dict[str, Any], now: int) -> None:
    """The customer's card, its default; a past-due subscription's card declining since its open invoice was made.
    Drawn from a generator of its own per customer: the seed's other draws (names, plans, fates) stay as they were."""
    rng = random.Random(f"card:{state.seed}:{cust['id']}")
    number = "5555555555554444" if rng.random() < 0.2 else "4242424242424242"
    year, month = _months_from(now, rng.randint(1, 48))
    failing = None
    inv = state.get("invoice", sub.get("latest_invoice") or "")
    if sub["status"] == "past_due":
        failing = rng.choices([f for f, _ in FAILURES], [w for _, w in FAILURES])[0]
        if failing == "expired_card":  # it expired before the renewal was charged: the card's own date says so
            year, month = _months_from(inv["created"] if inv is not None else now, -rng.randint(1, 3))
    pm = cards.payment_method(state, number, created=cust["created"], exp=(month, year), customer=cust["id"])
    if failing and failing != "expired_card":
        pm["_fails"] = failing
    state.add(pm)
    cust["invoice_settings"]["default_payment_method"] = pm["id"]
    if failing and inv is not None and inv["status"] == "open":
        last = max([inv["created"], *charges.slots(inv["created"], charges.retry_settings(state))])
        if last <= now and _has_story(sub):
            # Stripe's retries would have ended a subscription whose story (an ask to cancel, a save) the seed wrote
            # for later: the past-due draw does not fit it, so this card paid (every state the seed makes is one Stripe
            # reaches; a story's subscription still in its retry window keeps its failing card)
            pm.pop("_fails", None)
            card = pm["card"]
            card["exp_year"], card["exp_month"] = _months_from(now, rng.randint(1, 48))
            inv.update(attempt_count=0, attempted=False, next_payment_attempt=None)
            charges.attempt(state, inv, inv["created"])
            return
        inv.update(attempt_count=0, attempted=False, next_payment_attempt=None)
        charges.attempt(state, inv, inv["created"])
        _recover(state, rng, cust, pm, inv, failing, now)
        charges.retry_until(state, inv, now)


def _recover(
    state: State, rng: random.Random, cust: dict[str, Any], pm: dict[str, Any], inv: dict[str, Any], failing: str, now: int
) -> None:
    """How the failure may end by itself, replayed up to its moment (the demo's mix, said so: about a third of soft
    declines pay at a later retry; a share of expired cards are refreshed by the card updater; some customers add a new
    card on their own): what Stripe's Smart Retries, its card updater (`payment_method.automatically_updated`) and its
    portal do in a real account. A moment still ahead of `now` has not come: that failure is still in progress."""
    at = inv["created"] + rng.randint(1, 12) * DAY + rng.randint(0, DAY)
    fate = rng.choices(("retry", "updater", "customer", None), (35, 10, 15, 40))[0]
    if at > now or fate is None:
        return
    charges.retry_until(state, inv, at)
    if inv["status"] != "open":
        return
    if fate == "retry" and failing in ("insufficient_funds", "generic_decline"):
        pm["_fails_until"] = at  # the funds came: the next retry pays
    elif fate == "updater" and failing == "expired_card":  # the issuer sent the new expiry to Stripe's card updater
        cards.card_updater(state, pm, at, _months_from(at, rng.randint(24, 48)))
    elif fate == "customer":  # the customer added a card in the portal (its retries then charge it)
        new = cards.payment_method(state, "4242424242424242", created=at, exp=_months_from(at, 36)[::-1], customer=cust["id"])
        state.add(new)
        state.emit("payment_method.attached", new, created=at)
        before = copy.deepcopy(cust)
        cust["invoice_settings"]["default_payment_method"] = new["id"]
        state.emit("customer.updated", cust, diff(before, cust), created=at)


def _has_story(sub: dict[str, Any]) -> bool:
    """Whether the seed wrote more of this subscription's life than the failed payment: an ask to cancel (its
    `canceled_at`) or a save by an earlier console (`churn_console_*` metadata)."""
    return sub["canceled_at"] is not None or any(key.startswith("churn_console") for key in sub["metadata"] or {})


def _months_from(ts: int, months: int) -> tuple[int, int]:
    day = dt.datetime.fromtimestamp(ts, dt.UTC)
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1
