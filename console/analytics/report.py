"""The figures behind the outcome charts, for a date range and (optionally) one currency."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from ..domain.feedback import label
from ..domain.playbook import Playbook
from ..domain.proportions import wilson
from . import experiment_report, survival, value_report
from .outcomes import DAY, NO_TALLY, OpenTally, Outcome
from .saves import EMPTY, Save, SaveFacts, saves

WEEK = 7 * DAY
RETENTION_DAYS = (30, 60, 90)
ROLLING_WEEKS = 4  # the weekly save rate is read over this many weeks, ending with the week drawn
MIN_ROLLING = 10  # decided intents a rolling window needs before its rate is shown


class LedgerNotRead(RuntimeError):
    """A save's value asked of a report built without the save ledger (a bug in the caller, not the user's)."""


@dataclass
class Week:
    """A week's intents by what came of them. The desk's save rate leaves customers' own revokes out."""

    start: int
    intents: int = 0
    saves: int = 0  # saved by the desk (an operator's offer)
    revoked: int = 0  # revoked by the customer on their own
    losses: int = 0
    pending: int = 0
    rolling_saves: int = 0  # the desk's saves and its decided intents over the ROLLING_WEEKS ending here
    rolling_decided: int = 0

    @property
    def save_rate(self) -> float | None:
        decided = self.saves + self.losses
        return self.saves / decided if decided else None

    @property
    def rolling_rate(self) -> float | None:
        """The desk's save rate over the last ROLLING_WEEKS, where enough intents were decided to say one."""
        return self.rolling_saves / self.rolling_decided if self.rolling_decided >= MIN_ROLLING else None


@dataclass
class ReasonRow:
    """Per reason: `n` intents the desk saved or lost, `saves` by the desk; `revoked` by customers apart."""

    feedback: str | None
    label: str
    n: int
    saves: int
    low: float
    high: float
    revoked: int = 0

    @property
    def rate(self) -> float:
        return self.saves / self.n if self.n else 0.0


@dataclass
class OfferRow:
    offer: str
    accepted: int
    retained: dict[int, tuple[int, int]]  # days -> (still subscribed, saves old enough to tell)
    late_losses: int


@dataclass
class Report:
    since: int
    until: int
    currency: str | None
    outcomes: list[Outcome]
    weeks: list[Week] = field(default_factory=list)
    reasons: list[ReasonRow] = field(default_factory=list)
    mrr_kept: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # currency -> [(time, cumulative)]
    offers: list[OfferRow] = field(default_factory=list)
    coverage_note: str | None = None
    saves: list[Save] = field(default_factory=list)  # the range's saves with what followed them
    survival: list[survival.Curve] = field(default_factory=list)
    experiments: list[experiment_report.Experiment] = field(default_factory=list)
    now: int = 0
    open_counted: int = 0  # open intents of the range counted, not among `outcomes` (analytics.outcomes.OpenTally)
    facts: SaveFacts = field(default=EMPTY, repr=False)  # what the saves' value is worked out from

    @cached_property
    def value(self) -> dict[str, list[value_report.ValueRow]]:
        """What the range's saves were worth, by offer, reason and owner, worked out when first read: `report`
        without --value prints none of it (0.2 s at a million cached with two years of history)."""
        return {by: value_report.value_rows(self._valued(), by, self.facts) for by in value_report.BY}

    @property
    def unread_saves(self) -> int:
        """Saves whose invoices no sync has read yet (or the key cannot read invoices)."""
        return sum(s.value is None for s in self._valued())

    def earned(self) -> tuple[dict[str, int], dict[str, int]]:
        """What the range's saves collected since, and the discount they were given, per currency."""
        totals = value_report.totals(self._valued())
        return {c: t["collected"] for c, t in totals.items()}, {c: t["discount_cost"] for c, t in totals.items()}

    @property
    def too_recent_saves(self) -> int:
        return sum(s.value is not None and not s.value.known for s in self._valued())

    def _valued(self) -> list[Save]:
        """The saves, whose values are known only where the ledger was read: a report built without it (what
        `report` prints without --value) would count every save unread."""
        if not self.facts.ledger:
            raise LedgerNotRead("this report was built without the save ledger: it knows no save's value")
        return self.saves

    # summary cards ---------------------------------------------------------------------------
    @property
    def decided(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind != "pending"]

    @property
    def save_rate(self) -> float | None:
        """The one save rate, the desk's, everywhere (window, report, CSV, JSON): saves by operators among the
        intents that ended either saved by the desk or churned. Customers who revoked on their own are their own
        doing, always counted apart (`counts()["saved_customer"]`, "revoked on their own")."""
        desk = sum(o.kind == "saved_operator" for o in self.outcomes)
        lost = sum(o.kind == "churned" for o in self.outcomes)
        return desk / (desk + lost) if desk + lost else None

    def mrr_saved(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for o in self.outcomes:
            if o.mrr_kept:
                out[o.currency] += o.mrr_kept
        return dict(out)

    def counts(self) -> dict[str, int]:
        out = {
            "intents": len(self.outcomes) + self.open_counted,
            "saved_operator": 0,
            "saved_customer": 0,
            "churned": 0,
            "pending": self.open_counted,
            "late_losses": 0,
        }
        for o in self.outcomes:
            out[o.kind] += 1
            out["late_losses"] += o.late_loss
        return out


def build(
    all_outcomes: list[Outcome],
    since: int,
    until: int,
    *,
    currency: str | None = None,
    now: int | None = None,
    data_since: int | None = None,
    facts: SaveFacts = EMPTY,
    playbook: Playbook | None = None,
    tallied: OpenTally = NO_TALLY,
) -> Report:
    """Intents scheduled in [since, until); `data_since` is when the cache's knowledge starts. `facts` (the save
    ledger) and `playbook` (its experiments) add what saves were worth, whether they lasted, and the comparison;
    `tallied`, the open intents counted rather than among `all_outcomes`."""
    now = now or int(datetime.now(UTC).timestamp())
    chosen = [o for o in all_outcomes if since <= o.scheduled_at < until and (currency is None or o.currency == currency)]
    report = Report(since, until, currency, chosen, now=now, open_counted=tallied.count(since, until, currency), facts=facts)
    report.weeks = _weeks(chosen, since, until, tallied, currency)
    report.reasons = _reasons(chosen)
    report.mrr_kept = _mrr_kept(chosen)
    report.offers = _offers(chosen, now)
    ended = {o.subscription_id: o.ended_at for o in all_outcomes if o.ended_at is not None}
    picked = {o.intent_id for o in chosen}
    found = saves(all_outcomes, facts, ended, picked)  # afterlives from every intent
    report.saves = found
    report.survival = survival.curves(found, now)
    if playbook is not None and playbook.experiments():
        report.experiments = experiment_report.compare(playbook, chosen, report._valued(), facts)
    if data_since is not None and since < data_since:
        report.coverage_note = (
            f"Before {datetime.fromtimestamp(data_since, UTC):%d %b %Y} customers' own revokes are not known "
            "(Stripe keeps events for 30 days): saves by customers are undercounted there."
        )
    return report


def _monday(ts: int) -> int:
    """The Monday 00:00 UTC that starts ts's week: UTC days are 86,400 s long and 1 Jan 1970 was a Thursday (day 3
    of a week from Monday), so integer arithmetic, not a datetime per intent (half a second at 500,000)."""
    days = ts // DAY
    return (days - (days + 3) % 7) * DAY


def _weeks(outcomes: list[Outcome], since: int, until: int, tallied: OpenTally, currency: str | None) -> list[Week]:
    weeks: dict[int, Week] = {}
    start = _monday(since)
    while start < until:
        weeks[start] = Week(start)
        start += WEEK
    for o in outcomes:
        monday = _monday(o.scheduled_at)
        week = weeks.get(monday) or weeks.setdefault(monday, Week(monday))
        week.intents += 1
        if o.kind == "pending":
            week.pending += 1
        elif o.kind == "saved_operator":
            week.saves += 1
        elif o.kind == "saved_customer":
            week.revoked += 1
        else:
            week.losses += 1
    for monday, week in weeks.items():  # the counted open intents, each week's share of the range
        if counted := tallied.count(max(monday, since), min(monday + WEEK, until), currency):
            week.intents += counted
            week.pending += counted
    ordered = [weeks[k] for k in sorted(weeks)]
    for i, week in enumerate(ordered):
        window = ordered[max(0, i - ROLLING_WEEKS + 1) : i + 1]
        week.rolling_saves = sum(w.saves for w in window)
        week.rolling_decided = sum(w.saves + w.losses for w in window)
    return ordered


def _reasons(outcomes: list[Outcome]) -> list[ReasonRow]:
    """The desk's save rate per reason (saved by an operator, of those saved by one or churned)."""
    groups: dict[str | None, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.kind != "pending":
            groups[o.reason_key].append(o)
    rows = []
    for key, items in groups.items():
        decided = [o for o in items if o.kind in ("saved_operator", "churned")]
        saves = sum(o.kind == "saved_operator" for o in decided)
        low, high = wilson(saves, len(decided))
        text = next((o.feedback_text for o in items if o.feedback_text), None)  # a custom reason's own words
        revoked = sum(o.kind == "saved_customer" for o in items)
        rows.append(ReasonRow(key, text or label(key), len(decided), saves, low, high, revoked))
    return sorted(rows, key=lambda r: (-r.n, r.label))


def _mrr_kept(outcomes: list[Outcome]) -> dict[str, list[tuple[int, int]]]:
    series: dict[str, list[tuple[int, int]]] = {}
    for o in sorted((o for o in outcomes if o.mrr_kept), key=lambda o: o.resolved_at or 0):
        points = series.setdefault(o.currency, [])
        total = (points[-1][1] if points else 0) + o.mrr_kept
        points.append((o.resolved_at or o.scheduled_at, total))
    return series


def _offers(outcomes: list[Outcome], now: int) -> list[OfferRow]:
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        if o.kind == "saved_operator" and o.offer:
            groups[o.offer].append(o)
    rows = []
    for offer, items in sorted(groups.items()):
        retained = {}
        for days in RETENTION_DAYS:
            known = [o.subscribed_after(days, now) for o in items]
            told = [k for k in known if k is not None]
            retained[days] = (sum(told), len(told))
        rows.append(OfferRow(offer, len(items), retained, sum(o.late_loss for o in items)))
    return rows
