"""Did saves last: Kaplan–Meier curves of "still subscribed" from the save date, per offer, with censoring."""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist

from .outcomes import DAY
from .saves import Save

Z95 = NormalDist().inv_cdf(0.975)
LATE_DAYS = 90  # a save that ends within this many days is a late loss (as the outcome cards count it)
READ_AT = (30, 90, 180)  # the days a founder reads off the curves
# A curve is shown, and read, only while at least this many saves are still followed: past that one save more or
# less swings it to 0% or holds it flat, which reads as a finding (clinical survival plots stop at a minimum
# number at risk for the same reason; the whole estimate stays in the CSV).
MIN_AT_RISK = 5


@dataclass(frozen=True)
class Step:
    """The curve after the losses at day `t`: S(t), its 95% interval (Greenwood, log-log), and the numbers."""

    t: float
    survival: float
    low: float
    high: float
    at_risk: int
    lost: int
    censored: int


def kaplan_meier(durations: list[float], lost: list[bool]) -> list[Step]:
    """The product-limit estimate (Kaplan & Meier 1958): at each time with a loss, S *= 1 - d/n, n being those
    still followed just before it; a censored save leaves the risk set without a step. The 95% interval is the
    log(-log) transform of Greenwood's variance (as survival packages default to: it stays inside 0–1)."""
    losses: Counter[float] = Counter(t for t, e in zip(durations, lost, strict=True) if e)
    leaving = Counter(durations)  # every save followed to t leaves the risk set after t (lost or censored)
    n = len(durations)
    s, greenwood, out = 1.0, 0.0, []
    for t in sorted(leaving):  # one pass over the distinct times: a million saves stay a fraction of a second
        d, c = losses[t], leaving[t] - losses[t]
        if d:
            s *= 1 - d / n
            greenwood += d / (n * (n - d)) if n > d else math.inf
            low, high = _log_log(s, greenwood)
            out.append(Step(t, s, low, high, n, d, c))
        elif out:
            out.append(Step(t, s, out[-1].low, out[-1].high, n, 0, c))
        else:
            out.append(Step(t, 1.0, 1.0, 1.0, n, 0, c))
        n -= leaving[t]
    return out


def _log_log(s: float, greenwood: float) -> tuple[float, float]:
    if s <= 0 or s >= 1 or math.isinf(greenwood):
        return (0.0, 0.0) if s <= 0 else (1.0, 1.0)
    se = math.sqrt(greenwood) / abs(math.log(s))
    return s ** math.exp(Z95 * se), s ** math.exp(-Z95 * se)


def survival_at(steps: list[Step], day: float, times: list[float] | None = None) -> float | None:
    """S(day), or None when no save has been followed that long (the curve says nothing there). `times`: the
    steps' times, when the caller keeps them (a chart reads a curve at every day)."""
    if not steps or steps[-1].t < day:
        return None
    at = bisect.bisect_right(times if times is not None else [step.t for step in steps], day)
    return steps[at - 1].survival if at else 1.0


@dataclass
class Curve:
    """One offer's saves: the curve, and the rates a founder asks about."""

    offer: str
    saves: int
    steps: list[Step] = field(default_factory=list)
    asked_again: int = 0  # saved, then asked to cancel again
    asked_again_after_offer: int = 0  # … after the discount ran out or the pause resumed
    lost: int = 0
    late_losses: int = 0  # ended within LATE_DAYS of the save
    lost_after_offer: int = 0

    def at(self, day: int) -> float | None:
        """S(day) on the shown curve; None past it (too few saves followed that long to say)."""
        return survival_at(self.shown, day, self.times)

    @cached_property
    def shown(self) -> list[Step]:
        """The steps while at least MIN_AT_RISK saves are still followed (the curve ends there)."""
        end = next((i for i, step in enumerate(self.steps) if step.at_risk < MIN_AT_RISK), len(self.steps))
        return self.steps[:end]

    @cached_property
    def times(self) -> list[float]:
        return [step.t for step in self.shown]


def curves(found: list[Save], now: int) -> list[Curve]:
    """Per offer family: time from the save to the end (a loss), or to now / the next save (censored)."""
    groups: dict[str, list[Save]] = defaultdict(list)
    for s in found:
        groups[s.offer].append(s)
    out = []
    for offer, items in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        durations, lost = [], []
        curve = Curve(offer, len(items))
        for s in items:
            stop = s.lost_at if s.lost_at is not None else min(s.until or now, now)
            durations.append(max(0.0, (stop - s.saved_at) / DAY))
            lost.append(s.lost_at is not None)
            curve.lost += s.lost_at is not None
            curve.late_losses += s.lost_at is not None and s.lost_at - s.saved_at <= LATE_DAYS * DAY
            curve.lost_after_offer += s.after_offer(s.lost_at)
            curve.asked_again += s.asked_again_at is not None
            curve.asked_again_after_offer += s.after_offer(s.asked_again_at)
        curve.steps = kaplan_meier(durations, lost)
        out.append(curve)
    return out
