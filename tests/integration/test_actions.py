"""Retention actions against the sandbox through the real SDK: what Stripe holds afterwards."""

from __future__ import annotations

import threading
import time

import pytest

from console.actions import ActionRefused, Actions, Consent
from console.actions.bulk import apply_many, retry_failed
from console.domain.offers import ContactOffer, CouponOffer, CouponSpec, PauseOffer, RevokeOffer
from console.errors import Offline, RateLimited
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for

CALL = Consent("call", "Agreed on the phone")


@pytest.fixture
def ws(sandbox, tmp_path):
    workspace = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    workspace.sync()
    yield workspace
    workspace.close()


def pending(client, *, with_discount: bool = False, currency: str | None = None):
    """A pending cancellation without discounts; with_discount gives it LOYAL10 first (through the SDK)."""
    for sub in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter():
        if not (sub.cancel_at_period_end or sub.cancel_at) or sub.discounts:
            continue
        if currency and sub.currency != currency:
            continue
        if with_discount:
            client.v1.subscriptions.update(sub.id, {"discounts": [{"coupon": "LOYAL10"}]})
            sub = client.v1.subscriptions.retrieve(sub.id)
        return sub
    raise AssertionError("no such pending subscription in the seed")


def test_save_with_a_coupon_keeps_earlier_discounts_and_records_metadata(sandbox, client, ws):
    sub = pending(client, with_discount=True)
    earlier = list(sub.discounts)
    assert earlier
    action = ws.actions("Dana").apply(sub.id, CouponOffer(coupon_id="HALF-1M"), CALL)
    after = client.v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]})
    assert after.cancel_at_period_end is False and after.cancel_at is None
    assert [d.id for d in after.discounts][: len(earlier)] == earlier
    assert after.discounts[-1].source.coupon == "HALF-1M"
    meta = after.metadata
    assert meta["churn_console_action"] == action.id
    assert meta["churn_console_offer"] == "coupon:HALF-1M"
    assert meta["churn_console_operator"] == "Dana" and meta["churn_console_consent"] == "call"
    assert action.state == "applied" and action.request_id and action.consent_note == "Agreed on the phone"
    assert sub.id not in {r.subscription_id for r in ws.queue()}
    assert ws.cache.intents_for(sub.id)[-1]["resolution"] == "saved"
    updates = [e for e in sandbox.log if e.method == "POST" and e.idempotency_key == action.idempotency_key]
    assert len(updates) == 1  # one request does both: revoke and discount
    assert updates[0].params["cancel_at_period_end"] is False and updates[0].params["discounts"][-1] == {"coupon": "HALF-1M"}


def test_a_save_met_by_stripes_lock_timeout_says_another_request_holds_it_and_changes_nothing(sandbox, client, ws):
    """Stripe answers a write 429 `lock_timeout` while another request or process holds the object (a second console
    saving the same customer): said as that, not as the rate limit; nothing changed, the save can be tried again. The
    client's retries (Stripe-Should-Retry: true) get past a short one, and the save lands once."""
    sub = pending(client)
    sandbox.configure_faults(lock_next=1)
    with pytest.raises(RateLimited) as info:
        ws.actions("Dana").apply(sub.id, CouponOffer(coupon_id="HALF-1M"), CALL)  # this workspace: no client retries
    assert "Another request is changing this same object" in info.value.message and "Nothing was changed" in info.value.hint
    after = client.v1.subscriptions.retrieve(sub.id)
    assert after.cancel_at_period_end or after.cancel_at  # nothing was sent through
    [failed] = [a for a in ws.journal.for_subscription(sub.id) if a.kind == "save"]
    assert failed.state == "failed" and "Another request" in (failed.error or "")
    retrying = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), ws.data_dir)  # the SDK's retries: 2
    sandbox.configure_faults(lock_next=2)
    try:
        saved = retrying.actions("Dana").apply(sub.id, CouponOffer(coupon_id="HALF-1M"), CALL)
    finally:
        retrying.close()
    assert saved.state == "applied"
    posted = [e for e in sandbox.log if e.method == "POST" and e.path == f"/v1/subscriptions/{sub.id}"]
    assert [e.status for e in posted][-3:] == [429, 429, 200]
    assert [d.source.coupon for d in client.v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]}).discounts] == ["HALF-1M"]


def test_inline_coupon_is_created_then_applied(sandbox, client, ws):
    sub = pending(client, currency="eur")
    offer = CouponOffer(
        new_coupon=CouponSpec(
            amount_off=500, currency="eur", duration="repeating", duration_in_months=2, name="€5 off for 2 months"
        ),
    )
    action = ws.actions("Dana").apply(sub.id, offer, CALL)
    coupon_id = action.offer_code.split(":", 1)[1]
    coupon = client.v1.coupons.retrieve(coupon_id)
    assert (coupon.amount_off, coupon.currency, coupon.duration_in_months, coupon.times_redeemed) == (500, "eur", 2, 1)


def test_pause_sets_pause_collection_with_resumes_at(sandbox, client, ws):
    sub = pending(client)
    before = time.time()
    ws.actions("Sam").apply(sub.id, PauseOffer(pause_months=2, behavior="keep_as_draft"), Consent("email"))
    after = client.v1.subscriptions.retrieve(sub.id)
    assert after.pause_collection.behavior == "keep_as_draft"
    assert 58 * 86400 < after.pause_collection.resumes_at - before < 63 * 86400
    assert after.status == sub.status and after.cancel_at_period_end is False  # pausing collection keeps the status


def test_undo_restores_the_cancellation_and_removes_what_was_added(sandbox, client, ws):
    sub = pending(client, with_discount=True)
    actions = ws.actions("Dana")
    save = actions.apply(sub.id, CouponOffer(coupon_id="HALF-1M"), CALL)
    undo = actions.undo(save.id)
    after = client.v1.subscriptions.retrieve(sub.id)
    assert (after.cancel_at_period_end, after.cancel_at) == (sub.cancel_at_period_end, sub.cancel_at)  # either billing mode
    assert list(after.discounts) == list(sub.discounts)
    assert after.cancellation_details.feedback == sub.cancellation_details.feedback
    assert "churn_console_action" not in after.metadata and after.metadata["churn_console_undone"].startswith(undo.id)
    assert ws.journal.get(save.id).state == "undone" and ws.journal.get(save.id).undone_by == undo.id
    assert sub.id in {r.subscription_id for r in ws.queue()}
    with pytest.raises(ActionRefused):
        actions.undo(save.id)


def test_undo_of_a_pause_removes_the_pause(sandbox, client, ws):
    sub = pending(client)
    actions = ws.actions("Dana")
    pause = actions.apply(sub.id, PauseOffer(pause_months=1), CALL)
    actions.undo(pause.id)
    after = client.v1.subscriptions.retrieve(sub.id)
    assert after.pause_collection is None and (after.cancel_at_period_end or after.cancel_at)


def test_action_replayed_after_a_crash_applies_once(sandbox, client, ws):
    sub = pending(client)
    actions = ws.actions("Dana")
    coupon_before = client.v1.coupons.retrieve("HALF-1M").times_redeemed
    # the update reaches Stripe, then the connection dies before the answer: the process never learns
    real_update = ws.gateway.update_subscription

    def update_then_crash(*args, **kwargs):
        sandbox.configure_faults(drop_next=1)
        return real_update(*args, **kwargs)

    ws.gateway.update_subscription = update_then_crash
    with pytest.raises(Offline):
        actions.apply(sub.id, CouponOffer(coupon_id="HALF-1M"), CALL)
    ws.gateway.update_subscription = real_update
    crashed = ws.journal.all(limit=1)[0]
    ws.journal.update(crashed, state="pending", error=None)  # as if the process died right after sending
    recovered = Actions(ws.gateway, ws.cache, ws.journal, "Dana").recover()
    assert [a.state for a in recovered] == ["applied"]
    after = client.v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]})
    assert [d.source.coupon for d in after.discounts].count("HALF-1M") == 1
    assert client.v1.coupons.retrieve("HALF-1M").times_redeemed == coupon_before + 1
    sent = [e for e in sandbox.log if e.idempotency_key == crashed.idempotency_key]
    assert [(e.fault, e.replayed) for e in sent] == [("drop", False), (None, True)]
    assert recovered[0].request_id


def test_moved_state_is_refused_and_nothing_is_sent(sandbox, client, ws):
    sub = pending(client)
    client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": False, "cancel_at": ""})  # the customer revoked meanwhile
    before = len(sandbox.log)
    with pytest.raises(ActionRefused) as info:
        ws.actions("Dana").apply(sub.id, CouponOffer(coupon_id="HALF-1M"), CALL)
    assert "no longer set to cancel" in str(info.value)
    assert not [e for e in sandbox.log[before:] if e.method == "POST"]


@pytest.mark.parametrize(
    ("offer", "field"),
    [
        (CouponOffer(new_coupon=CouponSpec(percent_off=150)), "percent_off"),
        (CouponOffer(new_coupon=CouponSpec(amount_off=500)), "currency"),
        (CouponOffer(new_coupon=CouponSpec(percent_off=10, duration="repeating")), "duration_in_months"),
        (PauseOffer(pause_months=0), "pause"),
        (PauseOffer(pause_months=1, behavior="nap"), "behavior"),
        (CouponOffer(coupon_id="bad id!"), "coupon"),
    ],
)
def test_invalid_offers_are_refused_before_anything_is_sent(sandbox, client, ws, offer, field):
    sub = pending(client)
    before = len(sandbox.log)
    with pytest.raises(ActionRefused) as info:
        ws.actions("Dana").apply(sub.id, offer, CALL)
    assert field in info.value.problems
    assert len(sandbox.log) == before


def test_consent_and_operator_are_required(sandbox, client, ws):
    sub = pending(client)
    with pytest.raises(ActionRefused) as info:
        ws.actions("Dana").apply(sub.id, RevokeOffer(), None)
    assert "consent" in info.value.problems
    with pytest.raises(ActionRefused) as info:
        ws.actions("  ").apply(sub.id, RevokeOffer(), CALL)
    assert "operator" in info.value.problems


def test_a_coupon_already_on_the_subscription_is_refused(sandbox, client, ws):
    sub = pending(client, with_discount=True)
    coupon = client.v1.subscriptions.retrieve(sub.id, {"expand": ["discounts"]}).discounts[0].source.coupon
    with pytest.raises(ActionRefused) as info:
        ws.actions("Dana").apply(sub.id, CouponOffer(coupon_id=coupon), CALL)
    assert "already has the coupon" in str(info.value)


def test_portal_link_with_a_retention_offer(sandbox, client, ws):
    sub = pending(client)
    url = ws.actions("Dana").portal_link(sub.customer, retention_coupon="RETAIN25-3M", subscription=sub.id)
    assert url.startswith(sandbox.url + "/p/session/")


def test_bulk_over_fifty_rows_with_faults_applies_each_exactly_once(tmp_path):
    with Sandbox(seed=21, customers=700) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path)  # the console retries, not the SDK
        ws.sync()
        rows = [r for r in ws.queue() if "HALF-1M" not in (r.discount or "")][:55]  # not offered twice
        assert len(rows) >= 50
        seeded = client_for(sb).v1.coupons.retrieve("HALF-1M").times_redeemed  # the demo account uses it too
        already = sum(1 for r in rows if "HALF-1M" in (r.discount or ""))
        sb.configure_faults(error_rate=0.1, throttle_rate=0.05, drop_rate=0.05, seed=4)
        actions = ws.actions("Bulk Operator")
        results = apply_many(
            actions, [(r.subscription_id, CouponOffer(coupon_id="HALF-1M")) for r in rows], CALL, attempts=6, backoff_s=0.01
        )
        results = retry_failed(actions, results, CALL)
        sb.configure_faults(error_rate=0, throttle_rate=0, drop_rate=0)
        assert any(e.fault for e in sb.log)  # faults really were injected
        client = client_for(sb)
        applied = redeemed = 0
        for row, result in zip(rows, results, strict=True):
            sub = client.v1.subscriptions.retrieve(row.subscription_id, {"expand": ["discounts"]})
            count = [d.source.coupon for d in sub.discounts].count("HALF-1M")
            redeemed += count
            if result.outcome == "applied":
                applied += 1
                assert count == 1 and sub.metadata["churn_console_action"] == result.action.id
            else:
                assert result.outcome in ("refused", "failed") and count <= 1
        assert applied >= 50
        new = client.v1.coupons.retrieve("HALF-1M").times_redeemed - seeded
        assert new == redeemed - already  # never redeemed twice for one row
        journal_applied = [a for a in ws.journal.all() if a.state == "applied"]
        assert len({a.subscription_id for a in journal_applied}) == len(journal_applied) == applied
        ws.close()


def test_recover_leaves_alone_an_action_this_process_is_still_sending(tmp_path):
    """The window's sync finishes interrupted actions; one another thread is sending is not interrupted."""
    with Sandbox(seed=21, customers=120) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path)
        ws.sync()
        row = ws.queue()[0]
        sb.configure_faults(latency_ms=400)
        sending = threading.Thread(target=lambda: ws.actions("Dana").apply(row.subscription_id, RevokeOffer(), CALL))
        sending.start()
        deadline = time.monotonic() + 10
        while not ws.journal.in_state("pending") and time.monotonic() < deadline:
            time.sleep(0.01)
        assert ws.journal.in_state("pending"), "the action is journaled before it is sent"
        assert ws.finish_interrupted() == []
        sending.join()
        sb.configure_faults(latency_ms=0)
        posts = [e for e in sb.log if e.method == "POST" and e.path.endswith(row.subscription_id)]
        ws.close()
    assert len(posts) == 1 and not posts[0].replayed


def test_a_contact_checks_the_operator_and_the_note_like_a_save(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    sub_id = ws.queue()[0].subscription_id
    with pytest.raises(ActionRefused, match="Your name is not set"):
        ws.actions("  ").apply(sub_id, ContactOffer(), None)
    with pytest.raises(ActionRefused, match="too long"):
        ws.actions("Dana").apply(sub_id, ContactOffer(), Consent("call", "x" * 501))
    with pytest.raises(ActionRefused, match="how you reached the customer"):
        ws.actions("Dana").apply(sub_id, ContactOffer(), None)
    assert ws.journal.all() == []  # nothing journaled
    done = ws.actions("Dana").apply(sub_id, ContactOffer(), Consent("email", "Asked about the budget"))
    assert done.state == "applied" and done.offer_code == "desk:contact"  # the desk's one use case for a contact
    held = client_for(sandbox, sandbox.secret_key).v1.subscriptions.retrieve(sub_id).metadata.to_dict()
    assert held["churn_console_desk_state"] == "contacted" and held["churn_console_desk_contact"].startswith("email ")
    assert held["churn_console_desk_note"] == "Asked about the budget"
    ws.close()


def test_undo_keeps_when_the_customer_asked_and_says_who_undid(sandbox, tmp_path):
    """After save → undo: "Asked on" is still the customer's own ask; the timeline has one "Asked to cancel"
    and a "Save undone by …"; after a sync (the undo's event) still one ask, and outcomes see it pending once."""
    from console.analytics.outcomes import outcomes

    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    row = ws.queue()[0]
    asked = row.requested_at
    saved = ws.actions("Dana").apply(row.subscription_id, RevokeOffer(), CALL)
    time.sleep(1.1)  # the undo happens in a later second than the ask
    ws.actions("Robin").undo(saved.id)
    ws.sync()
    again = next(r for r in ws.queue() if r.subscription_id == row.subscription_id)
    assert again.requested_at == asked
    kinds = [e["kind"] for e in ws.cache.timeline(row.subscription_id)]
    assert kinds.count("cancel_scheduled") == 1 and "save_undone" in kinds
    undone = next(e for e in ws.cache.timeline(row.subscription_id) if e["kind"] == "save_undone")
    assert undone["detail"]["operator"] == "Robin"
    mine = [o for o in outcomes(ws.cache) if o.subscription_id == row.subscription_id]
    assert [o.kind for o in mine] == ["pending"]
    ws.close()
