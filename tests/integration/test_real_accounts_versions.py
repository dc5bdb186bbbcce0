"""Events in an older API version: data.object is rendered as the account's version had it (docs, "Versioning";
before 2025-03-31.basil the billing period was on the subscription, not on its items)."""

from __future__ import annotations

from datetime import UTC, datetime

from console.sandbox.app import Sandbox
from console.sandbox.state import OLDER_API_VERSION
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from console.stripe_gateway.convert import subscription
from tests.integration.conftest import client_for


def test_an_older_version_event_is_applied_with_the_period_from_the_subscription(tmp_path):
    with Sandbox(seed=12, customers=60, event_api_version=OLDER_API_VERSION) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, "Acme")
        ws.sync()
        admin = client_for(sb, sb.secret_key)
        target = next(
            s
            for s in admin.v1.subscriptions.list({"limit": 100, "status": "active"}).auto_paging_iter()
            if not s.cancel_at_period_end and not s.cancel_at
        )
        admin.v1.subscriptions.update(target.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "unused"}})
        event = admin.v1.events.list({"limit": 1}).data[0].to_dict()
        assert event["api_version"] == OLDER_API_VERSION
        obj = event["data"]["object"]
        assert "current_period_end" in obj and "current_period_end" not in obj["items"]["data"][0]
        report = ws.sync()
        assert report.kind == "incremental"
        row = next(r for r in ws.queue() if r.subscription_id == target.id)
        period_end = min(i["current_period_end"] for i in admin.v1.subscriptions.retrieve(target.id).to_dict()["items"]["data"])
        assert int(row.ends_at.timestamp()) == period_end and row.days_left() > 0
        ws.close()


def test_a_pending_subscription_without_any_period_is_read_again_not_given_zero_days(tmp_path):
    with Sandbox(seed=13, customers=40) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, "Acme")
        ws.sync()
        pending = ws.queue()[0]
        stored = sb.state.get("subscription", pending.subscription_id)
        shape = client_for(sb, sb.secret_key).v1.subscriptions.retrieve(pending.subscription_id).to_dict()
        for item in shape["items"]["data"]:
            item.pop("current_period_end")
        shape["cancel_at"] = None  # neither the period nor a date: the end is not in this answer
        unknown = subscription(shape)
        assert unknown.pending_cancellation and unknown.ends_at is None  # never "now"
        from console.sync.apply import _complete

        again = _complete(ws.cache, unknown, ws.gateway)
        assert again.ends_at is not None and int(again.ends_at.timestamp()) == min(
            i["current_period_end"] for i in stored["items"]["data"]
        )
        assert again.ends_at > datetime.now(UTC)
        ws.close()


def test_save_and_undo_on_both_billing_modes(tmp_path):
    """Flexible mode: a portal cancellation sets cancel_at and leaves cancel_at_period_end false (STRIPE.md,
    "Billing mode"); classic mode sets cancel_at_period_end. Both are saved and undone exactly."""
    from console.actions import Consent
    from console.domain.offers import PauseOffer

    with Sandbox(seed=14, customers=200) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, "Acme")
        ws.sync()
        admin = client_for(sb, sb.secret_key)
        by_mode: dict[str, str] = {}
        for row in ws.queue():
            s = sb.state.get("subscription", row.subscription_id)
            by_mode.setdefault(s["billing_mode"]["type"], row.subscription_id)
        assert set(by_mode) == {"flexible", "classic"}
        flexible = sb.state.get("subscription", by_mode["flexible"])
        if not flexible["cancel_at_period_end"]:
            assert flexible["cancel_at"] is not None
        actions = ws.actions("Dana")
        for sub_id in by_mode.values():
            before = admin.v1.subscriptions.retrieve(sub_id)
            save = actions.apply(sub_id, PauseOffer(pause_months=1), Consent("call"))
            saved = admin.v1.subscriptions.retrieve(sub_id)
            assert save.state == "applied" and saved.cancel_at is None and not saved.cancel_at_period_end
            actions.undo(save.id)
            undone = admin.v1.subscriptions.retrieve(sub_id)
            assert (undone.cancel_at, undone.cancel_at_period_end) == (before.cancel_at, before.cancel_at_period_end)
            assert undone.pause_collection is None
        ws.close()
