"""A real pause: `POST /v1/subscriptions/{id}/pause` and `/resume` (API 2026-09-30.endive), with their refusals.

Sources: the changelog "Adds the ability to pause and resume Subscriptions on demand"
(docs.stripe.com/changelog/endive/2026-09-30/pause-subscription): status `paused`, `status_details`,
flexible billing mode only. docs.stripe.com/billing/subscriptions/pause: the pause takes effect at once,
`current_period_end` becomes the pause time, `customer.subscription.paused` and `.updated` are sent, and
"subscriptions with paused collection can't move into status=paused". stripe-python 16
`SubscriptionService.pause`: "Cannot pause subscriptions with attached schedules"; `.resume`: "only
available for subscriptions that use charge_automatically collection"; `Subscription.StatusDetails.Paused`
(`subscription.type` = `pause_requested`, `transitioned_at`, `type` = `subscription`).

Where Stripe's rule is not written down, the sandbox is the stricter: only an `active` subscription can
pause (not trialing or past due), and not one that is set to cancel (the console revokes first).
"""

from __future__ import annotations

import copy
from typing import Any

from . import objects
from .call import Call
from .errors import invalid
from .state import diff
from .subscriptions import ENDED, get_sub, render

_BILL_FOR = {"outstanding_usage_through": ("none", "now"), "unused_time_from": ("item_current_period_start", "none", "now")}


def refusal(sub: dict[str, Any]) -> str | None:
    """Why Stripe would not pause this subscription now, or None."""
    if sub["status"] in ENDED:
        return f"This subscription has already been canceled: {sub['id']}"
    if sub["status"] == "paused":
        return f"The subscription {sub['id']} is already paused."
    if (sub.get("billing_mode") or {}).get("type") != "flexible":
        return "Pausing a subscription requires flexible billing mode (billing_mode[type]=flexible)."
    if sub.get("schedule"):
        return f"Cannot pause subscriptions with attached schedules ({sub['schedule']})."
    if sub.get("collection_method") != "charge_automatically":
        return "Only subscriptions that use charge_automatically collection can be paused."
    if sub.get("pause_collection"):
        return "Subscriptions with paused collection can't move into status=paused. Resume collection first."
    if sub["status"] != "active":
        return f"Only active subscriptions can be paused; this one is {sub['status']}."
    if sub["cancel_at_period_end"] or sub["cancel_at"] is not None:
        return "This subscription is set to cancel. Remove the scheduled cancellation before pausing it."
    return None


def pause(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("bill_for", "expand", "invoicing_behavior", "type")
    if p.get("type", "subscription") != "subscription":
        raise invalid(f"Invalid type: must be subscription, not {p['type']!r}.", "type")
    if p.get("invoicing_behavior", "pending_invoice_item") not in ("invoice", "pending_invoice_item"):
        raise invalid("Invalid invoicing_behavior: must be one of invoice, pending_invoice_item.", "invoicing_behavior")
    for key, spec in (p.get("bill_for") or {}).items():
        if key not in _BILL_FOR or (spec or {}).get("type") not in _BILL_FOR[key]:
            raise invalid(f"Invalid bill_for[{key}][type].", f"bill_for[{key}][type]")
    sub = get_sub(call.state, call.args[0])
    if (why := refusal(sub)) is not None:
        raise invalid(why, "subscription")
    before = copy.deepcopy(sub)
    enter_pause(sub, call.now)
    call.emit("customer.subscription.paused", sub, diff(before, sub))
    call.emit("customer.subscription.updated", sub, diff(before, sub))
    return render(call.state, sub, p.get("expand"))


def enter_pause(sub: dict[str, Any], at: int, why: str = "pause_requested") -> None:
    """What a pause does to the object: status `paused`, why and when, and the period cut at the pause. `why`:
    `pause_requested`, or `final_payment_failure` (endive's pause-on-payment-failure: changelog 2026-09-30)."""
    sub["_periods_before_pause"] = [(i["current_period_start"], i["current_period_end"]) for i in sub["items"]["data"]]
    sub["status"] = "paused"
    sub["status_details"] = {"paused": {"subscription": {"type": why}, "transitioned_at": at, "type": "subscription"}}
    for item in sub["items"]["data"]:
        item["current_period_end"] = at  # docs: current_period_end becomes the time of the pause


def resume(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("billing_cycle_anchor", "expand", "payment_behavior", "proration_behavior", "proration_date")
    anchor = (p.get("billing_cycle_anchor") or {}).get("type", "now")
    if anchor not in ("now", "unchanged"):
        raise invalid("Invalid billing_cycle_anchor[type]: must be now or unchanged.", "billing_cycle_anchor[type]")
    if p.get("proration_behavior", "create_prorations") not in ("always_invoice", "create_prorations", "none"):
        raise invalid("Invalid proration_behavior.", "proration_behavior")
    if p.get("payment_behavior", "resume_on_payment_attempt") not in ("resume_on_payment_attempt", "resume_on_payment_success"):
        raise invalid("Invalid payment_behavior.", "payment_behavior")
    sub = get_sub(call.state, call.args[0])
    if sub["status"] != "paused":
        raise invalid(f"The subscription {sub['id']} is not paused; only paused subscriptions can be resumed.", "subscription")
    if sub.get("collection_method") != "charge_automatically":
        raise invalid("Resume is only available for subscriptions that use charge_automatically collection.", "subscription")
    before = copy.deepcopy(sub)
    periods = sub.pop("_periods_before_pause", None) or []
    for n, item in enumerate(sub["items"]["data"]):
        recurring = item["price"]["recurring"]
        if anchor == "now" or n >= len(periods):
            start = call.now  # a new period starts at the resume (Stripe's default)
        else:
            start = periods[n][0]  # the original cycle goes on: roll its start forward past the pause
            while objects.add_interval(start, recurring["interval"], recurring["interval_count"]) <= call.now:
                start = objects.add_interval(start, recurring["interval"], recurring["interval_count"])
        item["current_period_start"] = start
        item["current_period_end"] = objects.add_interval(start, recurring["interval"], recurring["interval_count"])
    if anchor == "now":
        sub["billing_cycle_anchor"] = call.now
    sub["status"] = "active"
    sub["status_details"] = None
    call.emit("customer.subscription.resumed", sub, diff(before, sub))
    call.emit("customer.subscription.updated", sub, diff(before, sub))
    return render(call.state, sub, p.get("expand"))
