"""Stripe's test cards as the sandbox charges them (https://docs.stripe.com/testing), and card PaymentMethods."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, invalid
from .state import State, diff, template


@dataclass(frozen=True)
class Decline:
    """A declined charge as the PaymentIntent's `last_payment_error` says it (SDK `PaymentIntent.LastPaymentError`)."""

    code: str  # card_declined, expired_card, authentication_required
    decline_code: str | None  # insufficient_funds, lost_card, generic_decline, expired_card
    message: str
    hard: bool  # Smart Retries never retry it until a new payment method arrives (docs: revenue-recovery/smart-retries)
    advice_code: str | None = None  # try_again_later, do_not_try_again, confirm_card_data

    def error(self, payment_intent: str | None = None, payment_method: dict[str, Any] | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": "card_error",
            "code": self.code,
            "decline_code": self.decline_code,
            "advice_code": self.advice_code,
            "message": self.message,
            "doc_url": f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}",
            "network_advice_code": None,
            "network_decline_code": None,
            "param": None,
            "payment_method_type": "card",
        }
        if payment_method is not None:
            out["payment_method"] = payment_method
        if payment_intent is not None:
            out["payment_intent"] = payment_intent
        return out


INSUFFICIENT = Decline("card_declined", "insufficient_funds", "Your card has insufficient funds.", False, "try_again_later")
GENERIC = Decline("card_declined", "generic_decline", "Your card was declined.", False)
LOST = Decline("card_declined", "lost_card", "Your card was declined.", True, "do_not_try_again")
EXPIRED = Decline("expired_card", "expired_card", "Your card has expired.", True, "confirm_card_data")
AUTHENTICATION = Decline(
    "authentication_required",
    "authentication_required",
    "Your card was declined. This transaction requires authentication.",
    True,
)
BY_DECLINE = {d.decline_code: d for d in (INSUFFICIENT, GENERIC, LOST, EXPIRED, AUTHENTICATION)}


@dataclass(frozen=True)
class TestCard:
    number: str
    brand: str
    attach: Decline | None  # refused when attached to a customer (Stripe checks the card then)
    charge: Decline | None  # every charge of the attached card


# docs.stripe.com/testing: "Declined payments" and "Authentication and setup". 0341: "Attaching this card to a Customer
# object succeeds, but attempts to charge the customer fail". The decline cards are refused when attached too (the
# stricter reading: a card declined at every charge is declined by the attach's check).
TEST_CARDS = {
    card.number: card
    for card in (
        TestCard("4242424242424242", "visa", None, None),
        TestCard("5555555555554444", "mastercard", None, None),
        TestCard("4000000000000341", "visa", None, GENERIC),
        TestCard("4000000000000002", "visa", GENERIC, GENERIC),
        TestCard("4000000000009995", "visa", INSUFFICIENT, INSUFFICIENT),
        TestCard("4000000000009987", "visa", LOST, LOST),
        TestCard("4000000000000069", "visa", EXPIRED, EXPIRED),
        TestCard("4000002500003155", "visa", None, AUTHENTICATION),  # off-session charges need the customer
    )
}
# The test PaymentMethods of docs.stripe.com/testing ("PaymentMethods" tab), usable where a pm_ id is asked for.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_authenticationRequired": "4000002500003155",
}


def card_of(number: str) -> TestCard:
    found = TEST_CARDS.get(number.replace(" ", ""))
    if found is None:
        raise ApiError(
            402, "card_error", "Your card number is incorrect. In test mode, use a test card (docs.stripe.com/testing).",
            param="number", code="incorrect_number",
        )  # fmt: skip
    return found


def payment_method(state: State, number: str, *, created: int, exp: tuple[int, int], customer: str | None) -> dict[str, Any]:
    """A card PaymentMethod (https://docs.stripe.com/api/payment_methods/object); the test card's behaviour is kept
    privately (`_number`, and `_fails` for a card that began to decline after it was attached: a seed's model of an
    account's cards going bad, which no test card does)."""
    card = card_of(number)
    obj = template("payment_method")
    obj.update(
        id=state.new_id("payment_method"), created=created, customer=customer, livemode=state.livemode, metadata={},
        allow_redisplay="unspecified", customer_account=None, _number=card.number,
    )  # fmt: skip
    obj["billing_details"] = {"address": None, "email": None, "name": None, "phone": None, "tax_id": None}
    obj["card"].update(
        brand=card.brand, display_brand=card.brand, last4=card.number[-4:], exp_month=exp[0], exp_year=exp[1],
        fingerprint=f"fp{card.number[-8:]}", funding="credit", wallet=None,
    )  # fmt: skip
    obj["card"]["networks"] = {"available": [card.brand], "preferred": None}
    return obj


def set_default_payment_method(state: State, owner: dict[str, Any], pm_id: str | None, *, customer: str) -> None:
    """A customer's `invoice_settings.default_payment_method` or a subscription's `default_payment_method` set: the
    card must be attached to the customer ("The customer does not have a payment method with the ID …")."""
    if pm_id:
        pm = state.peek("payment_method", pm_id)
        if pm is None or pm["customer"] != customer:
            raise invalid(
                f"The customer does not have a payment method with the ID {pm_id}. The payment method must be attached "
                "to the customer.", "default_payment_method", "resource_missing",
            )  # fmt: skip
    if owner["object"] == "customer":
        owner["invoice_settings"]["default_payment_method"] = pm_id or None
    else:
        owner["default_payment_method"] = pm_id or None


def charge_decline(pm: dict[str, Any] | None, at: int) -> Decline | None:
    """How a charge of `pm` at `at` ends: None when it succeeds. With no payment method the invoice's payment fails
    (charges.attempt then records no decline and waits for a card)."""
    if pm is None:
        return GENERIC
    if pm.get("_fails") and at < pm.get("_fails_until", at + 1):  # a soft decline's cause can pass (funds arrive)
        return BY_DECLINE[pm["_fails"]]
    card = pm["card"]
    if (card["exp_year"], card["exp_month"]) < _year_month(at):
        return EXPIRED
    return TEST_CARDS[pm["_number"]].charge


def _year_month(ts: int) -> tuple[int, int]:
    day = dt.datetime.fromtimestamp(ts, dt.UTC)
    return day.year, day.month


def card_updater(state: State, pm: dict[str, Any], at: int, exp: tuple[int, int]) -> None:
    """Stripe's card updater: the issuer sent a card's new expiry (`exp`: year, month); the payment method keeps its id
    and `payment_method.automatically_updated` is sent (docs.stripe.com/api/events/types; Stripe's next retry of a
    hard decline then charges it: docs.stripe.com/billing/revenue-recovery/smart-retries)."""
    before = copy.deepcopy(pm)
    pm["card"]["exp_year"], pm["card"]["exp_month"] = exp
    pm["_updated_at"] = at
    state.emit("payment_method.automatically_updated", pm, diff(before, pm), created=at)
