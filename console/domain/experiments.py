"""Offer experiments: a playbook rule's two or three offers with weights, a stable random assignment per
subscription, and an honest comparison (intervals, the customers still needed, no winner on small numbers)."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from statistics import NormalDist

from .offers import Offer
from .proportions import Z95, newcombe

Z_POWER = NormalDist().inv_cdf(0.80)  # 80% power: the usual planning figure
DIFFERENCE = 0.10  # the difference in save rate worth telling apart (10 points)
LABELS = "ABC"


@dataclass(frozen=True)
class Variant:
    """One arm of an experiment: its label (A is the control), the offer, and its weight (a share of the rows)."""

    label: str
    offer: Offer
    weight: int = 1


def assign(experiment: str, subscription_id: str, variants: tuple[Variant, ...]) -> Variant:
    """The variant for this subscription: a hash of the experiment's name and the id, cut by the weights. As
    random as a coin for the rows, but the same on every console and every day (two reps see one offer), as
    hash bucketing in A/B tools does."""
    digest = hashlib.sha256(f"{experiment}\x1f{subscription_id}".encode()).digest()
    roll = int.from_bytes(digest[:8], "big") / 2**64
    total = sum(v.weight for v in variants)
    edge = 0.0
    for v in variants:
        edge += v.weight / total
        if roll < edge:
            return v
    return variants[-1]


def started_at(day: str) -> int:
    """An experiment's first day ("2026-09-01") as the epoch second it starts, UTC: customers who asked from then on
    take part."""
    return int(datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).timestamp())


def code(experiment: str, label: str) -> str:
    """What the save's metadata and the cache keep: `price-test:B`."""
    return f"{experiment}:{label}"


def parse(recorded: str | None) -> tuple[str, str] | None:
    if not recorded or ":" not in recorded:
        return None
    name, label = recorded.rsplit(":", 1)
    return (name, label) if name and label else None


def needed_per_arm(base_rate: float, difference: float = DIFFERENCE) -> int:
    """Customers each offer needs to tell `difference` (two-sided 5%, 80% power; Fleiss, "Statistical Methods
    for Rates and Proportions", the normal approximation for two proportions)."""
    p1 = min(max(base_rate, 0.01), 0.99 - difference)
    p2 = p1 + difference
    mean = (p1 + p2) / 2
    top = Z95 * math.sqrt(2 * mean * (1 - mean)) + Z_POWER * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(top * top / (difference * difference))


@dataclass(frozen=True)
class Arm:
    label: str
    offer_code: str
    customers: int  # assigned and decided (saved or lost)
    saved: int

    @property
    def rate(self) -> float | None:
        return self.saved / self.customers if self.customers else None


@dataclass(frozen=True)
class Verdict:
    """B (or C) against A: the difference in points with its interval, the customers still needed, in words."""

    arm: str
    control: str
    difference: float | None
    low: float | None
    high: float | None
    needed: int  # per offer, to tell a DIFFERENCE
    more: int  # still needed per offer (0: enough)
    words: str


def verdict(control: Arm, other: Arm) -> Verdict:
    """A plain sentence, never a winner on small numbers: until both offers have the customers needed to tell a
    10-point difference, it says how many more; then the 95% interval says which saves more, or that neither
    does by that much."""
    decided = control.customers + other.customers
    base = (control.saved + other.saved) / decided if decided else 0.3
    needed = needed_per_arm(base)
    more = max(0, needed - min(control.customers, other.customers))
    if not control.customers or not other.customers:
        words = f"No customers decided yet for {'both offers' if not decided else 'one offer'}: about {needed} per offer are needed to tell a 10-point difference."
        return Verdict(other.label, control.label, None, None, None, needed, more, words)
    diff, low, high = newcombe(control.saved, control.customers, other.saved, other.customers)
    points = f"95% interval {low * 100:+.0f} to {high * 100:+.0f} points"
    if more:
        words = f"Not enough customers yet: need about {more} more per offer to tell a 10-point difference ({points} so far)."
    elif low > 0:
        words = f"{other.label} saves more than {control.label}: {diff * 100:+.0f} points, {points}."
    elif high < 0:
        words = f"{control.label} saves more than {other.label}: {-diff * 100:+.0f} points, {points}."
    else:
        words = f"No difference shown between {control.label} and {other.label} ({points})."
    return Verdict(other.label, control.label, diff, low, high, needed, more, words)
