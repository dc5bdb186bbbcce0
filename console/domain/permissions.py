"""The restricted-key permissions the console knows: their codes, their names in the Dashboard's key editor, what
each enables, and the words for a feature a key may not use. The one registry (the key check, the welcome
screen, error messages and disabled features all read it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyPermission:
    code: str  # Stripe's name, as its 403 says it: rak_subscription_write
    label: str  # the Dashboard's: Subscriptions: Write
    enables: str  # what the console does with it
    needed: bool = True  # asked for when the key is made; the others only name Stripe's refusals


REGISTRY = (
    KeyPermission("rak_subscription_write", "Subscriptions: Write", "The queue, and saving, pausing, revoking and undoing"),
    KeyPermission("rak_customer_read", "Customers: Read", "Customer names and e-mails in the queue"),
    KeyPermission("rak_coupon_write", "Coupons: Write", "Offering coupons, and creating new ones"),
    KeyPermission("rak_billing_portal_write", "Customer portal: Write", "Portal links and the portal configuration editor"),
    KeyPermission("rak_event_read", "Events: Read", "Fast incremental sync and each customer's timeline"),
    KeyPermission(
        "rak_invoice_write",
        "Invoices: Write",
        "Lifetime value, what saves earned, the failed-payments queue, Retry now and Paid another way",
    ),  # fmt: skip
    KeyPermission("rak_payment_intent_read", "PaymentIntents: Read", "Why each failed payment was declined, and the card tried"),
    KeyPermission("rak_price_read", "Prices: Read", "Plan switching choices in the portal editor"),
    KeyPermission("rak_product_read", "Products: Read", "Plan switching choices in the portal editor"),
    KeyPermission("rak_subscription_read", "Subscriptions: Read", "Reading subscriptions (Write includes it)", False),
    KeyPermission("rak_invoice_read", "Invoices: Read", "Reading invoices (Write includes it)", False),
    KeyPermission("rak_coupon_read", "Coupons: Read", "Reading coupons (Write includes it)", False),
    KeyPermission("rak_billing_portal_read", "Customer portal: Read", "Reading portal configurations (Write includes it)", False),
    KeyPermission("rak_test_clock_read", "Test clocks: Read", "The sandbox's test clocks", False),
    KeyPermission("rak_test_clock_write", "Test clocks: Write", "The sandbox's test clocks", False),
)
NEEDED = tuple(p for p in REGISTRY if p.needed)
_BY_CODE = {p.code: p for p in REGISTRY}


def label(code: str) -> str:
    """`Subscriptions: Write` for `rak_subscription_write`; an unknown code as it is."""
    found = _BY_CODE.get(code)
    return found.label if found else code


def lacks(code: str) -> str:
    """Why a feature is off, as its tooltip or refusal says it."""
    return f"This key lacks {label(code)} — add it to the key in the Dashboard"
