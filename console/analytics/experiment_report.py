"""The playbook's offer experiments compared: each offer's customers and saves, their value, a plain verdict."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ..domain import experiments
from ..domain.experiments import Arm, Verdict
from ..domain.playbook import Playbook, Rule
from .outcomes import DAY, Outcome
from .saves import Save, SaveFacts


@dataclass
class Experiment:
    """One rule's experiment: every customer who asked to cancel since it started and matched the rule, counted
    in the offer they were assigned (intention to treat: an offer the desk never got to send still counts, so
    the comparison is fair); `collected` is what the saves in each arm have collected so far, per currency."""

    name: str
    note: str
    started: str
    offers: dict[str, str]  # label -> offer code
    words: dict[str, str] = field(default_factory=dict)  # label -> the offer in words ("25% off for 3 months")
    arms: list[Arm] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    collected: dict[str, dict[str, int]] = field(default_factory=dict)  # label -> currency -> minor units
    pending: int = 0  # assigned, still undecided
    off_offer: int = 0  # saves made with another offer than the one assigned


def compare(playbook: Playbook, every: list[Outcome], found: list[Save], facts: SaveFacts) -> list[Experiment]:
    values = {s.outcome.intent_id: s.value for s in found}
    return [_one(rules, playbook, every, values, facts) for rules in playbook.experiments().values()]


def _one(rules: list[Rule], playbook: Playbook, every: list[Outcome], values: dict[str, Any], facts: SaveFacts) -> Experiment:
    rule = rules[0]  # the experiment's rules share its offers and first day (Playbook.from_json holds them to it)
    start = experiments.started_at(rule.started)
    result = Experiment(rule.experiment, rule.note, rule.started, {v.label: v.offer.code for v in rule.variants},
                        {v.label: v.offer.describe(facts.coupons) for v in rule.variants})  # fmt: skip
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    collected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in every:
        if o.scheduled_at < start or not _takes_part(rules, playbook, o, facts):
            continue
        label = _label(rule, o)
        if o.kind == "pending":
            result.pending += 1
            continue
        counts[label][0] += 1
        if o.saved:
            counts[label][1] += 1
            if o.kind == "saved_operator" and o.offer_code != result.offers.get(label):
                result.off_offer += 1
            value = values.get(o.intent_id)
            if value is not None:
                collected[label][o.currency] += value.collected
    result.arms = [Arm(v.label, v.offer.code, *counts[v.label]) for v in rule.variants]
    result.verdicts = [experiments.verdict(result.arms[0], arm) for arm in result.arms[1:]]
    result.collected = {k: dict(v) for k, v in collected.items()}
    return result


def _takes_part(rules: list[Rule], playbook: Playbook, o: Outcome, facts: SaveFacts) -> bool:
    """One of the experiment's rules is the first that matches what the cache kept of the ask (the playbook's
    own order)."""
    interval, created = facts.plans.get(o.subscription_id, ("month", o.scheduled_at))
    tenure = max(0, (o.scheduled_at - created) // DAY)
    for r in playbook.rules:
        if r.matches_facts(o.reason_key, o.currency, o.mrr_at_stake, interval, tenure, playbook.high_mrr):
            return any(r is x for x in rules)
    return False


def _label(rule: Rule, o: Outcome) -> str:
    """The variant the save recorded (what the operator's console assigned), else the assignment by id."""
    recorded = experiments.parse(o.variant)
    if recorded and recorded[0] == rule.experiment and recorded[1] in experiments.LABELS[: len(rule.variants)]:
        return recorded[1]
    return experiments.assign(rule.experiment, o.subscription_id, rule.variants).label
