"""A row of the churn queue: one subscription pending cancellation, as reps see it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from .desk import NO_DESK, Desk
from .feedback import label
from .models import Subscription

DASHBOARD = "https://dashboard.stripe.com/"

# A queue row as the CLI prints it (table, JSON, CSV; store/queue_reads.py reads them), in this order.
RECORD_FIELDS = (
    "subscription", "customer", "name", "email", "customer_deleted", "plan", "status", "mrr_minor", "currency", "mrr",
    "mrr_usage_based", "cancel_at", "requested_at", "days_left", "feedback", "reason", "comment", "tenure_days", "discount", "dashboard_url",
    "owner", "owner_since", "desk_state", "due", "follow_up", "last_contact", "note", "discount_saved_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)  # 200,000 of them in a large queue: no __dict__ each
class QueueRow:
    """Everything the queue table, its filters and the CLI show for one pending cancellation."""

    subscription_id: str
    customer_id: str
    customer_name: str | None
    email: str | None
    plan: str
    mrr_minor: int
    currency: str
    ends_at: datetime
    requested_at: datetime | None
    feedback: str | None
    comment: str | None
    created: datetime
    status: str
    discount: str | None
    livemode: bool = False
    interval: str = "month"
    customer_deleted: bool = False
    usage_based: bool = False
    feedback_option: str | None = None
    feedback_text: str | None = None
    pause_blocker: str | None = "Not known yet: sync again."  # why no real pause (domain/pausing.py); None: allowed
    desk: Desk = NO_DESK  # owner, state, follow-up and latest note, shared through Stripe (domain/desk.py)
    discount_saved_at: datetime | None = None  # the last time the desk saved it with a discount (the guardrail)
    discount_saved_offer: str | None = None  # that save's offer code (coupon:…)

    def days_left(self, now: datetime | None = None) -> int:
        """Whole days until the cancellation takes effect (0 on its last day, never negative)."""
        now = now or datetime.now(UTC)
        return max(0, (self.ends_at - now).days)

    def tenure_days(self, now: datetime | None = None) -> int:
        now = now or datetime.now(UTC)
        return max(0, (now - self.created).days)

    @property
    def display_name(self) -> str:
        return display_name(self.customer_name, self.email, self.customer_id, self.customer_deleted)

    @property
    def reason(self) -> str:
        """The survey answer's label, or the custom reason's own text when the customer picked one."""
        return self.feedback_text or label(self.feedback)

    @property
    def reason_key(self) -> str | None:
        """What filters and rules match on: the custom reason's id (fo_…), else the survey code."""
        return self.feedback_option or self.feedback

    @property
    def dashboard_url(self) -> str:
        return f"{DASHBOARD}{'' if self.livemode else 'test/'}subscriptions/{self.subscription_id}"


def row_from_subscription(sub: Subscription, livemode: bool) -> QueueRow | None:
    """The queue row of a subscription, or None when it is not pending cancellation."""
    ends = sub.ends_at
    if ends is None:
        return None
    return QueueRow(
        subscription_id=sub.id,
        customer_id=sub.customer_id,
        customer_name=sub.customer_name,
        email=sub.customer_email,
        plan=sub.plan,
        mrr_minor=sub.mrr_minor,
        currency=sub.currency,
        ends_at=ends,
        requested_at=sub.canceled_at,
        feedback=sub.feedback,
        comment=sub.comment,
        created=sub.created,
        status=sub.status,
        discount=", ".join(sub.coupon_ids) or None,
        livemode=livemode,
        interval=sub.items[0].interval if sub.items else "month",
        customer_deleted=sub.customer_deleted,
        usage_based=any(i.usage_type == "metered" for i in sub.items),
        feedback_option=sub.feedback_option,
        feedback_text=sub.feedback_text,
        pause_blocker=sub.pause_blocker,
    )


def display_name(name: str | None, email: str | None, customer_id: str, deleted: bool) -> str:
    """The name to show: the customer's name (or e-mail, or id), marked when Stripe deleted the customer."""
    shown = name or email or customer_id
    return f"{shown} (deleted customer)" if deleted else shown


def currency_rank(currencies: Iterable[str]) -> dict[str, int]:
    """Currencies with the most rows first (one currency per row). Amounts in different currencies never
    compare, so sorting by MRR groups by currency in this order, then sorts within each currency."""
    return rank_of_counts(Counter(currencies))


def rank_of_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """currency_rank from each currency's row count (as SQLite counts them), in rank order: the most rows first,
    ties by code."""
    return {cur: i for i, (cur, _) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))}


def tenure_text(days: int) -> str:
    """`12 d`, `5 mo`, `2 y 3 mo`."""
    if days < 60:
        return f"{days} d"
    months = days * 12 // 365
    if months < 24:
        return f"{months} mo"
    years, rest = divmod(months, 12)
    return f"{years} y {rest} mo" if rest else f"{years} y"
