"""What saves were worth, grouped by offer, reason or owner: collected, discount given, payback, per currency."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.feedback import label
from .saves import Save, SaveFacts

OFFER_WORDS = {"coupon": "Coupon", "pause": "Pause", "revoke": "Revoke only", "self": "Revoked on their own"}
BY = ("offer", "reason", "owner")


@dataclass
class ValueRow:
    """One group's saves. Money is per currency (never summed across), observed only: `too_recent` saves have no
    invoice due yet, `unread` ones have had their invoices read by no sync (or the key cannot read invoices)."""

    key: str
    label: str
    saves: int = 0
    known: int = 0
    too_recent: int = 0
    unread: int = 0
    collected: dict[str, int] = field(default_factory=dict)
    discount_cost: dict[str, int] = field(default_factory=dict)
    failed_payments: int = 0
    paybacks: list[int] = field(default_factory=list)
    asked_again: int = 0  # saved, then asked to cancel again
    ended: int = 0  # saved, then ended

    @property
    def median_payback(self) -> float | None:
        return statistics.median(self.paybacks) if self.paybacks else None

    def per_save(self, currency: str) -> int | None:
        """Collected per known save in a currency (only saves in that currency count)."""
        n = self.known_by_currency.get(currency, 0)
        return round(self.collected.get(currency, 0) / n) if n else None

    known_by_currency: dict[str, int] = field(default_factory=dict, repr=False)
    currencies: set[str] = field(default_factory=set)  # its saves' subscriptions' currencies, read or not


def _keys(facts: SaveFacts) -> dict[str, Callable[[Save], tuple[str, str]]]:
    return {
        "offer": lambda s: (s.offer, OFFER_WORDS.get(s.offer, s.offer)),
        "reason": lambda s: (  # customers' own revokes apart, as the reason table counts the desk's saves alone
            ("self", "The customer, on their own")
            if s.outcome.kind == "saved_customer"
            else (s.outcome.reason_key or "none", s.outcome.feedback_text or label(s.outcome.reason_key))
        ),
        "owner": lambda s: _owner(s, facts),
    }


def _owner(s: Save, facts: SaveFacts) -> tuple[str, str]:
    if s.outcome.kind == "saved_customer":
        return "self", "The customer, on their own"
    who = s.operator or facts.owners.get(s.outcome.subscription_id) or ""
    return (who, who) if who else ("unknown", "Not recorded")


def value_rows(found: list[Save], by: str, facts: SaveFacts) -> list[ValueRow]:
    """The saves grouped `by` offer, reason or owner, the biggest group first."""
    key_of = _keys(facts)[by]
    rows: dict[str, ValueRow] = {}
    for s in found:
        key, words = key_of(s)
        row = rows.setdefault(key, ValueRow(key, words))
        row.saves += 1
        row.currencies.add(s.outcome.currency)
        row.asked_again += s.asked_again_at is not None
        row.ended += s.lost_at is not None
        value = s.value
        if value is None:
            row.unread += 1
            continue
        if not value.known:
            row.too_recent += 1
            continue
        row.known += 1
        row.known_by_currency[value.currency] = row.known_by_currency.get(value.currency, 0) + 1
        row.collected[value.currency] = row.collected.get(value.currency, 0) + value.collected
        row.discount_cost[value.currency] = row.discount_cost.get(value.currency, 0) + value.discount_cost
        row.failed_payments += value.failed_payments
        if value.payback_days is not None:
            row.paybacks.append(value.payback_days)
    return sorted(rows.values(), key=lambda r: (-r.saves, r.label))


def totals(found: list[Save]) -> dict[str, dict[str, int]]:
    """Every known save's money: currency -> collected, discount_cost, saves."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"collected": 0, "discount_cost": 0, "saves": 0})
    for s in found:
        if s.value is not None and s.value.known:
            cur = out[s.value.currency]
            cur["collected"] += s.value.collected
            cur["discount_cost"] += s.value.discount_cost
            cur["saves"] += 1
    return dict(out)
