"""The desk's lift, measured (issue 34 §3): a share of new failed payments is left to Stripe alone, chosen by a stable
hash of the invoice's id (every console picks the same), recorded on the invoice's metadata (the group stays when the
share changes later), kept out of the reps' queue; then recovery in the two groups is compared with Newcombe's
interval for the difference of two proportions, and no lift is declared on small numbers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .proportions import newcombe, wilson
from .stamp import PREFIX

KEY = PREFIX + "holdout"  # on the invoice's metadata: "stripe" (left to Stripe alone) or "desk"
STRIPE, DESK = "stripe", "desk"
GROUP_WORDS = {STRIPE: "Left to Stripe (hold-out)", DESK: "Worked by the desk"}
MAX_PERCENT = 50
MIN_DECIDED = 30  # each group's decided invoices before any difference is read: fewer, and the report says so


def group_of(invoice_id: str, percent: int) -> str:
    """The group of a failed invoice: the same for every console and every run (a hash of its id, not a random draw);
    `percent` of invoices, in 0.01% steps, are left to Stripe."""
    digest = hashlib.sha256(f"churn-console-holdout:{invoice_id}".encode()).digest()
    return STRIPE if int.from_bytes(digest[:4], "big") % 10_000 < percent * 100 else DESK


@dataclass(frozen=True)
class Arm:
    """One group's decided invoices (recovered or lost) and how many were recovered; in progress counted apart."""

    decided: int
    recovered: int
    in_progress: int

    @property
    def rate(self) -> float | None:
        return self.recovered / self.decided if self.decided else None

    def interval(self) -> tuple[float, float]:
        return wilson(self.recovered, self.decided)


@dataclass(frozen=True)
class Lift:
    """The desk's recovery rate minus Stripe's alone, with Newcombe's 95% interval; `verdict` in words."""

    stripe: Arm
    desk: Arm
    difference: float | None
    low: float | None
    high: float | None

    @property
    def verdict(self) -> str:
        if min(self.stripe.decided, self.desk.decided) < MIN_DECIDED or self.low is None or self.high is None:
            return f"Not enough yet: each group needs {MIN_DECIDED} decided invoices to tell."
        if self.low > 0:
            return "The desk recovers more than Stripe alone."
        if self.high < 0:
            return "The desk recovers less than Stripe alone."
        return "No difference shown yet (the interval holds zero)."


def lift(stripe: Arm, desk: Arm) -> Lift:
    """Compare the two groups (recovered of decided, by invoice): the difference desk − Stripe alone."""
    if not stripe.decided or not desk.decided:
        return Lift(stripe, desk, None, None, None)
    difference, low, high = newcombe(stripe.recovered, stripe.decided, desk.recovered, desk.decided)
    return Lift(stripe, desk, difference, low, high)
