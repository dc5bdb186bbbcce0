"""Which playbook rules can never recommend anything: every customer they would match, earlier rules match first."""

from __future__ import annotations

from itertools import product

from .playbook import ANY, Rule

INTERVALS = ("day", "week", "month", "year")  # a plan's billing interval, as Rule.interval names it
OTHER = "\x00another reason"  # a reason no rule names, for a rule that matches any


def never_used(rules: list[Rule], no_repeat_discount: bool) -> dict[int, list[int]]:
    """Rule index -> the earlier rules that, between them, match every customer it would. A customer is a cell of
    reason × MRR segment × plan interval × tenure (at each earlier rule's threshold) × whether the desk saved them
    with a discount lately (when the playbook gives those no second discount, a discount rule passes them on)."""
    named = {reason for rule in rules for reason in rule.reasons if reason != ANY} | {OTHER}
    out: dict[int, list[int]] = {}
    for j, rule in enumerate(rules):
        earlier = rules[:j]
        reasons = sorted(named) if ANY in rule.reasons else list(rule.reasons)
        segments = ("high", "low") if rule.segment == "any" else (rule.segment.removesuffix("_mrr"),)
        intervals = INTERVALS if rule.interval == "any" else (rule.interval,)
        tenures = sorted(
            {rule.min_tenure_days} | {e.min_tenure_days for e in earlier if e.min_tenure_days > rule.min_tenure_days}
        )
        repeats = (False, True) if no_repeat_discount and not _only_discounts(rule) else (False,)
        catchers: set[int] = set()
        for cell in product(reasons, segments, intervals, tenures, repeats):
            first = next((i for i, e in enumerate(earlier) if _catches(e, *cell, no_repeat_discount)), None)
            if first is None:
                break  # a customer only this rule (or a later one) gets
            catchers.add(first)
        else:
            out[j] = sorted(catchers)
    return out


def _only_discounts(rule: Rule) -> bool:
    """Whether every offer the rule may give is a discount (then it never reaches a repeat saver)."""
    return rule.offer.kind == "coupon" and all(v.offer.kind == "coupon" for v in rule.variants)


def _discounts(rule: Rule) -> bool:
    """Whether the rule may give a discount (its offer, or an experiment's variant)."""
    return rule.offer.kind == "coupon" or any(v.offer.kind == "coupon" for v in rule.variants)


def _catches(rule: Rule, reason: str, segment: str, interval: str, tenure: int, repeat: bool, no_repeat: bool) -> bool:
    if ANY not in rule.reasons and reason not in rule.reasons:
        return False
    if rule.segment != "any" and rule.segment.removesuffix("_mrr") != segment:
        return False
    if rule.interval != "any" and rule.interval != interval:
        return False
    if rule.min_tenure_days > tenure:
        return False
    return not (repeat and no_repeat and _discounts(rule))  # a discount rule passes a repeat saver on
