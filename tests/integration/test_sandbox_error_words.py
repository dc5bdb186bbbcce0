"""The sandbox's errors as Stripe words them, and the console's path for each (issue "Nothing lost, II", point 5).

Each case names its source: a real Stripe log or message quoted in a public issue, or Stripe's documentation.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import stripe

from console.errors import InProgress
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for


@pytest.mark.parametrize(
    ("path", "missing"),
    [("/v1/subscriptions", "customer"), ("/v1/billing_portal/configurations", "features")],
)
def test_a_missing_required_parameter_is_parameter_missing_as_in_stripe_official_issue_84(sandbox, path, missing):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client_for(sandbox, sandbox.secret_key).raw_request("post", path)
    err = info.value.json_body["error"]
    assert info.value.http_status == 400 and err["code"] == "parameter_missing"
    assert err["message"] == f"Missing required param: {missing}." and err["param"] == missing


def test_an_unknown_cursor_names_the_kind_and_the_cursor_param(shared_client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        shared_client.v1.subscriptions.list({"starting_after": "sub_gone"})
    err = info.value
    assert err.http_status == 404 and err.code == "resource_missing" and err.param == "starting_after"
    assert err.user_message == "No such subscription: 'sub_gone'"
    with pytest.raises(stripe.InvalidRequestError) as info:
        shared_client.v1.customers.list({"ending_before": "cus_gone"})
    assert info.value.param == "ending_before" and info.value.user_message == "No such customer: 'cus_gone'"


def test_both_cursors_are_refused_as_in_stripe_python_issue_585(shared_client):
    subs = shared_client.v1.subscriptions.list({"limit": 2}).data
    for list_it in (shared_client.v1.subscriptions.list, shared_client.v1.events.list):
        with pytest.raises(stripe.InvalidRequestError) as info:
            list_it({"starting_after": subs[0].id, "ending_before": subs[1].id})
        assert info.value.http_status == 400
        assert info.value.user_message == "Received both starting_after and ending_before parameters. Please pass in only one."


def test_a_key_reused_on_another_endpoint_says_so_as_in_stripe_ruby_issue_598(sandbox):
    client = client_for(sandbox, sandbox.secret_key)
    key = f"k-{uuid.uuid4()}"
    client.v1.coupons.create({"percent_off": 5, "duration": "once"}, {"idempotency_key": key})
    customer = client.v1.customers.list({"limit": 1}).data[0].id
    with pytest.raises(stripe.IdempotencyError) as info:
        client.v1.customers.update(customer, {"metadata": {"x": "1"}}, {"idempotency_key": key})
    message = info.value.user_message
    assert "can only be used for the same endpoint they were first used for" in message and "POST /v1/coupons" in message
    with pytest.raises(stripe.IdempotencyError) as info:  # the same endpoint, other parameters: the other message
        client.v1.coupons.create({"percent_off": 6, "duration": "once"}, {"idempotency_key": key})
    assert "same parameters" in info.value.user_message


def test_a_metered_item_carries_quantity_null_as_stripes_fixture_does(shared_sandbox):
    client = client_for(shared_sandbox)
    for sub in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter():
        for item in sub["items"].data:
            if item.price.recurring.usage_type == "metered":
                assert "quantity" in item and item.quantity is None
                return
    pytest.fail("the account has no metered subscription")


def test_a_request_whose_key_is_still_running_is_a_409_and_the_console_says_it_is_in_progress(sandbox):
    """docs.stripe.com/api/errors: 409 "The request conflicts with another request (perhaps due to using the same
    idempotent key)". Without retries the console says Stripe is still on it (InProgress, settled by a re-read);
    with the SDK's retries (it retries a 409) the second gets the first's answer replayed: one write."""
    sub = next(s for s in client_for(sandbox).v1.subscriptions.list({"limit": 20}).data if s.status == "active")
    sandbox.configure_faults(latency_ms=600)
    key = f"churn-console-{uuid.uuid4()}"
    params = {"metadata": {"churn_console_desk_note": "same request"}}
    first: list = []
    slow = threading.Thread(
        target=lambda: first.append(StripeGateway(sandbox.key, sandbox.url).update_subscription(sub.id, params, key))
    )
    slow.start()
    time.sleep(0.2)  # the first is being served
    with pytest.raises(InProgress) as info:
        StripeGateway(sandbox.key, sandbox.url, max_retries=0).update_subscription(sub.id, params, key)
    assert "still working on this same request" in info.value.message and "Do not send it again" in info.value.hint
    slow.join()
    sandbox.configure_faults(latency_ms=0)
    again = StripeGateway(sandbox.key, sandbox.url, max_retries=2).update_subscription(sub.id, params, key)
    assert again[2] is True  # replayed: the write happened once
    writes = [e for e in sandbox.log if e.method == "POST" and e.path.endswith(sub.id) and not e.replayed and e.status == 200]
    assert len(writes) == 1 and any(e.status == 409 for e in sandbox.log)


def test_a_save_whose_retry_meets_its_own_running_request_is_settled_at_the_next_sync_never_sent_twice(
    sandbox, tmp_path, monkeypatch
):
    """The real way a console meets a 409: its request outlives the client's timeout, the SDK sends it again with
    the same key while Stripe still runs the first, and Stripe answers 409. The action is kept as failed with no
    answer (InProgress is retryable), and the next sync finds it on Stripe and records it: one write."""
    from console.actions import Consent
    from console.domain.offers import CouponOffer
    from console.services.workspace import Workspace
    from console.stripe_gateway import client as sdk_client

    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path, "Acme")
    ws.sync()
    row = ws.queue()[0]
    monkeypatch.setattr(sdk_client, "DEFAULT_TIMEOUT_S", 0.6)
    ws.gateway = StripeGateway(sandbox.key, sandbox.url, max_retries=1)
    sandbox.configure_faults(write_latency_ms=1500)  # the update outlives the client's 0.6 s; reads stay quick
    sandbox.clear_log()
    with pytest.raises(InProgress) as info:
        ws.actions("Ann").apply(row.subscription_id, CouponOffer(coupon_id="HALF-1M"), Consent("call"))
    action = ws.journal.get(info.value.action_id)
    assert action.state == "failed" and action.retryable and "still working" in action.error
    assert any(e.status == 409 for e in sandbox.log)
    time.sleep(1.6)  # the first request finishes on Stripe's side
    sandbox.configure_faults(write_latency_ms=0)
    monkeypatch.setattr(sdk_client, "DEFAULT_TIMEOUT_S", 30)
    ws.gateway = StripeGateway(sandbox.key, sandbox.url)
    ws.sync()
    assert ws.journal.get(action.id).state == "applied"
    writes = [e for e in sandbox.log if e.method == "POST" and e.path.endswith(row.subscription_id) and e.status == 200]
    assert len([e for e in writes if not e.replayed]) == 1
    ws.close()
