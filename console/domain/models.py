"""The console's records of Stripe objects, reduced to what the console shows and decides on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from . import pausing
from .money import monthly_minor

ENDED_STATUSES = frozenset({"canceled", "incomplete_expired"})


@dataclass(frozen=True)
class Account:
    """The Stripe account a key belongs to, and the key's mode."""

    id: str
    name: str
    livemode: bool
    created: int = 0
    readable: bool = True  # False: the key may not read /v1/account; `name` is the profile's

    @property
    def mode_label(self) -> str:
        return "LIVE" if self.livemode else "TEST"


@dataclass(frozen=True)
class Customer:
    """A customer as the queue shows it; `deleted` once Stripe answers with its deleted object."""

    id: str
    name: str | None
    email: str | None
    deleted: bool = False
    default_payment_method: str | None = None  # invoice_settings.default_payment_method: what Stripe's retries charge


@dataclass(frozen=True, slots=True)
class Item:
    """One subscription item: a price times a quantity."""

    price_id: str
    product_id: str
    nickname: str | None
    unit_amount: int
    currency: str
    interval: str
    interval_count: int
    quantity: int
    current_period_end: datetime | None
    item_id: str = ""
    billing_scheme: str = "per_unit"  # or tiered (then unit_amount is null and the tiers are on the price)
    tiers_mode: str | None = None  # graduated | volume
    transform_divide_by: int | None = None
    transform_round: str | None = None  # up | down
    usage_type: str = "licensed"  # or metered (no quantity; valued from invoices)
    unit_amount_decimal: str | None = None

    @property
    def mrr_minor(self) -> int:
        """List MRR of a plain per-unit item (domain.mrr values every kind, with discounts)."""
        return monthly_minor(self.unit_amount, self.quantity, self.interval, self.interval_count)


@dataclass(frozen=True, slots=True)  # a million in a full sync of a large account
class Subscription:
    """A subscription with its customer, as sync and the queue need it."""

    id: str
    customer_id: str
    customer_name: str | None
    customer_email: str | None
    status: str
    currency: str
    created: datetime
    items: tuple[Item, ...]
    cancel_at_period_end: bool
    cancel_at: datetime | None
    canceled_at: datetime | None
    ended_at: datetime | None
    feedback: str | None
    comment: str | None
    cancel_reason: str | None
    discount_ids: tuple[str, ...] = ()
    coupon_ids: tuple[str, ...] = ()
    paused: bool = False
    pause_resumes_at: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    customer_deleted: bool = False
    discount_ends: tuple[datetime | None, ...] = ()  # per discount_ids entry, when known
    mrr: int | None = None  # net MRR in minor units once valued (domain.mrr); None: not valued yet
    trial_end: datetime | None = None
    feedback_option: str | None = None  # a custom reason's id (Feedback Options API)
    feedback_text: str | None = None  # its description, as the customer read it
    billing_mode: str = "classic"  # `billing_mode.type`: classic or flexible (a real pause needs flexible)
    schedule_id: str | None = None  # an attached subscription schedule (no real pause then)
    collection_method: str = "charge_automatically"
    paused_at: datetime | None = None  # `status_details.paused.transitioned_at` while status is `paused`

    @property
    def ended(self) -> bool:
        return self.status in ENDED_STATUSES

    @property
    def pending_cancellation(self) -> bool:
        """Not ended, and set to cancel (at period end or at a date)."""
        return not self.ended and (self.cancel_at_period_end or self.cancel_at is not None)

    @property
    def ends_at(self) -> datetime | None:
        """When a pending cancellation takes effect: `cancel_at`, else the period end."""
        if not self.pending_cancellation:
            return None
        if self.cancel_at is not None:
            return self.cancel_at
        ends = [item.current_period_end for item in self.items if item.current_period_end is not None]
        return min(ends) if ends else None  # unknown (never "now"): the caller reads the subscription again

    @property
    def pause_blocker(self) -> str | None:
        """Why Stripe would not pause this subscription (a real pause), or None when it would."""
        return pausing.blocker(
            status=self.status,
            billing_mode=self.billing_mode,
            schedule_id=self.schedule_id,
            collection_method=self.collection_method,
            collection_paused=self.paused,
        )

    @property
    def mrr_minor(self) -> int:
        """Net MRR once valued (domain.mrr, applied when the cache records it), else the plain list sum."""
        return self.mrr if self.mrr is not None else sum(item.mrr_minor for item in self.items)

    @property
    def plan(self) -> str:
        if not self.items:
            return "—"
        first = self.items[0]
        name = first.nickname or first.price_id
        return name if len(self.items) == 1 else f"{name} +{len(self.items) - 1}"


@dataclass(frozen=True)
class Coupon:
    """A coupon as the console offers it."""

    id: str
    name: str | None
    percent_off: float | None
    amount_off: int | None
    currency: str | None
    duration: str
    duration_in_months: int | None
    valid: bool
    times_redeemed: int
    max_redemptions: int | None


@dataclass(frozen=True)
class PortalConfigSummary:
    """A customer portal configuration, as listed."""

    id: str
    name: str | None
    is_default: bool
    active: bool
    updated: datetime
    features_on: tuple[str, ...]
