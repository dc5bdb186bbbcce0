"""Deterministic demo data: a subscription business with six months of churn history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from . import feedback as feedback_options
from . import invoices, objects, pausing, portal_seed, seed_catalog
from .seed_catalog import PRODUCTS, Specials
from .state import EVENT_WINDOW_SECONDS, State, clone, diff, template
from .table import release_freed_memory

DAY = 86400
HISTORY_DAYS = 182
FREEZE_EVERY = 1000  # customers
INVOICE_HISTORY_CAP = 2000  # customers with generated invoices (keeps huge seeds light)

FIRST = (
    "Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Mia Lucas Ava Mateo Isabella Levi Harper Ethan Lea Jonas "
    "Clara Felix Ines Hugo Chloe Louis Yuki Haruto Sakura Ren Aiko Sota Priya Arjun Ana Diego Sofia Marco Giulia "
    "Lars Freya Nora Omar Layla Samir Zara Tomasz Zofia Mei Wei Chen Kwame Amara Tunde Nia Rafael Camila"
).split()
LAST = (
    "Smith Johnson Garcia Miller Davis Rodriguez Martinez Wilson Anderson Taylor Thomas Moore Martin Lee Clark "
    "Lewis Walker Hall Young King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell Roberts Carter "
    "Muller Schmidt Schneider Fischer Weber Dubois Bernard Moreau Laurent Rossi Russo Bianchi Tanaka Suzuki Sato "
    "Watanabe Ito Kowalski Nowak Okafor Mensah Haddad Nakamura Silva Santos Costa Jensen Nielsen Lindqvist"
).split()
DOMAINS = "example.com example.org example.net mail.example.com acme.example studio.example".split()

CURRENCY_WEIGHTS = (("usd", 0.62), ("eur", 0.28), ("jpy", 0.10))
PRODUCT_WEIGHTS = (0.38, 0.32, 0.22, 0.08)
# How customers answer the portal's survey, most common first (share of pending cancellations).
FEEDBACK_WEIGHTS = (
    ("too_expensive", 0.27),
    ("unused", 0.18),
    ("missing_features", 0.13),
    ("switched_service", 0.11),
    ("too_complex", 0.06),
    ("low_quality", 0.05),
    ("customer_service", 0.04),
    ("other", 0.06),
    (None, 0.10),
)
COMMENTS = {
    "too_expensive": [
        "Budget cuts this quarter.",
        "We can't justify the price for a team of three.",
        "A competitor quoted half of this.",
        "Too pricey after the increase.",
    ],
    "unused": [
        "Project ended, may be back next year.",
        "Nobody on the team logs in any more.",
        "Seasonal business, not needed until spring.",
    ],
    "missing_features": ["We need SAML SSO.", "No Salesforce integration yet.", "Exports to BigQuery would keep us."],
    "switched_service": ["Moving to an all-in-one suite.", "Our parent company standardised on another tool."],
    "too_complex": ["Setup took too long for us.", "Hard to onboard new staff."],
    "low_quality": ["Dashboards were slow to load.", "Too many sync errors."],
    "customer_service": ["Waited a week for a reply."],
    "other": ["Company is closing.", "Merging accounts with a colleague."],
}
CUSTOM_REASONS = ("Moving to an in-house tool", "Our project ended early", "Budget approval fell through")
COUPONS = [
    {"id": "RETAIN25-3M", "name": "25% off for 3 months", "percent_off": 25.0, "duration": "repeating", "duration_in_months": 3},
    {"id": "HALF-1M", "name": "50% off next month", "percent_off": 50.0, "duration": "once"},
    {"id": "LOYAL10", "name": "Loyalty 10% forever", "percent_off": 10.0, "duration": "forever"},
    {"id": "USD20-ONCE", "name": "$20 off once", "amount_off": 2000, "currency": "usd", "duration": "once"},
    {
        "id": "EUR15-2M",
        "name": "€15 off for 2 months",
        "amount_off": 1500,
        "currency": "eur",
        "duration": "repeating",
        "duration_in_months": 2,
    },
    {"id": "JPY2000-ONCE", "name": "¥2,000 off once", "amount_off": 2000, "currency": "jpy", "duration": "once"},
    {"id": "FRIENDS100", "name": "Friends and family", "percent_off": 100.0, "duration": "forever"},
    {"id": "USD10-FOREVER", "name": "$10 off forever", "amount_off": 1000, "currency": "usd", "duration": "forever"},
]
OPERATORS = ("Dana (CS)", "Sam (CS)", "Priya (Founder)")
CHANNELS = ("call", "email", "chat", "ticket", "in_app")


def _pick(rng, weighted):
    roll, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if roll < acc:
            return value
    return weighted[-1][0]


def seed(state: State, customers: int = 500) -> None:
    """Fill an empty state with the demo account (deterministic for a given seed and start time)."""
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
        _customer_with_history(state, rng, n, now, prices, specials, with_invoices=n < INVOICE_HISTORY_CAP)
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


def _customer_with_history(state: State, rng, n: int, now: int, prices, specials: Specials, *, with_invoices: bool) -> None:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    created = now - int(rng.uniform(20, 3 * 365) * DAY)
    currency = _pick(rng, CURRENCY_WEIGHTS)
    email = f"{first.lower()}.{last.lower()}{n}@{rng.choice(DOMAINS)}"
    cust = state.add(objects.customer(state, name=f"{first} {last}", email=email, created=created, currency=currency))
    product_index = _pick(rng, list(enumerate(PRODUCT_WEIGHTS)))
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
        _saved_earlier(state, rng, sub, now)
    elif roll < 0.33:
        _self_revoked(state, rng, sub, now)
    else:
        _ordinary(state, rng, sub, now)
    if with_invoices:
        invoices.history(state, sub, now)


def _plan_shape(rng, currency: str, price, quantity: int, specials: Specials, annual: bool) -> list[tuple[dict, int]]:
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


def _feedback(rng) -> tuple[str | None, str | None]:
    feedback = _pick(rng, FEEDBACK_WEIGHTS)
    comment = rng.choice(COMMENTS[feedback]) if feedback and rng.random() < 0.45 else None
    return feedback, comment


def _ordinary(state: State, rng, sub: dict[str, Any], now: int) -> None:
    roll = rng.random()
    if now - sub["created"] < 30 * DAY and roll < 0.6:
        sub["status"] = "trialing"
        sub["trial_start"] = sub["created"]
        sub["trial_end"] = objects.period_end(sub)
    elif roll < 0.10:
        sub["status"] = "past_due"
    elif roll < 0.18:
        _discount(state, sub, rng.choice(("LOYAL10", "RETAIN25-3M", "HALF-1M")), sub["created"] + 30 * DAY)
    elif roll < 0.20:  # stacked: a loyalty discount, then a retention one on top (both running now)
        _discount(state, sub, "LOYAL10", max(sub["created"], now - 200 * DAY))
        _discount(state, sub, "RETAIN25-3M", max(sub["created"], now - 20 * DAY))
    elif roll < 0.21:
        _discount(state, sub, "FRIENDS100", sub["created"])
    elif roll < 0.22 and sub["currency"] == "usd":
        _discount(state, sub, "USD10-FOREVER", sub["created"] + 10 * DAY)


def _discount(state: State, sub: dict[str, Any], coupon_id: str, start: int) -> str:
    coupon = state.table("coupon")[coupon_id]  # the seed's own coupons: always there
    disc = state.add(
        objects.discount(state, coupon_obj=coupon, customer_id=sub["customer"], subscription_id=sub["id"], start=start)
    )
    coupon["times_redeemed"] += 1
    sub["discounts"].append(disc["id"])
    return disc["id"]


def _pending(state: State, rng, sub: dict[str, Any], now: int) -> None:
    """A live subscription whose customer asked to cancel (the queue's rows)."""
    if rng.random() < 0.3:
        _ordinary(state, rng, sub, now)
    if sub["status"] == "trialing":
        sub["status"] = "active"
    requested = max(sub["created"] + DAY, now - int(rng.uniform(0.5, 25) * DAY))
    feedback, comment = _feedback(rng)
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
    sub["cancellation_details"] = {
        "comment": comment,
        "feedback": feedback,
        "feedback_option": None,
        "reason": "cancellation_requested",
    }
    if rng.random() < 0.15:  # a custom reason from the portal's own list (Feedback Options API)
        options = [o for o in state.ordered("billing.feedback_option") if o["status"] == "active"]
        sub["cancellation_details"].update(feedback=None, feedback_option=rng.choice(options)["id"])
    _event(state, "customer.subscription.updated", sub, before, requested, now)


def _churned(state: State, rng, sub: dict[str, Any], now: int) -> None:
    """Ended within the last six months, with the survey answer it left."""
    ended = now - int(rng.uniform(1, HISTORY_DAYS) * DAY)
    ended = max(ended, sub["created"] + 7 * DAY)
    requested = max(sub["created"] + DAY, ended - int(rng.uniform(1, 28) * DAY))
    feedback, comment = _feedback(rng)
    failed = rng.random() < 0.12
    if not failed and rng.random() < 0.2 and requested - sub["created"] > 40 * DAY:
        _saved_then_lost(state, rng, sub, requested - int(rng.uniform(12, 70) * DAY), now)
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
        _event(state, "customer.subscription.updated", scheduled, live, requested, now)
    _event(state, "customer.subscription.deleted", sub, live, ended, now)


def _saved_then_lost(state: State, rng, sub: dict[str, Any], saved: int, now: int) -> None:
    """An earlier save by the console (a coupon) that did not hold: the customer cancels again later."""
    _discount(state, sub, "RETAIN25-3M", saved)
    sub["metadata"].update(
        churn_console_action=f"act_{state.new_id('event')[4:20].lower()}",
        churn_console_offer="coupon:RETAIN25-3M",
        churn_console_operator=rng.choice(OPERATORS),
        churn_console_at=datetime.fromtimestamp(saved, UTC).isoformat(timespec="seconds"),
        churn_console_consent=rng.choice(CHANNELS),
        churn_console_feedback="too_expensive",
    )


def _saved_earlier(state: State, rng, sub: dict[str, Any], now: int) -> None:
    """A cancellation an operator reversed with an earlier version of the console."""
    requested = now - int(rng.uniform(3, HISTORY_DAYS - 5) * DAY)
    saved = requested + int(rng.uniform(0.1, 3) * DAY)
    feedback, comment = _feedback(rng)
    told = saved >= now - EVENT_WINDOW_SECONDS  # the events' copies only inside Stripe's 30 days
    scheduled = clone(sub) if told else {}
    scheduled.update(cancel_at_period_end=True, cancel_at=objects.period_end(sub), canceled_at=requested)
    scheduled["cancellation_details"] = {
        "comment": comment,
        "feedback": feedback,
        "feedback_option": None,
        "reason": "cancellation_requested",
    }
    if told:
        _event(state, "customer.subscription.updated", scheduled, clone(sub), requested, now)
    action_id = f"act_{state.new_id('event')[4:20].lower()}"
    if rng.random() < 0.7:
        coupon = (
            {"usd": "USD20-ONCE", "eur": "EUR15-2M", "jpy": "JPY2000-ONCE"}[sub["currency"]]
            if rng.random() < 0.25
            else "RETAIN25-3M"
        )
        _discount(state, sub, coupon, saved)
        offer = f"coupon:{coupon}"
    else:
        resumes = saved + rng.choice((1, 2, 3)) * 30 * DAY
        if pausing.refusal(sub) is None and sub["created"] % 2 == 0:
            pausing.enter_pause(sub, saved)  # a real pause (flexible billing mode), which Stripe never ends by itself
            offer = "pause:subscription"
        else:
            if resumes > now:
                sub["pause_collection"] = {"behavior": "void", "resumes_at": resumes}
            offer = f"pause:{(resumes - saved) // (30 * DAY)}m"
    sub["metadata"].update(
        churn_console_action=action_id,
        churn_console_offer=offer,
        churn_console_operator=rng.choice(OPERATORS),
        churn_console_at=datetime.fromtimestamp(saved, UTC).isoformat(timespec="seconds"),
        churn_console_consent=rng.choice(CHANNELS),
        churn_console_feedback=feedback or "",
    )
    if not sub["metadata"]["churn_console_feedback"]:
        del sub["metadata"]["churn_console_feedback"]
    if told:
        _event(state, "customer.subscription.updated", sub, scheduled, saved, now)


def _billing_setup(sub: dict[str, Any], n: int) -> None:
    """A few subscriptions on a schedule, and a few invoiced (send_invoice, B2B terms), as real accounts have:
    neither can take a real pause (pausing.py). Chosen by position, so the random stream stays the same."""
    if n % 41 == 7:
        sub["schedule"] = "sub_sched_" + sub["id"].removeprefix("sub_")
    if n % 29 == 11:
        sub["collection_method"] = "send_invoice"
        sub["days_until_due"] = 30


def _self_revoked(state: State, rng, sub: dict[str, Any], now: int) -> None:
    """A customer who scheduled a cancellation, then renewed in the portal on their own."""
    requested = now - int(rng.uniform(2, 29) * DAY)
    revoked = requested + int(rng.uniform(0.2, 1.5) * DAY)
    feedback, comment = _feedback(rng)
    scheduled = clone(sub)
    scheduled.update(cancel_at_period_end=True, cancel_at=objects.period_end(sub), canceled_at=requested)
    scheduled["cancellation_details"] = {
        "comment": comment,
        "feedback": feedback,
        "feedback_option": None,
        "reason": "cancellation_requested",
    }
    _event(state, "customer.subscription.updated", scheduled, sub, requested, now)
    _event(state, "customer.subscription.updated", sub, scheduled, min(revoked, now - 60), now)


def _event(state: State, kind: str, after: dict[str, Any], before: dict[str, Any], at: int, now: int) -> None:
    """Record an event only inside Stripe's 30-day window, as Stripe would still hold it."""

    if at < now - EVENT_WINDOW_SECONDS:
        return
    state.emit(kind, after, diff(before, after), created=at)
