"""When the console offers Stripe's real pause (domain/pausing.py), one row per rule, with its source."""

from __future__ import annotations

import pytest

from console.domain.pausing import blocker

OK = {"status": "active", "billing_mode": "flexible", "schedule_id": None, "collection_method": "charge_automatically"}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({}, None),
        ({"billing_mode": "classic"}, "flexible billing mode"),  # changelog 2026-09-30: flexible only
        ({"schedule_id": "sub_sched_1"}, "schedule"),  # SDK pause docstring: not with attached schedules
        ({"collection_method": "send_invoice"}, "charge automatically"),  # SDK resume docstring
        ({"status": "trialing"}, "only active"),  # undocumented: the stricter side
        ({"status": "past_due"}, "past due"),
        ({"status": "paused"}, "already paused"),
    ],
)
def test_blocker(change, words):
    found = blocker(**{**OK, **change}, collection_paused=False)
    assert (found is None) if words is None else (words in found.lower())


def test_paused_collection_blocks_a_real_pause():
    """docs "Pause payment collection": subscriptions with paused collection can't move into status=paused."""
    assert "collection is paused" in blocker(**OK, collection_paused=True).lower()
