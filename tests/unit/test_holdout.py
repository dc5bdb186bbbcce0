"""The hold-out (issue 34 §3): a stable assignment by the invoice's id, the playbook's share and start, and the
comparison's verdicts (the interval itself is Newcombe's method 10, held to his 1998 table in test_proportions)."""

from __future__ import annotations

import json

import pytest

from console.domain.holdout import MIN_DECIDED, STRIPE, Arm, group_of, lift
from console.domain.playbook import Playbook
from console.domain.proportions import newcombe
from console.domain.recovery import REASONS


def test_the_group_is_stable_and_its_share_is_the_setting():
    ids = [f"in_{n:06d}" for n in range(20_000)]
    assert [group_of(i, 10) for i in ids[:50]] == [group_of(i, 10) for i in ids[:50]]  # every console, every run
    for percent in (0, 10, 50):
        share = sum(group_of(i, percent) == STRIPE for i in ids) / len(ids)
        assert share == pytest.approx(percent / 100, abs=0.01)
    # a larger share only adds invoices to the hold-out: those already in it stay (the hash's bucket is fixed)
    assert all(group_of(i, 20) == STRIPE for i in ids if group_of(i, 10) == STRIPE)


def test_the_comparison_is_newcombes_and_never_declares_a_lift_on_small_numbers():
    small = lift(Arm(10, 3, 2), Arm(12, 9, 0))
    assert small.verdict.startswith("Not enough yet") and small.difference == pytest.approx(9 / 12 - 3 / 10)
    big = lift(Arm(80, 48, 0), Arm(70, 56, 0))  # Newcombe 1998's example: 56/70 against 48/80
    assert (big.difference, big.low, big.high) == newcombe(48, 80, 56, 70)
    assert big.low == pytest.approx(0.0524, abs=1e-4) and big.high == pytest.approx(0.3339, abs=1e-4)
    assert big.verdict == "The desk recovers more than Stripe alone."
    same = lift(Arm(MIN_DECIDED, 15, 0), Arm(MIN_DECIDED, 16, 0))
    assert same.verdict.startswith("No difference shown yet")
    assert lift(Arm(0, 0, 3), Arm(40, 20, 0)).difference is None  # nothing decided on one side: nothing to compare


def test_the_playbook_keeps_the_holdouts_start_while_it_runs_and_refuses_a_share_over_half():
    on = Playbook().with_holdout(10, now=1000)
    assert (on.holdout_percent, on.holdout_since) == (10, 1000)
    assert on.with_holdout(20, now=2000).holdout_since == 1000  # groups already recorded stay as they are
    assert Playbook.from_json(on.to_json()).holdout_since == 1000
    off = on.with_holdout(0, now=3000)
    assert (off.holdout_percent, off.holdout_since) == (0, None)
    assert off.with_holdout(10, now=4000).holdout_since == 4000  # a new hold-out starts anew
    broken = on.to_json().replace('"holdout_percent": 10', '"holdout_percent": 60')
    with pytest.raises(ValueError, match="holdout_percent"):
        Playbook.from_json(broken)


def test_the_link_window_is_the_playbooks_and_the_report_uses_it():
    from console.services.recovery_report import recovery_report

    book = Playbook(link_window_days=12)
    assert Playbook.from_json(book.to_json()).link_window_days == 12
    for wrong in (0, 31):
        with pytest.raises(ValueError, match="link_window_days"):
            Playbook.from_json(book.to_json().replace('"link_window_days": 12', f'"link_window_days": {wrong}'))

    class Empty:  # a cache and a journal with nothing in them: only the settings are read through
        def recovery_rows(self, since, until):
            return []

        def card_changes_of(self, ids):
            return {}

        def timeline_of_kind(self, kind, ids):
            return {}

        def all(self):
            return []

    order = tuple(reversed(REASONS))
    book = Playbook(link_window_days=12, attribution_order=order).with_holdout(5, 10)
    found = recovery_report(Empty(), Empty(), 0, 1, 1, playbook=book)
    assert (found.window_days, found.holdout_percent, found.holdout_since, found.order) == (12, 5, 10, order)


def test_the_attribution_order_is_the_playbooks_kept_in_its_file_and_refused_when_it_misses_a_reason():
    order = tuple(reversed(REASONS))
    text = Playbook(attribution_order=order).to_json()
    assert Playbook.from_json(text).attribution_order == order
    assert Playbook.from_json('{"rules": []}').attribution_order == REASONS  # files written before it: the default
    short = json.loads(text)
    short["attribution_order"] = order[1:]
    with pytest.raises(ValueError, match="missing out_of_band"):
        Playbook.from_json(json.dumps(short))
