"""Charging an invoice as Stripe does: its PaymentIntent and InvoicePayment, a decline's words, Smart Retries on the
account's schedule, and what the subscription becomes when they run out (docs.stripe.com/billing/revenue-recovery)."""

from __future__ import annotations

import copy
from typing import Any

from . import cards
from .pausing import enter_pause
from .state import State, diff, invoice_subscription, public, template

DAY = 86400
# The account's settings for failed payments (Dashboard → Billing → Revenue recovery). Stripe's recommended default:
# 8 tries within 2 weeks; then cancel the subscription (or mark it unpaid, or leave it past due).
DEFAULT_RETRIES = {"attempts": 8, "days": 14, "end": "cancel"}
_DUNNING = "_dunning"  # the account's open invoices whose payment failed (ids): what time passing retries


def retry_settings(state: State) -> dict[str, Any]:
    return {**DEFAULT_RETRIES, **state.account.get("_retries", {})}


def slots(created: int, settings: dict[str, Any]) -> list[int]:
    """When Smart Retries try again after the first attempt at `created`: `attempts - 1` more tries spread over
    `days`. Stripe picks each time by its model within that window; the sandbox spreads them evenly."""
    n = max(1, int(settings["attempts"]))
    span = int(settings["days"]) * DAY
    return [created + span * k // max(1, n - 1) for k in range(1, n)] if n > 1 else []


def default_method(state: State, inv: dict[str, Any]) -> dict[str, Any] | None:
    """The card a retry charges: the subscription's `default_payment_method` first, then the customer's
    `invoice_settings.default_payment_method` (docs.stripe.com/billing/revenue-recovery/smart-retries)."""
    sub = state.peek("subscription", invoice_subscription(inv) or "")
    pm_id = (sub or {}).get("default_payment_method")
    if not pm_id:
        customer = state.peek("customer", inv["customer"]) or {}
        pm_id = (customer.get("invoice_settings") or {}).get("default_payment_method")
    return state.peek("payment_method", pm_id) if pm_id else None


def _intent(state: State, inv: dict[str, Any], at: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The invoice's PaymentIntent and its default InvoicePayment (since 2025-03-31.basil the invoice names neither:
    `invoice_payments.list(invoice=…)` does), made at the first attempt and reused by every retry."""
    pi = state.get("payment_intent", inv.get("_payment_intent") or "")
    if pi is None:
        pi = template("payment_intent")
        pi.update(
            id=state.new_id("payment_intent"), amount=inv["amount_due"], amount_capturable=0, amount_received=0,
            created=at, currency=inv["currency"], customer=inv["customer"], livemode=state.livemode, metadata={},
            description="Subscription update", next_action=None, last_payment_error=None, latest_charge=None,
            canceled_at=None, cancellation_reason=None, review=None, processing=None, shipping=None, source=None,
            client_secret=None, status="requires_payment_method", payment_method_types=["card"],
        )  # fmt: skip
        state.add(pi)
        inv["_payment_intent"] = pi["id"]
    pay = state.get("invoice_payment", inv.get("_invoice_payment") or "")
    if pay is None:
        pay = template("invoice_payment")
        pay.update(
            id=state.new_id("invoice_payment"), amount_paid=None, amount_requested=inv["amount_due"], created=at,
            currency=inv["currency"], invoice=inv["id"], is_default=True, livemode=state.livemode, status="open",
            payment={"type": "payment_intent", "payment_intent": pi["id"]},
            status_transitions={"canceled_at": None, "paid_at": None},
        )  # fmt: skip
        state.add(pay)
        inv["_invoice_payment"] = pay["id"]
    return pi, pay


def attempt(
    state: State, inv: dict[str, Any], at: int, *, payment_method: dict[str, Any] | None = None, manual: bool = False
) -> cards.Decline | None:
    """Charge the open invoice now; None when it was paid. A manual attempt (`invoices.pay`) leaves Stripe's
    retry schedule as it was; an automatic one moves it on (or ends it after the last try)."""
    pm = payment_method or default_method(state, inv)
    decline = cards.charge_decline(pm, at)
    pi, pay = _intent(state, inv, at)
    pi["payment_method"] = pm["id"] if pm else None
    inv["attempted"] = True
    inv["attempt_count"] = int(inv.get("attempt_count") or 0) + 1
    inv["_last_pm"] = pm["id"] if pm else None
    inv["_last_attempt_at"] = at
    if decline is None:
        pi.update(status="succeeded", amount_received=pi["amount"], last_payment_error=None)
        settle(state, inv, at, pay)
        return None
    pi["status"] = "requires_action" if decline.code == "authentication_required" else "requires_payment_method"
    # no card to charge: nothing was declined, and Stripe does not retry until a payment method arrives
    pi["last_payment_error"] = decline.error(pi["id"], public(pm)) if pm else None
    inv["_hard"] = decline.hard or pm is None
    if not manual:
        later = [t for t in slots(inv["created"], retry_settings(state)) if t > at]
        inv["next_payment_attempt"] = later[0] if later else None
    dunning = state.account.setdefault(_DUNNING, [])
    if inv["id"] not in dunning:
        dunning.append(inv["id"])
    state.emit("invoice.payment_failed", inv, created=at)
    if decline.code == "authentication_required":
        state.emit("invoice.payment_action_required", inv, created=at)
    _status(state, inv, "past_due", at)
    return decline


def settle(state: State, inv: dict[str, Any], at: int, pay: dict[str, Any] | None = None, *, out_of_band: bool = False) -> None:
    """The invoice paid (by a charge, or marked paid out of band): its InvoicePayment, `invoice_payment.paid` and
    `invoice.paid` ("an invoice payment attempt succeeds or an invoice is marked as paid out-of-band": event types).
    Since 2025-03-31.basil the invoice has no `paid_out_of_band` field (not in the SDK's Invoice): a payment made
    outside Stripe shows as a paid invoice whose own payment was canceled, not paid."""
    inv.update(status="paid", amount_paid=inv["amount_due"], amount_remaining=0, next_payment_attempt=None)
    inv["status_transitions"]["paid_at"] = at
    inv["auto_advance"] = False
    if inv["id"] in state.account.get(_DUNNING, []):
        state.account[_DUNNING].remove(inv["id"])
    if out_of_band:
        unpaid = state.get("invoice_payment", inv.get("_invoice_payment") or "")
        if unpaid is not None:
            unpaid["status"] = "canceled"
            unpaid["status_transitions"]["canceled_at"] = at
    else:
        pay = pay or _intent(state, inv, at)[1]
        pay.update(status="paid", amount_paid=inv["amount_due"])
        pay["status_transitions"]["paid_at"] = at
        state.emit("invoice_payment.paid", pay, created=at)
    state.emit("invoice.paid", inv, created=at)
    _status(state, inv, "active", at)


def write_off(state: State, inv: dict[str, Any], at: int) -> None:
    """`POST /v1/invoices/{id}/mark_uncollectible`: the invoice is `uncollectible` (it can still be paid later: "an
    uncollectible invoice can be paid or voided", docs.stripe.com/invoicing/overview), Stripe stops retrying it, and
    `invoice.marked_uncollectible` is sent. Its past-due subscription turns active ("for past_due subscriptions,
    paying the latest associated invoice or marking it uncollectible transitions the subscription to active":
    docs.stripe.com/billing/subscriptions/overview). An unpaid subscription, or one paused after its payment failed,
    stays as it is: the docs say nothing of them, so the sandbox takes the stricter side (the pause-on-failure's own
    resumption on a write-off is a setting, off unless chosen: changelog 2026-09-30 pause-on-payment-failure)."""
    inv.update(status="uncollectible", next_payment_attempt=None, auto_advance=False)
    inv["status_transitions"]["marked_uncollectible_at"] = at
    if inv["id"] in state.account.get(_DUNNING, []):
        state.account[_DUNNING].remove(inv["id"])
    state.emit("invoice.marked_uncollectible", inv, created=at)
    sub = state.get("subscription", invoice_subscription(inv) or "")
    if sub is not None and sub["status"] == "past_due":
        before = copy.deepcopy(sub)
        sub["status"] = "active"
        state.emit("customer.subscription.updated", sub, diff(before, sub), created=at)


def _status(state: State, inv: dict[str, Any], status: str, at: int) -> None:
    """past_due after a failure, active again once paid (from past_due or unpaid), with the update's event."""
    sub = state.get("subscription", invoice_subscription(inv) or "")
    if sub is None:
        return
    moves = {"past_due": ("active",), "active": ("past_due", "unpaid")}[status]
    paused = ((sub.get("status_details") or {}).get("paused") or {}).get("subscription", {}).get("type")
    if status == "active" and sub["status"] == "paused" and paused == "final_payment_failure":
        # paused after its payment failed, resumed once that invoice is paid (the pause-on-failure setting's resume)
        before = copy.deepcopy(sub)
        sub.update(status="active", status_details=None)
        state.emit("customer.subscription.resumed", sub, diff(before, sub), created=at)
        state.emit("customer.subscription.updated", sub, diff(before, sub), created=at)
    elif sub["status"] in moves:
        before = copy.deepcopy(sub)
        sub["status"] = status
        state.emit("customer.subscription.updated", sub, diff(before, sub), created=at)


def run_retries(state: State, now: int) -> int:
    """Every Smart Retry due by `now`, in time order; returns how many invoices changed."""
    changes = 0
    for inv_id in list(state.account.get(_DUNNING, [])):
        inv = state.get("invoice", inv_id)
        changes += retry_until(state, inv, now) if inv is not None else 0
        if inv is None or inv["status"] != "open" or inv["next_payment_attempt"] is None:
            if inv_id in state.account.get(_DUNNING, []):
                state.account[_DUNNING].remove(inv_id)
    return changes


def retry_until(state: State, inv: dict[str, Any], now: int) -> int:
    """One failed invoice's retries due by `now`. A hard decline is not retried until a new payment method is the one
    a retry would charge ("no retry after a hard decline … unless a new payment method arrives"); its schedule still
    runs out, and then the subscription ends as the account's settings say."""
    from .subscriptions import end_subscription

    changes = 0
    while inv["status"] == "open" and inv["next_payment_attempt"] is not None and inv["next_payment_attempt"] <= now:
        at = inv["next_payment_attempt"]
        pm = default_method(state, inv)
        updated = pm is not None and pm.get("_updated_at", 0) > inv.get("_last_attempt_at", 0)  # the card updater
        if inv.get("_hard") and (pm["id"] if pm else None) == inv.get("_last_pm") and not updated:
            later = [t for t in slots(inv["created"], retry_settings(state)) if t > at]
            inv["next_payment_attempt"] = later[0] if later else None
        else:
            attempt(state, inv, at)
        changes += 1
    if inv["status"] == "open" and inv["next_payment_attempt"] is None:
        _out_of_retries(state, inv, end_subscription)
        if inv["id"] in state.account.get(_DUNNING, []):
            state.account[_DUNNING].remove(inv["id"])
    return changes


def _out_of_retries(state: State, inv: dict[str, Any], end_subscription: Any) -> None:
    """The last retry failed: the subscription ends, turns unpaid or stays past due, as the account's settings say;
    the invoice stays open (docs.stripe.com/billing/subscriptions/overview: "Manage payment failures")."""
    sub = state.get("subscription", invoice_subscription(inv) or "")
    last = max([inv["created"], *slots(inv["created"], retry_settings(state))])
    if sub is None or sub["status"] != "past_due":
        return
    end = retry_settings(state)["end"]
    if end == "pause" and (sub.get("billing_mode") or {}).get("type") == "flexible" and not sub.get("schedule"):
        # pause-on-payment-failure (docs.stripe.com/billing/revenue-recovery/smart-retries/pause-on-payment-failure):
        # no new invoices, and the invoice that caused it stays collectible; one Stripe cannot pause is canceled
        before = copy.deepcopy(sub)
        enter_pause(sub, last, "final_payment_failure")
        state.emit("customer.subscription.paused", sub, diff(before, sub), created=last)
        state.emit("customer.subscription.updated", sub, diff(before, sub), created=last)
    elif end in ("cancel", "pause"):
        end_subscription(state, sub, last, "payment_failed")
    elif end == "unpaid":
        before = copy.deepcopy(sub)
        sub["status"] = "unpaid"
        state.emit("customer.subscription.updated", sub, diff(before, sub), created=last)
