"""The account overview: what a rep or founder sees first, summed from the synced cache."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..domain.models import Account
from ..domain.money import totals
from .workspace import Workspace


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


def load_overview(workspace: Workspace, unreadable: tuple[str, ...] = ()) -> Overview:
    """The figures from the cache a sync just brought up to date (no requests: sums in SQLite).

    `unreadable` names what the key may not read ("coupons", "portal"), so its card says so
    instead of showing zero.
    """
    cache = workspace.cache
    groups = cache.live_totals()
    configs = [] if "portal" in unreadable else cache.portal_configurations()
    coupons = [] if "coupons" in unreadable else cache.coupons()
    default = next((c for c in configs if c.is_default), None)
    status_counts: Counter[str] = Counter()
    for g in groups:
        status_counts[g["status"]] += g["n"]
    return Overview(
        account=workspace.account,
        live_subscriptions=sum(g["n"] for g in groups),
        pending_cancellations=sum(g["n"] for g in groups if g["pending"]),
        mrr_by_currency=totals((g["mrr"], g["currency"]) for g in groups if g["status"] != "trialing"),
        mrr_at_risk_by_currency=totals((g["mrr"], g["currency"]) for g in groups if g["pending"]),
        status_counts=dict(status_counts),
        coupons_valid=sum(c.valid for c in coupons),
        coupons_total=len(coupons),
        portal_configurations=len(configs),
        portal_configurations_active=sum(c.active for c in configs),
        default_portal=(default.name or default.id) if default else None,
        unreadable=unreadable,
    )
