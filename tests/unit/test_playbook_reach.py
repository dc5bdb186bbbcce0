"""Rules that can never match: every customer they would get, earlier rules get first (domain/playbook_reach.py),
each case constructed so the answer can be read off it."""

from __future__ import annotations

from console.domain.offers import ContactOffer, CouponOffer, PauseOffer
from console.domain.playbook import ANY, Rule
from console.domain.playbook_reach import never_used

PAUSE = PauseOffer(pause_months=2)
COUPON = CouponOffer(coupon_id="RETAIN25-3M")


def test_two_earlier_rules_that_split_a_reason_by_mrr_leave_a_third_for_it_unused():
    rules = [
        Rule(("too_expensive",), COUPON, segment="high_mrr"),
        Rule(("too_expensive",), PAUSE, segment="low_mrr"),
        Rule(("too_expensive",), ContactOffer()),  # every price objection was taken above
        Rule((ANY,), ContactOffer()),
    ]
    assert never_used(rules, no_repeat_discount=False) == {2: [0, 1]}


def test_a_repeat_saver_passes_a_discount_rule_so_the_next_is_still_used():
    rules = [Rule(("too_expensive",), COUPON), Rule(("too_expensive",), PAUSE)]
    assert never_used(rules, no_repeat_discount=False) == {1: [0]}
    assert never_used(rules, no_repeat_discount=True) == {}  # the pause reaches those saved with a discount lately


def test_narrower_earlier_rules_leave_the_rest_used():
    rules = [
        Rule(("too_expensive",), PAUSE, interval="month"),
        Rule(("too_expensive",), COUPON, min_tenure_days=365),
        Rule(("too_expensive",), ContactOffer()),
        Rule((ANY,), ContactOffer()),
        Rule(("unused",), PAUSE),  # after the catch-all: never
    ]
    found = never_used(rules, no_repeat_discount=False)
    assert 2 not in found and 1 not in found  # annual plans under a year reach rule 2; annual ones rule 1
    assert found == {4: [3]}
