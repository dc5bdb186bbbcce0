"""Failed payments from Stripe's JSON: an invoice's collection state, and the last decline from its InvoicePayment's
PaymentIntent (since 2025-03-31.basil the invoice names no payment_intent or charge: its InvoicePayments do,
https://docs.stripe.com/api/invoice-payment/object)."""

from __future__ import annotations

from typing import Any

from ..domain import holdout
from ..domain.failed import Collection, LastDecline


def id_of(value: Any) -> str | None:
    found = value.get("id") if isinstance(value, dict) else value
    return found if isinstance(found, str) else None


def invoice_subscription(invoice: dict[str, Any]) -> str | None:
    """The subscription an invoice bills: `parent.subscription_details.subscription` since 2025-03-31.basil, the
    top-level `subscription` before it (an event keeps the API version it was made in); None for other invoices."""
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    found = details.get("subscription") or invoice.get("subscription")
    found = found.get("id") if isinstance(found, dict) else found
    return found if isinstance(found, str) else None


def collection(invoice: dict[str, Any]) -> Collection | None:
    """The invoice's collection state, or None for an invoice that bills no subscription (or a deleted stub).
    `amount_remaining` is what is left to pay; an event from an API version without it gives `amount_due`."""
    sub_id = invoice_subscription(invoice)
    customer = id_of(invoice.get("customer"))
    if sub_id is None or customer is None or not isinstance(invoice.get("id"), str):
        return None
    remaining = invoice.get("amount_remaining")
    nxt = invoice.get("next_payment_attempt")
    return Collection(
        invoice_id=invoice["id"], subscription_id=sub_id, customer_id=customer,
        currency=str(invoice.get("currency") or ""),
        amount_due=int(remaining if remaining is not None else invoice.get("amount_due") or 0),
        status=str(invoice.get("status") or ""), attempt_count=int(invoice.get("attempt_count") or 0),
        next_attempt=int(nxt) if nxt is not None else None,
        automatic=(invoice.get("collection_method") or "charge_automatically") == "charge_automatically",
        created=int(invoice.get("created") or 0),
        hosted_url=invoice.get("hosted_invoice_url") if isinstance(invoice.get("hosted_invoice_url"), str) else None,
        holdout=_holdout(invoice.get("metadata")),
    )  # fmt: skip


def _holdout(metadata: Any) -> str | None:
    """The hold-out group recorded on the invoice (by this console or another), when it is one of ours."""
    found = metadata.get(holdout.KEY) if isinstance(metadata, dict) else None
    return found if found in (holdout.STRIPE, holdout.DESK) else None


def last_decline(payments: list[dict[str, Any]], attempt: int) -> LastDecline:
    """From an invoice's InvoicePayments (`expand[]=data.payment.payment_intent`): the default one's PaymentIntent's
    last error and the card it names. No error (nothing was charged: no card on file) gives no payment method."""
    chosen = next((p for p in payments if p.get("is_default")), payments[0] if payments else None)
    intent = ((chosen or {}).get("payment") or {}).get("payment_intent")
    error = (intent.get("last_payment_error") if isinstance(intent, dict) else None) or {}
    pm = error.get("payment_method")
    card = (pm.get("card") if isinstance(pm, dict) else None) or {}
    if not error and isinstance(intent, dict) and intent.get("payment_method"):
        pm = intent["payment_method"]  # tried, with no error kept: the card is named, nothing is known of why
    return LastDecline(
        attempt=attempt, code=error.get("code"), decline_code=error.get("decline_code"),
        advice_code=error.get("advice_code"), message=error.get("message"), payment_method=id_of(pm),
        brand=card.get("brand"), last4=card.get("last4"), exp_month=card.get("exp_month"), exp_year=card.get("exp_year"),
    )  # fmt: skip
