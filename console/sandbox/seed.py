"""Deterministic demo data: a subscription business with six months of churn history."""

from __future__ import annotations

import random
from typing import Any

from . import feedback as feedback_options
from . import invoices, objects, portal_seed, seed_cards, seed_catalog
from . import seed_saves as saves
from .seed_catalog import PRODUCTS, Specials
from .seed_data import (
    COUPONS,
    CURRENCY_WEIGHTS,
    CUSTOM_REASONS,
    DOMAINS,
    FIRST,
    HISTORY_DAYS,
    LAST,
    PRODUCT_WEIGHTS,
    asked,
    pick,
)  # fmt: skip
from .seed_data import feedback as survey_answer
from .seed_saves import discount, event
from .state import EVENT_WINDOW_SECONDS, State, clone, template
from .table import release_freed_memory

DAY = 86400
FREEZE_EVERY = 1000  # customers
INVOICE_HISTORY = 2000  # customers given their invoices by default (a large seed starts in seconds, not minutes)


def seed(state: State, customers: int = 500, invoice_history: int = INVOICE_HISTORY) -> None:
    """Fill an empty state with the demo account (deterministic for a given seed and start time); the first
    `invoice_history` customers get their invoices (a real account's customers all have them: a benchmark of
    invoice reads asks for every one, `churn-console sandbox --invoice-history`)."""
    rng = state.rng
    now = state.clock.now()
    _account(state, now)
    prices, specials = seed_catalog.add(state, now)
    for spec in COUPONS:
        coupon = objects.coupon(state, spec, now - 200 * DAY)
        state.add(coupon)
    for text in CUSTOM_REASONS:
        feedback_options.new(state, text)
    retired = feedback_options.new(state, "Missing an integration we need")
    retired.update(status="inactive", status_transitions={"deactivated_at": now - 40 * DAY})
    portal_seed.add_configurations(state, now, prices)
    for n in range(customers):
        _customer_with_history(state, rng, n, now, prices, specials, with_invoices=n < invoice_history)
        if n % FREEZE_EVERY == FREEZE_EVERY - 1:
            state.freeze(wait=False)  # these customers are done with: compressed (behind), so a seed stays small
    state.freeze()
    release_freed_memory()


def _account(state: State, now: int) -> None:
    acct = template("account")
    acct.update(
        id="acct_sandbox" + str(state.seed).zfill(6),
        created=now - 4 * 365 * DAY,
        email="billing@acme.example",
        country="US",
        default_currency="usd",
        charges_enabled=True,
        payouts_enabled=True,
        details_submitted=True,
        type="standard",
    )
    acct["business_profile"].update(name="Acme Analytics", url="https://acme.example", support_email="support@acme.example")
    acct["settings"]["dashboard"]["display_name"] = "Acme Analytics"
    state.account = acct


def _customer_with_history(
    state: State,
    rng: random.Random,
    n: int,
    now: int,
    prices: list[tuple[dict[str, Any], dict[str, Any], bool]],
    specials: Specials,
    *,
    with_invoices: bool,
) -> None:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    created = now - int(rng.uniform(20, 3 * 365) * DAY)
    currency = pick(rng, CURRENCY_WEIGHTS)
    email = f"{first.lower()}.{last.lower()}{n}@{rng.choice(DOMAINS)}"
    cust = state.add(objects.customer(state, name=f"{first} {last}", email=email, created=created, currency=currency))
    product_index = pick(rng, list(enumerate(PRODUCT_WEIGHTS)))
    annual = rng.random() < 0.22
    _, price, seats = next(
        p
        for p in prices
        if p[1]["currency"] == currency
        and p[0]["name"] == PRODUCTS[product_index][0]
        and (p[1]["recurring"]["interval"] == "year") == annual
    )
    quantity = rng.choice((2, 3, 5, 8, 12, 25)) if seats else 1
    items = _plan_shape(rng, currency, price, quantity, specials, annual)
    recurring = items[0][0]["recurring"]
    period_start = objects.running_period_start(created, now, recurring["interval"], recurring["interval_count"])
    # Accounts older than flexible billing mode keep classic subscriptions; newer ones are flexible.
    mode = "flexible" if now - created < 300 * DAY else "classic"
    sub = objects.subscription(
        state, customer_id=cust["id"], items=items, created=created, period_start=period_start, billing_mode=mode
    )
    _billing_setup(sub, n)
    state.add(sub)
    roll = rng.random()
    if roll < 0.16:
        _churned(state, rng, sub, now)
    elif roll < 0.26:
        _pending(state, rng, sub, now)
    elif roll < 0.30:
        saves.saved_earlier(state, rng, sub, now)
    elif roll < 0.33:
        _self_revoked(state, rng, sub, now)
    else:
        _ordinary(state, rng, sub, now)
    if with_invoices:
        invoices.history(state, sub, now)
    sub.pop("_collection_paused", None)  # what history reads, never part of the subscription
    seed_cards.card_on_file(state, cust, sub, now)


def _plan_shape(
    rng: random.Random, currency: str, price: dict[str, Any], quantity: int, specials: Specials, annual: bool
) -> list[tuple[dict[str, Any], int]]:
    """The subscription's items: mostly one flat plan; some tiered, per-1,000, weekly, quarterly, or a
    plan plus an add-on (items of one subscription share its billing interval, as Stripe requires)."""
    roll = rng.random()
    if annual:
        return [(price, quantity)]
    if roll < 0.06:
        return [(specials.graduated[currency], rng.choice((3, 8, 14, 30)))]
    if roll < 0.10:
        return [(specials.volume[currency], rng.choice((6, 25, 60)))]
    if roll < 0.14:
        return [(specials.per_thousand[currency], rng.choice((4200, 12500, 48000)))]
    if roll < 0.20:
        return [(price, quantity), (specials.metered[currency], 0)]
    if roll < 0.23:
        return [(specials.weekly[currency], 1)]
    if roll < 0.27:
        return [(specials.quarterly[currency], 1)]
    if roll < 0.30:
        return [(price, quantity), (specials.per_thousand[currency], 2000)]
    return [(price, quantity)]


def _ordinary(state: State, rng: random.Random, sub: dict[str, Any], now: int) -> None:
    roll = rng.random()
    if now - sub["created"] < 30 * DAY and roll < 0.6:
        sub["status"] = "trialing"
        sub["trial_start"] = sub["created"]
        sub["trial_end"] = objects.period_end(sub)
    elif roll < 0.10:
        sub["status"] = "past_due"
    elif roll < 0.18:
        discount(state, sub, rng.choice(("LOYAL10", "RETAIN25-3M", "HALF-1M")), sub["created"] + 30 * DAY)
    elif roll < 0.20:  # stacked: a loyalty discount, then a retention one on top (both running now)
        discount(state, sub, "LOYAL10", max(sub["created"], now - 200 * DAY))
        discount(state, sub, "RETAIN25-3M", max(sub["created"], now - 20 * DAY))
    elif roll < 0.21:
        discount(state, sub, "FRIENDS100", sub["created"])
    elif roll < 0.22 and sub["currency"] == "usd":
        discount(state, sub, "USD10-FOREVER", sub["created"] + 10 * DAY)


def _pending(state: State, rng: random.Random, sub: dict[str, Any], now: int) -> None:
    """A live subscription whose customer asked to cancel (the queue's rows)."""
    if rng.random() < 0.3:
        _ordinary(state, rng, sub, now)
    if sub["status"] == "trialing":
        sub["status"] = "active"
    requested = max(sub["created"] + DAY, now - int(rng.uniform(0.5, 25) * DAY))
    feedback, comment = survey_answer(rng)
    before = clone(sub)
    if rng.random() < 0.12:
        sub["cancel_at"] = now + int(rng.uniform(3, 40) * DAY)
    elif sub["billing_mode"]["type"] == "flexible":
        # In flexible billing mode a portal cancellation sets cancel_at to the period end and leaves
        # cancel_at_period_end false (STRIPE.md, "Billing mode"; changelog 2025-10 "billing mode flexible").
        sub["cancel_at"] = objects.period_end(sub)
    else:
        sub["cancel_at_period_end"] = True
        sub["cancel_at"] = objects.period_end(sub)
    sub["canceled_at"] = requested
    sub["cancellation_details"] = asked(feedback, comment)
    if rng.random() < 0.15:  # a custom reason from the portal's own list (Feedback Options API)
        options = [o for o in state.ordered("billing.feedback_option") if o["status"] == "active"]
        sub["cancellation_details"].update(feedback=None, feedback_option=rng.choice(options)["id"])
    event(state, "customer.subscription.updated", sub, before, requested, now)


def _churned(state: State, rng: random.Random, sub: dict[str, Any], now: int) -> None:
    """Ended within the last six months, with the survey answer it left."""
    ended = now - int(rng.uniform(1, HISTORY_DAYS) * DAY)
    ended = max(ended, sub["created"] + 7 * DAY)
    requested = max(sub["created"] + DAY, ended - int(rng.uniform(1, 28) * DAY))
    feedback, comment = survey_answer(rng)
    failed = rng.random() < 0.12
    if not failed and rng.random() < 0.2 and requested - sub["created"] > 40 * DAY:
        saves.saved_then_lost(state, rng, sub, requested - int(rng.uniform(12, 70) * DAY), now)
    told = requested >= now - EVENT_WINDOW_SECONDS or ended >= now - EVENT_WINDOW_SECONDS
    live = clone(sub) if told else sub  # the copy is only for the events, which Stripe keeps for 30 days
    for item in sub["items"]["data"]:
        item["current_period_end"] = ended
    sub.update(
        status="canceled",
        ended_at=ended,
        canceled_at=ended if failed else requested,
        cancel_at=None if failed else ended,
        cancel_at_period_end=False,
    )
    sub["cancellation_details"] = {
        "comment": None if failed else comment,
        "feedback": None if failed else feedback,
        "feedback_option": None,
        "reason": "payment_failed" if failed else "cancellation_requested",
    }
    if not told:
        return
    if not failed:
        scheduled = clone(live)
        scheduled.update(
            cancel_at_period_end=True, cancel_at=ended, canceled_at=requested, cancellation_details=sub["cancellation_details"]
        )
        event(state, "customer.subscription.updated", scheduled, live, requested, now)
    event(state, "customer.subscription.deleted", sub, live, ended, now)


def _billing_setup(sub: dict[str, Any], n: int) -> None:
    """A few subscriptions on a schedule, and a few invoiced (send_invoice, B2B terms), as real accounts have:
    neither can take a real pause (pausing.py). Chosen by position, so the random stream stays the same."""
    if n % 41 == 7:
        sub["schedule"] = "sub_sched_" + sub["id"].removeprefix("sub_")
    if n % 29 == 11:
        sub["collection_method"] = "send_invoice"
        sub["days_until_due"] = 30


def _self_revoked(state: State, rng: random.Random, sub: dict[str, Any], now: int) -> None:
    """A customer who scheduled a cancellation, then renewed in the portal on their own."""
    requested = now - int(rng.uniform(2, 29) * DAY)
    revoked = requested + int(rng.uniform(0.2, 1.5) * DAY)
    feedback, comment = survey_answer(rng)
    scheduled = clone(sub)
    scheduled.update(cancel_at_period_end=True, cancel_at=objects.period_end(sub), canceled_at=requested)
    scheduled["cancellation_details"] = asked(feedback, comment)
    event(state, "customer.subscription.updated", scheduled, sub, requested, now)
    event(state, "customer.subscription.updated", sub, scheduled, min(revoked, now - 60), now)
