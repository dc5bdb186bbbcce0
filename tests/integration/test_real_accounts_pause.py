"""A real pause (POST /v1/subscriptions/{id}/pause and /resume, API 2026-09-30.endive) through the real SDK:
the sandbox's refusals (changelog "Adds the ability to pause and resume Subscriptions on demand"; SDK
docstrings: no schedule, charge_automatically to resume), and the console's save, undo, recovery, outcomes."""

from __future__ import annotations

import pytest
import stripe

from console.actions import Consent
from console.actions.service import ActionRefused
from console.actions.steps import PauseRefused
from console.analytics.outcomes import outcomes
from console.domain.offers import PauseOffer
from console.errors import StripeUnavailable
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for

REAL_PAUSE = PauseOffer(pause_mode="subscription")
CALL = Consent("call", "agreed to a break")


@pytest.fixture
def account(tmp_path):
    with Sandbox(seed=21, customers=240) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, "Acme")
        ws.sync()
        yield sb, ws, client_for(sb, sb.secret_key)
        ws.close()


def _pending(sb, ws, **want):
    """A queue row whose stored subscription matches `want` (billing mode, schedule, collection method)."""
    for row in ws.queue():
        s = sb.state.get("subscription", row.subscription_id)
        facts = {
            "mode": s["billing_mode"]["type"],
            "schedule": bool(s["schedule"]),
            "collection": s["collection_method"],
            "status": s["status"],
        }
        if all(facts[k] == v for k, v in want.items()):
            return row
    raise AssertionError(f"the seed has no pending subscription with {want}")


def test_sandbox_refuses_a_pause_stripe_refuses(account):
    sb, ws, admin = account
    classic = _pending(sb, ws, mode="classic")
    with pytest.raises(stripe.InvalidRequestError, match="flexible billing mode"):
        admin.v1.subscriptions.pause(classic.subscription_id, {"type": "subscription"})
    flexible = _pending(sb, ws, mode="flexible", schedule=False, collection="charge_automatically", status="active")
    with pytest.raises(stripe.InvalidRequestError, match="set to cancel"):  # the stricter side (pausing.py)
        admin.v1.subscriptions.pause(flexible.subscription_id)
    with pytest.raises(stripe.InvalidRequestError, match="not paused"):
        admin.v1.subscriptions.resume(flexible.subscription_id)
    with pytest.raises(stripe.InvalidRequestError, match="bill_for"):
        admin.v1.subscriptions.pause(flexible.subscription_id, {"bill_for": {"unused_time_from": {"type": "later"}}})


def test_pause_sets_status_paused_cuts_the_period_and_sends_both_events(account):
    sb, ws, admin = account
    row = _pending(sb, ws, mode="flexible", schedule=False, collection="charge_automatically", status="active")
    admin.v1.subscriptions.update(row.subscription_id, {"cancel_at_period_end": False, "cancel_at": ""})
    paused = admin.v1.subscriptions.pause(row.subscription_id, {"type": "subscription"}).to_dict()
    now = sb.state.clock.now()
    assert paused["status"] == "paused"
    assert paused["status_details"]["paused"] == {
        "subscription": {"type": "pause_requested"},
        "transitioned_at": paused["status_details"]["paused"]["transitioned_at"],
        "type": "subscription",
    }
    assert all(abs(i["current_period_end"] - now) < 5 for i in paused["items"]["data"])
    types = [e.type for e in admin.v1.events.list({"limit": 2}).data]
    assert set(types) == {"customer.subscription.paused", "customer.subscription.updated"}
    with pytest.raises(stripe.InvalidRequestError, match="paused subscription cannot be set to cancel"):
        admin.v1.subscriptions.update(row.subscription_id, {"cancel_at_period_end": True})
    invoices = len(admin.v1.invoices.list({"subscription": row.subscription_id, "limit": 100}).data)
    clock = admin.v1.test_helpers.test_clocks.list().data[0]
    admin.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": clock.frozen_time + 70 * 86400})
    still = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()  # "will not advance to new billing periods"
    assert still["status"] == "paused" and len(admin.v1.invoices.list({"subscription": row.subscription_id}).data) == invoices
    later = sb.state.clock.now()
    resumed = admin.v1.subscriptions.resume(row.subscription_id, {"billing_cycle_anchor": {"type": "unchanged"}}).to_dict()
    assert resumed["status"] == "active" and resumed["status_details"] is None
    assert all(i["current_period_end"] > later > i["current_period_start"] for i in resumed["items"]["data"])
    types = [e.type for e in admin.v1.events.list({"limit": 2}).data]
    assert set(types) == {"customer.subscription.resumed", "customer.subscription.updated"}


def test_save_with_a_real_pause_then_undo_with_resume(account):
    sb, ws, admin = account
    row = _pending(sb, ws, mode="flexible", schedule=False, collection="charge_automatically", status="active")
    assert row.pause_blocker is None
    before = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()
    action = ws.actions("Dana").apply(row.subscription_id, REAL_PAUSE, CALL)
    assert action.state == "applied" and action.kind == "pause" and action.offer_code == "pause:subscription"
    live = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()
    assert live["status"] == "paused" and not live["cancel_at_period_end"] and live["cancel_at"] is None
    assert live["metadata"]["churn_console_action"] == action.id and live["pause_collection"] is None
    assert row.subscription_id not in {r.subscription_id for r in ws.queue()}
    cached = ws.cache.subscription(row.subscription_id)
    assert cached is not None and cached.status == "paused" and cached.paused_at is not None

    undo = ws.actions("Dana").undo(action.id)
    assert undo.state == "applied"
    back = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()
    assert back["status"] == "active" and "churn_console_action" not in back["metadata"]
    assert (back["cancel_at_period_end"], back["cancel_at"] is not None) == (
        before["cancel_at_period_end"],
        before["cancel_at"] is not None,
    )
    assert back["cancellation_details"]["feedback"] == before["cancellation_details"]["feedback"]
    assert row.subscription_id in {r.subscription_id for r in ws.queue()}
    ws.sync()  # the events: .paused/.resumed with .updated, one timeline entry each
    kinds = [e["kind"] for e in ws.cache.timeline(row.subscription_id)]
    assert kinds.count("subscription_paused") == 1 and kinds.count("subscription_resumed") == 1


def test_a_real_pause_counts_as_a_pause_in_outcomes(account):
    sb, ws, admin = account
    row = _pending(sb, ws, mode="flexible", schedule=False, collection="charge_automatically", status="active")
    ws.actions("Dana").apply(row.subscription_id, REAL_PAUSE, CALL)
    ws.sync()
    mine = [o for o in outcomes(ws.cache) if o.subscription_id == row.subscription_id and o.kind == "saved_operator"]
    assert [o.offer for o in mine] == ["pause"]


def test_the_console_refuses_a_real_pause_where_stripe_would_and_sends_nothing(account):
    sb, ws, admin = account
    classic = _pending(sb, ws, mode="classic")
    invoiced = _pending(sb, ws, collection="send_invoice")
    for row in (classic, invoiced):
        assert row.pause_blocker  # the queue knows before anything is sent
    eligible = [
        r for r in ws.queue() if r.pause_blocker is None and sb.state.get("subscription", r.subscription_id)["status"] == "active"
    ]
    with_schedule, charged_by_invoice = eligible[:2]
    sb.state.get("subscription", with_schedule.subscription_id)["schedule"] = "sub_sched_1"  # since the last sync
    sb.state.get("subscription", charged_by_invoice.subscription_id)["collection_method"] = "send_invoice"
    for row, words in (
        (classic, "flexible billing mode"),
        (with_schedule, "schedule"),
        (charged_by_invoice, "charge automatically"),
    ):
        seen = len(sb.state.events)
        with pytest.raises(ActionRefused, match=words):
            ws.actions("Dana").apply(row.subscription_id, REAL_PAUSE, CALL)
        assert len(sb.state.events) == seen  # nothing was sent
        assert admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()["status"] != "paused"


def test_a_refused_pause_puts_the_cancellation_back(account):
    """Stripe may refuse what the console thought allowed (a schedule attached a second ago): the customer is
    never left saved without the offer."""
    sb, ws, admin = account
    row = _pending(sb, ws, mode="flexible", schedule=False, collection="charge_automatically", status="active")
    sb.state.get("subscription", row.subscription_id)["schedule"] = "sub_sched_justnow"  # after the console's read
    before = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()
    actions = ws.actions("Dana")
    actions.gateway.subscription = _stale(actions.gateway.subscription)  # the re-read predates the schedule
    with pytest.raises(PauseRefused, match="schedule") as refused:
        actions.apply(row.subscription_id, REAL_PAUSE, CALL)
    assert "put back" in refused.value.hint
    after = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()
    assert after["status"] == "active" and (after["cancel_at_period_end"] or after["cancel_at"])
    assert after["cancel_at"] == before["cancel_at"] and "churn_console_action" not in after["metadata"]
    failed = ws.journal.get(getattr(refused.value, "action_id", ""))
    assert failed is not None and failed.state == "failed" and not failed.retryable


def _stale(read):
    def without_schedule(sub_id):
        import dataclasses

        return dataclasses.replace(read(sub_id), schedule_id=None)

    return without_schedule


def test_a_pause_interrupted_after_the_update_is_finished_not_refused(account):
    sb, ws, admin = account
    row = _pending(sb, ws, mode="flexible", schedule=False, collection="charge_automatically", status="active")
    actions = ws.actions("Dana")
    real_pause = actions.gateway.pause_subscription

    def down(*args, **kwargs):
        raise StripeUnavailable("Stripe is having trouble (503).")

    actions.gateway.pause_subscription = down
    with pytest.raises(StripeUnavailable):
        actions.apply(row.subscription_id, REAL_PAUSE, CALL)
    half = admin.v1.subscriptions.retrieve(row.subscription_id).to_dict()
    assert half["status"] == "active" and not half["cancel_at_period_end"] and half["cancel_at"] is None
    action_id = half["metadata"]["churn_console_action"]
    assert ws.journal.get(action_id).state == "failed"
    actions.gateway.pause_subscription = real_pause
    done = actions.retry(action_id)
    assert done.state == "applied"
    assert admin.v1.subscriptions.retrieve(row.subscription_id).status == "paused"
