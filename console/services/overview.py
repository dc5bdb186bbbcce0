"""The account overview: what a rep or founder sees first, read live through the gateway."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..domain.models import Account
from ..domain.money import totals
from ..errors import PermissionMissing
from ..stripe_gateway import StripeGateway


@dataclass(frozen=True)
class Overview:
    """Headline figures for one account and mode."""

    account: Account
    live_subscriptions: int
    pending_cancellations: int
    mrr_by_currency: dict[str, int]
    mrr_at_risk_by_currency: dict[str, int]
    status_counts: dict[str, int] = field(default_factory=dict)
    coupons_valid: int = 0
    coupons_total: int = 0
    portal_configurations: int = 0
    portal_configurations_active: int = 0
    default_portal: str | None = None
    unreadable: tuple[str, ...] = ()


def load_overview(gateway: StripeGateway) -> Overview:
    """Read the account, its live subscriptions, coupons and portal configurations."""
    account = gateway.account()
    live = list(gateway.iter_subscriptions())
    pending = [s for s in live if s.pending_cancellation]
    coupons = _optional(gateway.coupons)
    configs = _optional(gateway.portal_configurations)
    default = next((c for c in configs or [] if c.is_default), None)
    return Overview(
        account=account,
        live_subscriptions=len(live),
        pending_cancellations=len(pending),
        mrr_by_currency=totals((s.mrr_minor, s.currency) for s in live if s.status != "trialing"),
        mrr_at_risk_by_currency=totals((s.mrr_minor, s.currency) for s in pending),
        status_counts=dict(Counter(s.status for s in live)),
        coupons_valid=sum(c.valid for c in coupons or []),
        coupons_total=len(coupons or []),
        portal_configurations=len(configs or []),
        portal_configurations_active=sum(c.active for c in configs or []),
        default_portal=(default.name or default.id) if default else None,
        unreadable=tuple(name for name, got in (("coupons", coupons), ("portal", configs)) if got is None),
    )


def _optional(fn):
    """None when the key lacks the permission (the card says so) instead of failing the whole overview."""
    try:
        return fn()
    except PermissionMissing:
        return None
