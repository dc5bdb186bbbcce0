"""Changes read from Stripe's event stream, in the console's terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .failed import Collection
from .models import Coupon, Customer, PortalConfigSummary, Subscription
from .mrr import Usage
from .save_value import LedgerInvoice

EVENT_WINDOW_S = 30 * 86400  # Stripe lists the last 30 days' events (https://docs.stripe.com/api/events)
CURSOR_MARGIN_S = 3600  # a stored cursor this close to the edge of that window is not trusted
CURSOR_PARAMS = ("ending_before", "starting_after")  # what a 400 refusing a stored cursor names


def cursor_holds(at: int, now: int) -> bool:
    """Whether a cursor stored at `at` is still well inside Stripe's event window (both event streams use it)."""
    return at >= now - EVENT_WINDOW_S + CURSOR_MARGIN_S


# The event types incremental sync asks for (and the full sync's cursor is taken over).
SYNC_EVENT_TYPES = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.updated",
    "customer.deleted",
    "customer.discount.created",
    "coupon.created",
    "coupon.updated",
    "coupon.deleted",
    "billing_portal.configuration.created",
    "billing_portal.configuration.updated",
)


@dataclass(frozen=True)
class Change:
    """One event: what it was about, the object after it, and `previous_attributes`."""

    id: str
    type: str
    created: datetime
    subscription: Subscription | None = None
    customer: Customer | None = None
    discount: tuple[str, str, str | None, int | None] | None = None  # id, coupon, subscription, end
    coupon: Coupon | None = None
    portal_configuration: PortalConfigSummary | None = None
    previous: dict[str, Any] = field(default_factory=dict)


# The invoice events, read as a stream of their own beside SYNC_EVENT_TYPES (Stripe's `types` takes up to 20 names,
# no wildcard: https://docs.stripe.com/api/events/list): what keeps the save ledger and metered usage current, and what
# the failed-payments desk reads. A quiet sync asks for both streams at once (two requests, one round trip).
INVOICE_EVENT_TYPES = (
    "invoice.created",
    "invoice.finalized",
    "invoice.updated",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "invoice.marked_uncollectible",
    "invoice.voided",
    "invoice.overdue",
    "invoice_payment.paid",
    "payment_method.automatically_updated",  # the card updater (docs.stripe.com/api/events/types): the recovery report
)


@dataclass(frozen=True)
class InvoiceChange:
    """One invoice event: the invoice as it is after it (`invoice.*`), or the payment of one (`invoice_payment.paid`:
    an InvoicePayment names its invoice and the amount paid, https://docs.stripe.com/api/invoice-payment/object)."""

    id: str
    type: str
    created: int
    invoice: LedgerInvoice | None = None  # None for an invoice that bills no subscription
    coupons: tuple[tuple[str, str], ...] = ()  # (discount, coupon) for the discounts that came expanded
    usage: tuple[Usage, ...] = ()
    paid: tuple[str, int] | None = None  # invoice_payment.paid: (invoice id, amount paid)
    collection: Collection | None = None  # the invoice's collection state after it (the failed-payments desk)
    card: tuple[str, str] | None = None  # payment_method.automatically_updated: (customer, payment method)
