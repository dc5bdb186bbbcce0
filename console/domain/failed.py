"""A failed payment as the desk holds it: an open invoice's collection state, its last decline, and the row a rep
works (issue 33). Stripe's fields: docs.stripe.com/api/invoices/object (attempt_count, next_payment_attempt,
amount_remaining) and docs.stripe.com/api/payment_intents/object#payment_intent_object-last_payment_error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from . import dunning
from .desk import NO_DESK, Desk

DAY = 86400
# The failed-payments queue as the CLI prints it (table, JSON, CSV), in this order (docs/cli.md).
FAILED_FIELDS = (
    "subscription", "invoice", "customer", "name", "email", "plan", "status", "amount_due_minor", "mrr_minor", "currency",
    "amount_due", "mrr", "attempts", "first_failed_at", "next_attempt_at", "stripe_will_retry", "decline_code",
    "decline", "card", "ends", "ends_at", "next_step", "owner", "desk_state", "follow_up", "note", "hosted_invoice_url",
    "dashboard_url",
)  # fmt: skip
# What Stripe does after the last retry (Dashboard → Billing → Revenue recovery → "Manage failed payments"): no API
# reads this setting, so the desk holds what the team says it is (desk.json), Stripe's default being to cancel.
END_ACTIONS = ("cancel", "unpaid", "past_due", "pause")
END_WORDS = {"cancel": "canceled", "unpaid": "marked unpaid", "past_due": "left past due", "pause": "paused"}
SHOWN_STATUSES = ("past_due", "unpaid", "paused")  # a subscription still to win back (canceled ones are lost)


@dataclass(frozen=True, slots=True)  # one per failed payment: 50,000 in a large account, no __dict__ each
class Collection:
    """An invoice's collection state after an event or a read: whether it is on the desk, and what it owes."""

    invoice_id: str
    subscription_id: str
    customer_id: str
    currency: str
    amount_due: int  # what is left to pay (amount_remaining), in minor units
    status: str  # draft, open, paid, uncollectible, void
    attempt_count: int
    next_attempt: int | None  # next_payment_attempt: None when Stripe will not try again on its own
    automatic: bool  # collection_method == charge_automatically: Stripe charges it, and retries it
    created: int
    hosted_url: str | None = None
    holdout: str | None = None  # the hold-out group its metadata records (domain/holdout.py), if any

    @property
    def failing(self) -> bool:
        """On the desk: open, charged by Stripe, and at least one attempt failed."""
        return self.status == "open" and self.automatic and self.attempt_count > 0


# A card's brand as people write it: Stripe's codes are "amex, cartes_bancaires, diners, discover, eftpos_au, jcb, link,
# mastercard, unionpay, visa or unknown" (the SDK's PaymentMethod.Card.brand, stripe/_payment_method.py); "Amex" and
# "Jcb" (the codes title-cased) are how nobody writes them.
BRAND_WORDS = {
    "amex": "American Express", "cartes_bancaires": "Cartes Bancaires", "diners": "Diners Club", "discover": "Discover",
    "eftpos_au": "eftpos", "jcb": "JCB", "link": "Link", "mastercard": "Mastercard", "unionpay": "UnionPay",
    "visa": "Visa", "unknown": "Card",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class LastDecline:
    """The latest attempt's error (the invoice's PaymentIntent's `last_payment_error`) and the card it tried; read once
    per attempt (`attempt` is the invoice's attempt_count when it was read)."""

    attempt: int
    code: str | None = None
    decline_code: str | None = None
    advice_code: str | None = None
    message: str | None = None
    payment_method: str | None = None
    brand: str | None = None
    last4: str | None = None
    exp_month: int | None = None
    exp_year: int | None = None

    @property
    def has_card(self) -> bool:
        return self.payment_method is not None

    def card(self) -> str:
        """ "Visa •••• 4242, 12/2027" (plain text), or "" when no card was tried."""
        if not self.last4:
            return ""
        expiry = f", {self.exp_month:02d}/{self.exp_year}" if self.exp_month and self.exp_year else ""
        brand = self.brand or "unknown"
        return f"{BRAND_WORDS.get(brand, brand.replace('_', ' ').title())} •••• {self.last4}{expiry}"


@dataclass(frozen=True, slots=True)
class FailedRow:
    """One subscription whose open invoice failed to charge, as the failed-payments queue shows it."""

    collection: Collection
    decline: LastDecline | None  # None until its first read (or for a key that may not read PaymentIntents)
    customer_name: str | None
    email: str | None
    plan: str
    status: str  # the subscription's: past_due, unpaid, paused
    mrr_minor: int
    livemode: bool = False
    card_changed: bool = False  # a payment method the customer added after the last attempt
    desk: Desk = NO_DESK

    @property
    def subscription_id(self) -> str:
        return self.collection.subscription_id

    @property
    def customer_id(self) -> str:
        return self.collection.customer_id

    def failure(self) -> dunning.Failure:
        d = self.decline
        return dunning.Failure(
            status=self.collection.status, code=d.code if d else None, decline_code=d.decline_code if d else None,
            has_card=d.has_card if d else True, card_changed=self.card_changed,
            next_attempt=self.collection.next_attempt, attempts=self.collection.attempt_count,
        )  # fmt: skip

    def decline_words(self) -> str:
        if self.decline is None:
            return "Declined: the reason is read at the next sync"
        return dunning.words(self.decline.code, self.decline.decline_code, has_card=self.decline.has_card)

    def ends_at(self, retry_days: int) -> datetime:
        """When Stripe's retries run out and the end action runs: the retry window from the first attempt (the
        invoice's creation: a renewal is attempted as it is finalized), or the next attempt if Stripe set one later."""
        end = self.collection.created + retry_days * DAY
        if self.collection.next_attempt is not None:
            end = max(end, self.collection.next_attempt)
        return datetime.fromtimestamp(end, UTC)

    def next_step(self, now: int) -> str:
        return dunning.next_step(self.failure(), now)

    def will_retry(self) -> bool:
        return dunning.stripe_will_retry(self.failure())
