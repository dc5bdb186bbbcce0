"""The demo account's earlier saves and what became of them: discounts that ran out, pauses that resumed,
customers who asked to cancel again, cards that failed after a save."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from . import objects, pausing
from .seed_data import CHANNELS, HISTORY_DAYS, OPERATORS, asked, feedback
from .state import EVENT_WINDOW_SECONDS, State, clone, diff

DAY = 86400
# Of the saves whose offer has run out, the share that asks to cancel again within weeks: demo data, not a Stripe
# behaviour. Its shape follows what retention vendors publish (issue #20: most discount-savers leave once the
# discount ends, pauses keep more customers); the console measures each business's own.
ASK_AGAIN = {"coupon": 0.45, "pause": 0.18}
FAILED_AFTER_SAVE = 0.2  # saved customers whose renewal's card then failed (past_due, the invoice left open)


def discount(state: State, sub: dict[str, Any], coupon_id: str, start: int) -> str:
    coupon = state.table("coupon")[coupon_id]  # the seed's own coupons: always there
    disc = state.add(
        objects.discount(state, coupon_obj=coupon, customer_id=sub["customer"], subscription_id=sub["id"], start=start)
    )
    coupon["times_redeemed"] += 1
    sub["discounts"].append(disc["id"])
    return str(disc["id"])


def event(state: State, kind: str, after: dict[str, Any], before: dict[str, Any], at: int, now: int) -> None:
    """Record an event only inside Stripe's 30-day window, as Stripe would still hold it."""
    if at < now - EVENT_WINDOW_SECONDS:
        return
    state.emit(kind, after, diff(before, after), created=at)


def saved_then_lost(state: State, rng: random.Random, sub: dict[str, Any], saved: int, now: int) -> None:
    """An earlier save by the console (a coupon) that did not hold: the customer cancels again later."""
    discount(state, sub, "RETAIN25-3M", saved)
    _stamp(state, rng, sub, saved, "coupon:RETAIN25-3M", "too_expensive")


def saved_earlier(state: State, rng: random.Random, sub: dict[str, Any], now: int) -> None:
    """A cancellation an operator reversed with an earlier version of the console, and what came of it."""
    requested = now - int(rng.uniform(3, HISTORY_DAYS - 5) * DAY)
    saved = requested + int(rng.uniform(0.1, 3) * DAY)
    answer, comment = feedback(rng)
    told = saved >= now - EVENT_WINDOW_SECONDS  # the events' copies only inside Stripe's 30 days
    scheduled = clone(sub) if told else {}
    scheduled.update(cancel_at_period_end=True, cancel_at=objects.period_end(sub), canceled_at=requested)
    scheduled["cancellation_details"] = asked(answer, comment)
    if told:
        event(state, "customer.subscription.updated", scheduled, clone(sub), requested, now)
    offer_ends: int | None = None
    if rng.random() < 0.7:
        coupon = (
            {"usd": "USD20-ONCE", "eur": "EUR15-2M", "jpy": "JPY2000-ONCE"}[sub["currency"]]
            if rng.random() < 0.25
            else "RETAIN25-3M"
        )
        disc = state.table("discount")[discount(state, sub, coupon, saved)]
        recurring = sub["items"]["data"][0]["price"]["recurring"]
        # a repeating coupon ends with its discount; a once coupon after the invoice it took off
        offer_ends = disc["end"] or objects.add_interval(saved, recurring["interval"], recurring["interval_count"])
        offer = f"coupon:{coupon}"
    else:
        resumes = saved + rng.choice((1, 2, 3)) * 30 * DAY
        if pausing.refusal(sub) is None and sub["created"] % 2 == 0:
            pausing.enter_pause(sub, saved)  # a real pause (flexible billing mode), which Stripe never ends by itself
            offer = "pause:subscription"
        else:
            if resumes > now:
                sub["pause_collection"] = {"behavior": "void", "resumes_at": resumes}
            sub["_collection_paused"] = [saved, resumes]  # invoices.history voids the invoices in between
            offer_ends = resumes
            offer = f"pause:{(resumes - saved) // (30 * DAY)}m"
    _stamp(state, rng, sub, saved, offer, answer or "")
    if told:
        event(state, "customer.subscription.updated", sub, scheduled, saved, now)
    _afterwards(state, sub, offer, offer_ends, now)


def _stamp(state: State, rng: random.Random, sub: dict[str, Any], saved: int, offer: str, answer: str) -> None:
    sub["metadata"].update(
        churn_console_action=f"act_{state.new_id('event')[4:20].lower()}",
        churn_console_offer=offer,
        churn_console_operator=rng.choice(OPERATORS),
        churn_console_at=datetime.fromtimestamp(saved, UTC).isoformat(timespec="seconds"),
        churn_console_consent=rng.choice(CHANNELS),
        churn_console_feedback=answer,
    )
    if not answer:
        del sub["metadata"]["churn_console_feedback"]


def _afterwards(state: State, sub: dict[str, Any], offer: str, offer_ends: int | None, now: int) -> None:
    """Some customers ask to cancel again weeks after their discount ran out or their pause resumed; some cards
    fail at a later renewal. Its own random stream per subscription: the rest of the seed stays as it was."""
    fate = random.Random(f"after-save:{state.seed}:{sub['id']}")
    if offer_ends is not None and offer_ends < now - DAY and fate.random() < ASK_AGAIN.get(offer.split(":")[0], 0.0):
        asked_at = offer_ends + int(fate.uniform(1, 25) * DAY)
        if asked_at < now - DAY:
            _ask_again(state, fate, sub, asked_at, now)
            return
    if sub["status"] == "active" and fate.random() < FAILED_AFTER_SAVE:
        sub["status"] = "past_due"  # the current period's invoice stays open (invoices.history)


def _ask_again(state: State, rng: random.Random, sub: dict[str, Any], asked_at: int, now: int) -> None:
    """Saved, then asked to cancel again: ended at the end of that period, or still pending now."""
    recurring = sub["items"]["data"][0]["price"]["recurring"]
    start = objects.running_period_start(sub["created"], asked_at, recurring["interval"], recurring["interval_count"])
    ends = objects.add_interval(start, recurring["interval"], recurring["interval_count"])
    answer, comment = feedback(rng)
    details = asked(answer, comment)
    before = clone(sub)
    sub["pause_collection"] = None
    if ends > now:  # the queue's row, with its save history ("Saved before")
        flexible = sub["billing_mode"]["type"] == "flexible"
        sub.update(cancel_at=objects.period_end(sub), cancel_at_period_end=not flexible, canceled_at=asked_at)
        sub["cancellation_details"] = details
        event(state, "customer.subscription.updated", sub, before, asked_at, now)
        return
    scheduled = clone(sub)
    scheduled.update(cancel_at_period_end=True, cancel_at=ends, canceled_at=asked_at, cancellation_details=details)
    event(state, "customer.subscription.updated", scheduled, before, asked_at, now)
    for item in sub["items"]["data"]:
        item["current_period_end"] = ends
    sub.update(status="canceled", ended_at=ends, canceled_at=asked_at, cancel_at=ends, cancel_at_period_end=False)
    sub["cancellation_details"] = details
    event(state, "customer.subscription.deleted", sub, scheduled, ends, now)
