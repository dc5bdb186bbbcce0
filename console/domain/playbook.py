"""The retention playbook: which offer to recommend for a reason and a customer segment."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from . import experiments
from .experiments import Variant
from .feedback import PORTAL_LABELS
from .holdout import MAX_PERCENT
from .offers import ContactOffer, CouponOffer, CouponSpec, Offer, PauseOffer, offer_from_dict, offer_to_dict
from .queue import QueueRow
from .recovery import LINK_WINDOW_DAYS, MAX_LINK_WINDOW, REASONS, check_order

ANY = "*"
NO_ANSWER = "none"
SEGMENTS = ("any", "high_mrr", "low_mrr")
INTERVALS = ("any", "month", "year")
# "High MRR" per currency, in minor units (the playbook's own setting; amounts never compare across currencies).
# Minor units per month: $100, €90, £80 and ¥15,000 (JPY has no minor unit: ¥1 is 1).
DEFAULT_HIGH_MRR = {"usd": 10_000, "eur": 9_000, "gbp": 8_000, "jpy": 15_000}
REPEAT_MONTHS = 12  # "saved with a discount in the last 12 months"
_OLD_JPY_DEFAULT = 1_500_000  # version 1 files carried this 100x mistake as the default


@dataclass(frozen=True)
class Rule:
    """First matching rule wins. `reasons` holds feedback codes, custom reasons' ids (fo_…), `*` for any,
    `none` for no answer."""

    reasons: tuple[str, ...]
    offer: Offer
    segment: str = "any"
    interval: str = "any"
    min_tenure_days: int = 0
    note: str = ""
    experiment: str = ""  # an offer experiment's name, when the rule holds `variants` (A is `offer`)
    variants: tuple[Variant, ...] = ()
    started: str = ""  # the experiment's first day (ISO date): rows asked to cancel from then on take part

    def matches(self, row: QueueRow, interval: str, high_mrr: dict[str, int], now: datetime) -> bool:
        return self.matches_facts(row.reason_key, row.currency, row.mrr_minor, interval, row.tenure_days(now), high_mrr)

    def matches_facts(
        self, reason_key: str | None, currency: str, mrr_minor: int, interval: str, tenure_days: int, high_mrr: dict[str, int]
    ) -> bool:
        """The rule's conditions on what a row (or an intent kept in the cache) says."""
        reason = reason_key or NO_ANSWER  # a custom reason (fo_…) or the survey's code
        if ANY not in self.reasons and reason not in self.reasons:
            return False
        threshold = high_mrr.get(currency)
        is_high = threshold is not None and mrr_minor >= threshold
        if self.segment == "high_mrr" and not is_high:
            return False
        if self.segment == "low_mrr" and is_high:
            return False
        if self.interval != "any" and interval != self.interval:
            return False
        return tenure_days >= self.min_tenure_days

    def offer_for(self, subscription_id: str) -> Offer:
        """The rule's offer, or in an experiment the variant this subscription is assigned."""
        if not self.variants:
            return self.offer
        return experiments.assign(self.experiment, subscription_id, self.variants).offer

    def experiment_problems(self) -> list[str]:
        if not self.variants and not self.experiment:
            return []
        found = []
        if not 2 <= len(self.variants) <= 3:
            found.append("an experiment holds two or three offers")
        if not self.experiment or len(self.experiment) > 40 or not self.experiment.replace("-", "").replace("_", "").isalnum():
            found.append("an experiment's name is 1 to 40 letters, digits, - or _")
        if [v.label for v in self.variants] != list(experiments.LABELS[: len(self.variants)]):
            found.append("an experiment's offers are labelled A, B, C in order")
        if any(not 1 <= v.weight <= 100 for v in self.variants):
            found.append("an offer's weight is 1 to 100")
        if self.variants and self.variants[0].offer != self.offer:
            found.append("offer A is the rule's own offer")
        try:
            date.fromisoformat(self.started)
        except ValueError:
            found.append("an experiment has a first day (YYYY-MM-DD)")
        for v in self.variants:
            found.extend(v.offer.problems().values())
        return found


RETAIN_25 = CouponOffer(
    coupon_id="churn-console-25-off-3m",
    new_coupon=CouponSpec(percent_off=25, duration="repeating", duration_in_months=3),
)
RETAIN_15_ANNUAL = CouponOffer(coupon_id="churn-console-15-off-once", new_coupon=CouponSpec(percent_off=15, duration="once"))
PAUSE_2 = PauseOffer(pause_months=2)
CONTACT = ContactOffer()

DEFAULT_RULES = (
    Rule(("too_expensive",), RETAIN_15_ANNUAL, interval="year", note="Price objection on an annual plan: a one-off discount"),
    Rule(("too_expensive",), RETAIN_25, note="Price objection: a discount"),
    Rule(("switched_service",), RETAIN_25, segment="high_mrr", note="Switching, but worth a discount"),
    Rule(
        ("unused", "too_complex"),
        CONTACT,
        interval="year",
        note="Annual plan not in use: talk about the renewal (pausing a yearly invoice changes nothing for months)",
    ),
    Rule(("unused", "too_complex"), PAUSE_2, note="Not using it now: a pause keeps the account"),
    Rule(("missing_features", "low_quality", "customer_service"), CONTACT, note="Product or service gap: talk to them"),
    Rule((ANY,), CONTACT, note="Everything else: ask what would keep them"),
)


@dataclass
class Playbook:
    """Rules plus the high-MRR thresholds; saved as JSON in the data dir."""

    rules: list[Rule] = field(default_factory=lambda: list(DEFAULT_RULES))
    high_mrr: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_HIGH_MRR))
    no_repeat_discount: bool = True  # a customer saved with a discount lately is offered a pause or a contact
    repeat_months: int = REPEAT_MONTHS
    holdout_percent: int = 0  # of new failed payments left to Stripe alone (domain/holdout.py); 0: no hold-out
    holdout_since: int | None = None  # when the hold-out began: failures first seen before it are never assigned
    link_window_days: int = LINK_WINDOW_DAYS  # a new card within this many days of a rep's link is the link's doing
    attribution_order: tuple[str, ...] = REASONS  # a recovered invoice's one reason: the first of these that applies

    def with_holdout(self, percent: int, now: int) -> Playbook:
        """The hold-out at `percent`: started now when it was off, its start kept while it runs (invoices keep the
        group recorded on them whatever the share becomes), cleared when turned off."""
        since = (self.holdout_since if self.holdout_percent and self.holdout_since else now) if percent else None
        return dataclasses.replace(self, holdout_percent=percent, holdout_since=since)

    def recommend(self, row: QueueRow, interval: str = "month", now: datetime | None = None) -> tuple[Offer, Rule | None]:
        """The first rule that matches; for a repeat saver (saved with a discount within `repeat_months`, while
        `no_repeat_discount` holds), the first matching rule that is not a discount, else a contact: retention
        vendors report that most discount-savers leave once the discount ends, and a second discount teaches
        customers to cancel for one."""
        now = now or datetime.now(row.ends_at.tzinfo)
        repeat = self.guards(row, now)
        for rule in self.rules:
            if not rule.matches(row, interval, self.high_mrr, now):
                continue
            offer = rule.offer_for(row.subscription_id)  # an experiment's assignment: only for a rule that matches
            if not (repeat and offer.kind == "coupon"):
                return offer, rule
        return CONTACT, None

    def assignment(self, row: QueueRow, interval: str = "month", now: datetime | None = None) -> str | None:
        """`experiment:label` when the rule that recommends this row's offer is an experiment (what a save
        records with it), else None."""
        _, rule = self.recommend(row, interval, now)
        if rule is None or not rule.variants:
            return None
        return experiments.code(rule.experiment, experiments.assign(rule.experiment, row.subscription_id, rule.variants).label)

    def experiments(self) -> dict[str, list[Rule]]:
        """Each experiment's rules, by name (in the playbook's order)."""
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            if rule.variants:
                out.setdefault(rule.experiment, []).append(rule)
        return out

    def repeat_saver(self, row: QueueRow, now: datetime) -> bool:
        """Saved with a discount within `repeat_months` (the guardrail's window), whatever the setting."""
        saved = row.discount_saved_at
        return saved is not None and saved > now - relativedelta(months=self.repeat_months)

    def guards(self, row: QueueRow, now: datetime) -> bool:
        """Whether the guardrail keeps this row from a second discount."""
        return self.no_repeat_discount and self.repeat_saver(row, now)

    # storage ----------------------------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 2,
                "high_mrr": self.high_mrr,
                "no_repeat_discount": self.no_repeat_discount,
                "repeat_months": self.repeat_months,
                "holdout_percent": self.holdout_percent,
                "holdout_since": self.holdout_since,
                "link_window_days": self.link_window_days,
                "attribution_order": list(self.attribution_order),
                "rules": [_rule_dict(r) for r in self.rules],
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> Playbook:
        data = json.loads(text)
        rules = [_rule_from(r) for r in data["rules"]]
        for rule in rules:
            unknown = [r for r in rule.reasons if r not in PORTAL_LABELS and r not in (ANY, NO_ANSWER) and not is_custom(r)]
            if unknown or rule.segment not in SEGMENTS or rule.interval not in INTERVALS:
                raise ValueError(f"invalid rule: {rule}")
            if found := rule.offer.problems():
                raise ValueError(f"invalid offer in rule: {found}")
            if wrong := rule.experiment_problems():
                raise ValueError(f"invalid experiment in rule: {'; '.join(wrong)}")
        first: dict[str, Rule] = {}
        for rule in rules:  # one experiment may span rules (one reason each, as the editor keeps them): the same arms
            other = first.setdefault(rule.experiment, rule) if rule.variants else rule
            if (other.variants, other.started) != (rule.variants, rule.started):
                raise ValueError(f"the rules of experiment {rule.experiment} differ in their offers or first day")
        high = {k.lower(): int(v) for k, v in data.get("high_mrr", {}).items()}
        if data.get("version", 1) < 2 and high.get("jpy") == _OLD_JPY_DEFAULT:
            high["jpy"] = DEFAULT_HIGH_MRR["jpy"]  # the old default, never chosen by anyone: corrected
        months = int(data.get("repeat_months", REPEAT_MONTHS))
        if not 1 <= months <= 60:
            raise ValueError(f"repeat_months must be 1 to 60, not {months}")
        percent = int(data.get("holdout_percent") or 0)
        if not 0 <= percent <= MAX_PERCENT:
            raise ValueError(f"holdout_percent must be 0 to {MAX_PERCENT}, not {percent}")
        since = data.get("holdout_since")
        window = int(data.get("link_window_days", LINK_WINDOW_DAYS))
        if not 1 <= window <= MAX_LINK_WINDOW:
            raise ValueError(f"link_window_days must be 1 to {MAX_LINK_WINDOW}, not {window}")
        order = check_order(data.get("attribution_order", REASONS))
        return cls(
            rules=rules, high_mrr=high, no_repeat_discount=bool(data.get("no_repeat_discount", True)), repeat_months=months,
            holdout_percent=percent, holdout_since=int(since) if since and percent else None, link_window_days=window,
            attribution_order=order,
        )  # fmt: skip

    @classmethod
    def load(cls, path: Path) -> Playbook:
        """The saved playbook, or the defaults when there is none (a broken file is kept aside)."""
        try:
            return cls.from_json(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (ValueError, KeyError, TypeError):
            path.replace(path.with_suffix(".broken.json"))
            return cls()

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), "utf-8")
        tmp.replace(path)


def _rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "reasons": list(rule.reasons),
        "segment": rule.segment,
        "interval": rule.interval,
        "min_tenure_days": rule.min_tenure_days,
        "note": rule.note,
        "offer": offer_to_dict(rule.offer),
    } | (experiment_dict(rule) if rule.variants else {})


def experiment_dict(rule: Rule) -> dict[str, Any]:
    """A rule's experiment as the playbook file keeps it (the editor carries it in this form too)."""
    return {
        "experiment": rule.experiment,
        "started": rule.started,
        "variants": [{"label": v.label, "weight": v.weight, "offer": offer_to_dict(v.offer)} for v in rule.variants],
    }


def experiment_fields(d: dict[str, Any]) -> dict[str, Any]:
    """The Rule fields of an experiment kept as `experiment_dict` writes it (none: no experiment)."""
    return {
        "experiment": str(d.get("experiment", "")),
        "started": str(d.get("started", "")),
        "variants": tuple(
            Variant(str(v["label"]), offer_from_dict(v["offer"]), int(v.get("weight", 1))) for v in d.get("variants", [])
        ),
    }


def _rule_from(d: dict[str, Any]) -> Rule:
    return Rule(
        reasons=tuple(d["reasons"]),
        offer=offer_from_dict(d["offer"]),
        segment=d.get("segment", "any"),
        interval=d.get("interval", "any"),
        min_tenure_days=int(d.get("min_tenure_days", 0)),
        note=d.get("note", ""),
        **experiment_fields(d),
    )


def is_custom(reason: str) -> bool:
    """A custom cancellation reason's id (Feedback Options API)."""
    return reason.startswith("fo_") and reason[3:].replace("_", "").isalnum()
