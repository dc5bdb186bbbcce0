"""Changes read from Stripe's event stream, in the console's terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .models import Coupon, Customer, PortalConfigSummary, Subscription

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
