"""The hosted portal's "update your payment method" page, as the sandbox stands in for it: a session deep-linked to
`payment_method_update` (docs.stripe.com/customer-management/portal-deep-links) shows a card form; a test card
entered there is attached to the customer (`payment_method.attached`) and made their default (`customer.updated`),
as the portal does. Stripe's next retry then charges it; with the account's "retry when a customer adds a card"
setting (`account["_retries"]["on_new_card"]`, off unless set) the open failed invoices are retried at once."""

from __future__ import annotations

import copy
import html
from typing import Any
from urllib.parse import parse_qs

from . import cards, charges
from .errors import ApiError
from .state import State, diff


def card_form() -> str:
    return (
        "<h2>Update your payment method</h2><form method=post>"
        "<label>Card number <input name=number autocomplete=cc-number placeholder='4242 4242 4242 4242'></label> "
        "<button type=submit>Save card</button></form>"
        "<p>Test cards only (docs.stripe.com/testing): 4242 4242 4242 4242 pays; 4000 0000 0000 0341 attaches and then fails.</p>"
    )


def submit(state: State, session: dict[str, Any], form: str, now: int) -> str:
    """The form sent: the card attached and made the default, or the decline the customer is shown. The page's words."""
    if not session["flow"] or session["flow"]["type"] != "payment_method_update":
        return "<p>This page does not update payment methods.</p>"
    number = (parse_qs(form).get("number") or [""])[0].replace(" ", "")
    customer = state.get("customer", session["customer"])
    if customer is None:
        return "<p>This customer no longer exists.</p>"
    try:
        card = cards.card_of(number)
    except ApiError as exc:
        return f"<p role=alert>{html.escape(exc.message)}</p>"
    if card.attach is not None:  # the card's check at attach (the stricter reading of the testing page)
        return f"<p role=alert>{html.escape(card.attach.message)} Try another card.</p>"
    pm = cards.payment_method(state, number, created=now, exp=(12, 2034), customer=customer["id"])
    state.add(pm)
    state.emit("payment_method.attached", pm, created=now)
    before = copy.deepcopy(customer)
    cards.set_default_payment_method(state, customer, pm["id"], customer=customer["id"])
    state.emit("customer.updated", customer, diff(before, customer), created=now)
    if charges.retry_settings(state).get("on_new_card"):
        for inv_id in list(state.account.get("_dunning", [])):
            inv = state.get("invoice", inv_id)
            if inv is not None and inv["customer"] == customer["id"] and inv["status"] == "open":
                charges.attempt(state, inv, now)
    return f"<p role=status>Saved: {html.escape(pm['card']['brand'].title())} ending {html.escape(pm['card']['last4'])} is your default card.</p>"
