"""A recovery rate nobody can inflate (issue 34 §2), per currency, over the invoices that first failed in a period.

Recovered ÷ (recovered + lost), in money: invoices still in progress are shown apart, never counted as lost or as
recovered; unretryable declines stay in (vendors that drop them report higher rates: Butter's evaluation guide warns
of it); late recoveries count (up to 42% of recoveries come after day 14: Churn Buster), and the rate by day 7, 14, 30
and 60 shows them: of the invoices at least that old, the share of the failed amount recovered within that many days.
Amounts are never summed across currencies.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .holdout import DESK, GROUP_WORDS, STRIPE, Arm, Lift, lift
from .recovery import DAY, LINK_WINDOW_DAYS, REASONS, Failure, credit

READ_AT = (7, 14, 30, 60)


@dataclass
class Group:
    """Failed, recovered, in-progress and lost amounts (minor units) and counts, for one slice of one currency."""

    failed_minor: int = 0
    recovered_minor: int = 0
    in_progress_minor: int = 0
    lost_minor: int = 0
    failed: int = 0
    recovered: int = 0
    lost: int = 0
    in_progress: int = 0

    def add(self, f: Failure) -> None:
        self.failed_minor += f.failed_minor
        self.failed += 1
        if f.recovered:
            self.recovered_minor += f.failed_minor
            self.recovered += 1
        elif f.in_progress:
            self.in_progress_minor += f.failed_minor
            self.in_progress += 1
        else:
            self.lost_minor += f.failed_minor
            self.lost += 1

    def arm(self) -> Arm:
        return Arm(self.recovered + self.lost, self.recovered, self.in_progress)

    @property
    def rate(self) -> float | None:
        decided = self.recovered_minor + self.lost_minor
        return self.recovered_minor / decided if decided else None


@dataclass
class CurrencyFigures:
    """One currency's figures: the totals, by reason (the attribution), by decline code, by rep, by day N, lost by how."""

    currency: str
    order: tuple[str, ...] = REASONS  # the attribution order (the playbook's): by_reason is shown in it
    total: Group = field(default_factory=Group)
    by_reason: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    by_reason_count: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    by_decline: dict[str, Group] = field(default_factory=lambda: defaultdict(Group))
    by_rep: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lost_by: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    at_day: dict[int, float | None] = field(default_factory=dict)
    at_day_invoices: dict[int, int] = field(default_factory=dict)  # each day's cohort: the invoices at least that old
    days_to_recover: list[float] = field(default_factory=list)
    curve: list[tuple[float, float]] = field(default_factory=list)  # (days since the first failure, share recovered)
    followed_days: float = 0.0  # the oldest failure's age now: how far the curve can say anything
    weeks: list[tuple[int, Group]] = field(default_factory=list)  # by the week of the first failure (from `since`)
    groups: dict[str, Group] = field(default_factory=lambda: {STRIPE: Group(), DESK: Group()})  # the hold-out's

    def lift(self) -> Lift:
        """The desk's recovery rate against Stripe's alone, over the invoices the hold-out assigned."""
        return lift(self.groups[STRIPE].arm(), self.groups[DESK].arm())

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.days_to_recover) if self.days_to_recover else None


@dataclass
class RecoveryFigures:
    """Every currency's figures (the most failed invoices first), with the settings they were computed with."""

    since: int
    until: int
    window_days: int
    currencies: list[CurrencyFigures]
    holdout_percent: int = 0
    holdout_since: int | None = None
    order: tuple[str, ...] = REASONS  # the attribution order the reasons were credited in (the playbook's)


def figures(
    failures: Iterable[Failure], since: int, until: int, now: int, window_days: int = LINK_WINDOW_DAYS,
    order: tuple[str, ...] = REASONS,
) -> RecoveryFigures:  # fmt: skip
    """The figures of the invoices that first failed in [since, until), as of `now`."""
    found: dict[str, CurrencyFigures] = {}
    cohorts: dict[str, list[Failure]] = defaultdict(list)
    for f in failures:
        if not since <= f.first_failed_at < until:
            continue
        c = found.setdefault(f.currency, CurrencyFigures(f.currency, order))
        cohorts[f.currency].append(f)
        c.total.add(f)
        c.by_decline[f.decline_code or "unknown"].add(f)
        if f.group in c.groups:
            c.groups[f.group].add(f)
        if f.lost:
            c.lost_by[f.outcome or ""] += f.failed_minor
        credited = credit(f, window_days, order)
        if credited is not None and f.ended_at is not None:
            reason, rep = credited
            c.by_reason[reason] += f.failed_minor
            c.by_reason_count[reason] += 1
            if rep:
                c.by_rep[rep] += f.failed_minor
            c.days_to_recover.append((f.ended_at - f.first_failed_at) / DAY)
    for currency, c in found.items():
        read = {day: _by_day(cohorts[currency], day, now) for day in READ_AT}
        c.at_day = {day: share for day, (share, _n) in read.items()}
        c.at_day_invoices = {day: n for day, (_share, n) in read.items()}
        c.curve = recovery_curve(cohorts[currency], now)
        c.followed_days = max((now - f.first_failed_at) / DAY for f in cohorts[currency])
        c.weeks = _weeks(cohorts[currency], since, until)
    ordered = sorted(found.values(), key=lambda c: (-c.total.failed, c.currency))
    return RecoveryFigures(since, until, window_days, ordered, order=order)


def _by_day(cohort: list[Failure], day: int, now: int) -> tuple[float | None, int]:
    """Of the failed amount of invoices at least `day` days old, the share recovered within `day` days; and how many
    invoices are that old."""
    old = [f for f in cohort if f.first_failed_at + day * DAY <= now]
    total = sum(f.failed_minor for f in old)
    if not total:
        return None, len(old)
    within = sum(
        f.failed_minor for f in old if f.recovered and f.ended_at is not None and f.ended_at - f.first_failed_at <= day * DAY
    )
    return within / total, len(old)


def by_day_words(c: CurrencyFigures, sep: str, digits: int = 0) -> str:
    """`day 7 23% of 17 · day 14 39% of 12 · day 30 0% of 2 · day 60 —`: each day's share over its own cohort (the
    invoices at least that old), so a later day can read lower than an earlier one; the counts say why."""

    def one(day: int) -> str:
        share = c.at_day.get(day)
        return f"day {day} —" if share is None else f"day {day} {share:.{digits}%} of {c.at_day_invoices.get(day, 0)}"

    return sep.join(one(d) for d in READ_AT)


def recovery_curve(cohort: list[Failure], now: int) -> list[tuple[float, float]]:
    """The share of the failed amount recovered by each day since the first failure, Kaplan–Meier style in money:
    an invoice still in progress is censored at its age now (it leaves the amount at risk without counting either
    way); a lost one stays at risk (it was not recovered). Steps at each recovery: (days, share so far)."""
    recovered: dict[float, int] = defaultdict(int)
    censored: dict[float, int] = defaultdict(int)
    at_risk = 0
    for f in cohort:
        at_risk += f.failed_minor
        if f.recovered and f.ended_at is not None:
            recovered[(f.ended_at - f.first_failed_at) / DAY] += f.failed_minor
        elif f.in_progress:
            censored[max(0.0, (now - f.first_failed_at) / DAY)] += f.failed_minor
    out, left = [(0.0, 0.0)], 1.0
    for day in sorted(set(recovered) | set(censored)):
        if at_risk <= 0:
            break
        if recovered.get(day):
            left *= 1 - recovered[day] / at_risk
            out.append((day, 1 - left))
        at_risk -= recovered.get(day, 0) + censored.get(day, 0)
    return out


def _weeks(cohort: list[Failure], since: int, until: int) -> list[tuple[int, Group]]:
    """Each week of the period from `since` (its start, and its failures' amounts), empty weeks included."""
    week = 7 * DAY
    out = [(start, Group()) for start in range(since, until, week)]
    for f in cohort:
        out[min((f.first_failed_at - since) // week, len(out) - 1)][1].add(f)
    return out


def lift_words(c: CurrencyFigures) -> str:
    """`desk 62% (40 of 65) vs Stripe alone 48% (12 of 25): +14 points (95%: −8 to +33). Not enough yet: …`."""
    lift = c.lift()
    arms = [(GROUP_WORDS[g], c.groups[g].arm()) for g in (DESK, STRIPE)]
    said = " vs ".join(
        f"{name.lower()} {('—' if a.rate is None else f'{a.rate:.0%}')} ({a.recovered} of {a.decided})" for name, a in arms
    )
    if lift.difference is None or lift.low is None or lift.high is None:
        return f"{said}. {lift.verdict}"
    return (f"{said}: {lift.difference * 100:+.0f} points (95%: {lift.low * 100:+.0f} to {lift.high * 100:+.0f}). "
            f"{lift.verdict}")  # fmt: skip
