"""The payment endpoints: payment methods, PaymentIntents, InvoicePayments, an invoice read, `invoices.pay` and
`invoices.mark_uncollectible`."""

from __future__ import annotations

import copy
from typing import Any

from . import cards, charges
from .call import Call
from .errors import ApiError, invalid, missing
from .listing import expand, page
from .state import diff, public


def retrieve_payment_method(call: Call) -> dict[str, Any]:
    pm = call.state.peek("payment_method", call.args[0])
    if pm is None:
        raise missing("payment_method", call.args[0])
    return public(pm)


def list_customer_payment_methods(call: Call) -> dict[str, Any]:
    """GET /v1/customers/{id}/payment_methods: the cards attached to the customer, newest first."""
    call.only("type", "limit", "starting_after", "ending_before", "allow_redisplay")
    if call.state.peek("customer", call.args[0]) is None:
        raise missing("customer", call.args[0])
    found = [pm for pm in call.state.ordered("payment_method") if pm["customer"] == call.args[0]]
    return page(call.state, found, call.params, f"/v1/customers/{call.args[0]}/payment_methods")


def attach_payment_method(call: Call) -> dict[str, Any]:
    """POST /v1/payment_methods/{id}/attach with one of Stripe's test PaymentMethods (pm_card_visa, …): a card of that
    number attached to the customer, or the decline its check meets (docs.stripe.com/testing), and
    `payment_method.attached`. Attaching does not make it a default: the customer's or subscription's update does."""
    call.only("customer")
    customer = call.params.get("customer")
    if not customer or call.state.peek("customer", customer) is None:
        raise missing("customer", customer or "", "customer")
    number = cards.TEST_PAYMENT_METHODS.get(call.args[0])
    if number is None:
        raise missing("payment_method", call.args[0])
    card = cards.card_of(number)
    if card.attach is not None:
        raise ApiError(
            402, "card_error", card.attach.message, code=card.attach.code,
            extra={"decline_code": card.attach.decline_code, "advice_code": card.attach.advice_code},
        )  # fmt: skip
    pm = cards.payment_method(call.state, number, created=call.now, exp=(12, 2034), customer=customer)
    call.state.add(pm)
    call.emit("payment_method.attached", pm)
    return public(pm)


def retrieve_payment_intent(call: Call) -> dict[str, Any]:
    pi = call.state.peek("payment_intent", call.args[0])
    if pi is None:
        raise missing("payment_intent", call.args[0])
    return expand(call.state, public(pi), call.params.get("expand") or [])


def list_invoice_payments(call: Call) -> dict[str, Any]:
    """GET /v1/invoice_payments?invoice=…: an invoice's payments (its default one, since 2025-03-31.basil)."""
    call.only("invoice", "limit", "starting_after", "ending_before", "status", "payment", "created")
    inv_id = call.params.get("invoice")
    inv = call.state.peek("invoice", inv_id) if inv_id else None
    found = []
    if inv is not None and inv.get("_invoice_payment"):
        pay = call.state.peek("invoice_payment", inv["_invoice_payment"])
        if pay is not None and ("status" not in call.params or pay["status"] == call.params["status"]):
            found.append(pay)
    listed = page(call.state, found, call.params, "/v1/invoice_payments")
    return expand(call.state, listed, call.params.get("expand") or [])


def retrieve_invoice(call: Call) -> dict[str, Any]:
    inv = call.state.peek("invoice", call.args[0])
    if inv is None:
        raise missing("invoice", call.args[0])
    return expand(call.state, public(inv), call.params.get("expand") or [])


def pay_invoice(call: Call) -> dict[str, Any]:
    """POST /v1/invoices/{id}/pay: charge now (the default card, or `payment_method`), or with `paid_out_of_band`
    mark it paid with no charge. Only an open or uncollectible invoice can be paid; a decline is a 402 card_error naming its
    decline_code, the attempt counted, Stripe's retry schedule left as it was (a manual attempt does not move it)."""
    call.only("off_session", "payment_method", "paid_out_of_band")
    state = call.state
    inv = state.get("invoice", call.args[0])
    if inv is None:
        raise missing("invoice", call.args[0])
    if inv["status"] not in ("open", "uncollectible"):  # a written-off invoice can still be paid (invoicing/overview)
        # Stripe's code for this refusal is not documented: none is given (the console reads the status it names)
        raise invalid(f"This invoice can no longer be paid: its status is {inv['status']}.")
    if call.params.get("paid_out_of_band"):
        if "payment_method" in call.params:
            raise invalid("You may only specify one of these parameters: paid_out_of_band, payment_method.", "payment_method")
        charges.settle(state, inv, call.now, out_of_band=True)
        return public(inv)
    pm = None
    if call.params.get("payment_method"):
        pm = state.peek("payment_method", call.params["payment_method"])
        if pm is None or pm["customer"] != inv["customer"]:
            raise missing("payment_method", call.params["payment_method"], "payment_method")
    decline = charges.attempt(state, inv, call.now, payment_method=pm, manual=True)
    if decline is not None:
        pi = state.peek("payment_intent", inv["_payment_intent"]) or {}
        raise ApiError(
            402, "card_error", decline.message, code=decline.code,
            extra={"decline_code": decline.decline_code, "advice_code": decline.advice_code,
                   "payment_intent": public(pi), "charge": None},
        )  # fmt: skip
    return public(inv)


def mark_uncollectible(call: Call) -> dict[str, Any]:
    """POST /v1/invoices/{id}/mark_uncollectible (docs.stripe.com/api/invoices/mark_uncollectible): only an open
    invoice can be written off (a paid, void or draft one is refused; the message is the sandbox's own, Stripe's is
    not documented); see charges.write_off for what it changes."""
    call.only("expand")
    inv = call.state.get("invoice", call.args[0])
    if inv is None:
        raise missing("invoice", call.args[0])
    if inv["status"] != "open":
        raise invalid(f"Only open invoices can be marked uncollectible; this one is {inv['status']}.")
    charges.write_off(call.state, inv, call.now)
    return expand(call.state, public(inv), call.params.get("expand") or [])


def update_invoice(call: Call) -> dict[str, Any]:
    """POST /v1/invoices/{id}: only `metadata` here (what the console writes; Stripe lets metadata change on an invoice
    in any status: docs.stripe.com/api/invoices/update); keys merge, "" deletes one; `invoice.updated` is sent."""
    call.only("metadata", "expand")
    inv = call.state.get("invoice", call.args[0])
    if inv is None:
        raise missing("invoice", call.args[0])
    before = copy.deepcopy(inv)
    metadata = dict(inv.get("metadata") or {})
    for key, value in (call.params.get("metadata") or {}).items():
        if value in ("", None):
            metadata.pop(key, None)
        else:
            metadata[key] = str(value)
    inv["metadata"] = metadata
    call.emit("invoice.updated", inv, diff(before, inv))
    return expand(call.state, public(inv), call.params.get("expand") or [])
