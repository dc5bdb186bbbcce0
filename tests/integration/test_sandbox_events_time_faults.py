"""Events with previous_attributes, the test clock, injected faults, concurrency and the request log."""

from __future__ import annotations

import concurrent.futures
import threading
import time

import pytest
import stripe

from tests.integration.conftest import client_for

DAY = 86400


def latest_event(client, event_type: str, obj_id: str):
    for event in client.v1.events.list({"types": [event_type], "limit": 100}).auto_paging_iter():
        if event.data.object.id == obj_id:
            return event
    raise AssertionError(f"no {event_type} for {obj_id}")


def active_sub(client, **where):
    for sub in client.v1.subscriptions.list({"limit": 100, "status": "active"}).auto_paging_iter():
        if all(getattr(sub, k) == v for k, v in where.items()) and not sub.discounts:
            return sub
    raise AssertionError("no such subscription in the seed")


def test_scheduling_a_cancellation_records_previous_attributes(sandbox, client):
    sub = active_sub(client, cancel_at_period_end=False, cancel_at=None)
    client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "too_expensive"}})
    event = latest_event(client, "customer.subscription.updated", sub.id)
    prev = event.data.previous_attributes
    assert prev.cancel_at_period_end is False
    assert prev.cancel_at is None
    assert prev.cancellation_details.feedback is None
    assert event.data.object.cancel_at_period_end is True
    assert event.data.object.cancel_at == min(i.current_period_end for i in event.data.object["items"].data)


def test_revoking_records_the_reverse(sandbox, client):
    sub = next(s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end)
    client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": False})
    prev = latest_event(client, "customer.subscription.updated", sub.id).data.previous_attributes
    assert prev.cancel_at_period_end is True
    assert prev.cancel_at == sub.cancel_at
    assert client.v1.subscriptions.retrieve(sub.id).canceled_at is None


def test_discount_and_pause_and_metadata_events(sandbox, client):
    sub = active_sub(client)
    resumes = int(time.time()) + 40 * DAY
    client.v1.subscriptions.update(
        sub.id,
        {
            "discounts": [{"coupon": "LOYAL10"}],
            "pause_collection": {"behavior": "void", "resumes_at": resumes},
            "metadata": {"k": "v"},
        },
    )
    event = latest_event(client, "customer.subscription.updated", sub.id)
    prev = event.data.previous_attributes
    assert prev.discounts == []
    assert prev.pause_collection is None
    assert prev.metadata.to_dict() == {"k": None}
    created = latest_event(client, "customer.discount.created", client.v1.subscriptions.retrieve(sub.id).discounts[0])
    assert created.data.object.source.coupon == "LOYAL10"
    client.v1.subscriptions.delete_discount(sub.id)
    assert latest_event(client, "customer.discount.deleted", created.data.object.id)


def test_coupon_and_portal_configuration_events(sandbox, client):
    coupon = client.v1.coupons.create({"percent_off": 20, "duration": "once"})
    assert latest_event(client, "coupon.created", coupon.id)
    config = client.v1.billing_portal.configurations.list({"is_default": True}).data[0]
    client.v1.billing_portal.configurations.update(config.id, {"business_profile": {"headline": "New headline"}})
    event = latest_event(client, "billing_portal.configuration.updated", config.id)
    assert event.data.previous_attributes.business_profile.headline == config.business_profile.headline
    assert event.data.object.updated > config.updated


def test_events_filter_by_types_and_created(shared_client):
    events = list(shared_client.v1.events.list({"limit": 100}).auto_paging_iter())
    assert events == sorted(events, key=lambda e: e.created, reverse=True)
    deleted = list(shared_client.v1.events.list({"types": ["customer.subscription.deleted"], "limit": 100}).auto_paging_iter())
    assert deleted and all(e.type == "customer.subscription.deleted" for e in deleted)
    cut = events[len(events) // 2].created
    newer = list(shared_client.v1.events.list({"created": {"gt": cut}, "limit": 100}).auto_paging_iter())
    assert newer and all(e.created > cut for e in newer)


def test_events_stay_inside_stripes_30_day_window(shared_client, shared_sandbox):
    now = shared_sandbox.state.clock.now()
    events = list(shared_client.v1.events.list({"limit": 100}).auto_paging_iter())
    assert min(e.created for e in events) >= now - 30 * DAY
    ended = list(shared_client.v1.subscriptions.list({"limit": 100, "status": "ended"}).auto_paging_iter())
    assert min(s.ended_at for s in ended) < now - 60 * DAY  # history reaches further back than the events


def test_advancing_the_clock_ends_pending_cancellations(sandbox, client):
    now = sandbox.state.clock.now()
    # cancellations ending within 20 days: their deletion events stay inside Stripe's 30-day window
    pending = [
        s
        for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
        if s.cancel_at_period_end and s.cancel_at < now + 20 * DAY
    ]
    assert pending
    target = max(s.cancel_at for s in pending) + 60
    clock = client.v1.test_helpers.test_clocks.list().data[0]
    advanced = client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": target})
    assert advanced.frozen_time >= target
    for sub in pending:
        now = client.v1.subscriptions.retrieve(sub.id)
        assert now.status == "canceled"
        assert now.ended_at == sub.cancel_at
        assert now.cancellation_details.reason == "cancellation_requested"
        assert latest_event(client, "customer.subscription.deleted", sub.id).data.object.status == "canceled"


def test_advancing_renews_other_subscriptions_with_a_paid_invoice(sandbox, client):
    sub = active_sub(client, cancel_at_period_end=False, cancel_at=None)
    end = min(i.current_period_end for i in sub["items"].data)
    sandbox.advance(end - sandbox.state.clock.now() + 10)
    renewed = client.v1.subscriptions.retrieve(sub.id, {"expand": ["latest_invoice"]})
    assert renewed.status == "active"
    assert min(i.current_period_start for i in renewed["items"].data) == end
    assert renewed.latest_invoice.status == "paid"
    assert renewed.latest_invoice.period_start == end


def test_clock_refuses_to_go_back(sandbox, client):
    clock = client.v1.test_helpers.test_clocks.list().data[0]
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.test_helpers.test_clocks.advance(clock.id, {"frozen_time": 1000})
    assert info.value.param == "frozen_time"


def test_rate_limit_answers_429_rate_limit(sandbox, client):
    sandbox.configure_faults(rate_limit=5)
    outcomes = []
    for _ in range(12):
        try:
            client.v1.coupons.list({"limit": 1})
            outcomes.append("ok")
        except stripe.RateLimitError as err:
            assert err.http_status == 429 and err.json_body["error"]["code"] == "rate_limit"
            outcomes.append("429")
    assert outcomes[:5] == ["ok"] * 5
    assert "429" in outcomes


def test_each_endpoint_has_its_own_limit_of_25_a_second_inside_the_accounts(sandbox, client):
    """docs.stripe.com/rate-limits: "API endpoints have a default limit of 25 requests per second", each named operation
    one endpoint whatever the id, counted against the account's limit too (100 in live mode)."""
    sandbox.configure_faults(rate_limit=100)
    ids = [c.id for c in client.v1.coupons.list({"limit": 3}).data]
    sandbox.configure_faults(rate_limit=100)  # a fresh second

    def outcome(call):
        try:
            call()
            return "ok"
        except stripe.RateLimitError as err:
            assert err.json_body["error"]["code"] == "rate_limit"
            return "429"

    with concurrent.futures.ThreadPoolExecutor(30) as pool:  # all within the second
        one_endpoint = list(pool.map(lambda i: outcome(lambda: client.v1.coupons.retrieve(ids[i % len(ids)])), range(30)))
    assert sorted(one_endpoint) == ["429"] * 5 + ["ok"] * 25  # any id: one endpoint
    assert outcome(lambda: client.v1.coupons.list({"limit": 1})) == "ok"  # another endpoint: its own 25
    sandbox.configure_faults(rate_limit=10)  # the account's limit, when lower, comes first
    assert [outcome(lambda: client.v1.coupons.list({"limit": 1})) for _ in range(12)][10:] == ["429", "429"]


def test_lock_next_answers_writes_429_lock_timeout_safe_to_retry_and_runs_nothing(sandbox, client):
    """Stripe's answer while another request or process holds the object: 429 `lock_timeout` (one of the SDK's
    generated error codes), with Stripe-Should-Retry: true, which stripe-python follows (_http_client._should_retry,
    "in cases of lock timeouts"). Reads pass; the write did not run."""
    sub = client.v1.subscriptions.list({"limit": 1}).data[0]
    sandbox.configure_faults(lock_next=1)
    assert client.v1.subscriptions.retrieve(sub.id).id == sub.id  # a read is not held up
    with pytest.raises(stripe.RateLimitError) as info:
        client.v1.subscriptions.update(sub.id, {"metadata": {"held": "yes"}})
    assert info.value.error.code == "lock_timeout" and info.value.headers["stripe-should-retry"] == "true"
    assert "held" not in client.v1.subscriptions.retrieve(sub.id).metadata
    sandbox.configure_faults(lock_next=1)
    retried = client_for(sandbox, retries=1).v1.subscriptions.update(sub.id, {"metadata": {"held": "yes"}})
    assert retried.metadata["held"] == "yes"


def test_injected_500s_are_marked_safe_to_retry_and_the_sdk_retries(sandbox):
    sandbox.configure_faults(error_rate=0.5, seed=3)
    no_retry = client_for(sandbox)
    with pytest.raises(stripe.APIError) as info:
        for _ in range(20):
            no_retry.v1.coupons.list({"limit": 1})
    assert info.value.http_status == 500
    assert info.value.headers.get("Stripe-Should-Retry") == "true"
    retrying = client_for(sandbox, retries=8)
    for _ in range(10):
        assert retrying.v1.coupons.list({"limit": 1}).data


def test_dropped_connection_after_a_write_is_healed_by_idempotency(sandbox):
    client = client_for(sandbox, retries=0)
    sub = next(s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end)
    sandbox.configure_faults(drop_rate=1.0)
    with pytest.raises(stripe.APIConnectionError):
        client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": False}, {"idempotency_key": "drop-1"})
    sandbox.configure_faults(drop_rate=0.0)
    again = client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": False}, {"idempotency_key": "drop-1"})
    assert again.cancel_at_period_end is False
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    faults = [e.fault for e in sandbox.log if e.idempotency_key == "drop-1"]
    assert faults == ["drop", None]


def test_fifty_concurrent_requests_overlap(sandbox):
    """Latency must not serialise requests (a serial server would show 1 in flight; timing is in the benchmarks)."""
    sandbox.configure_faults(latency_ms=300)
    sandbox.clear_log()
    client = client_for(sandbox)
    start = threading.Barrier(50)

    def one(_):
        start.wait()
        return client.v1.coupons.list({"limit": 1})

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    assert all(r.data for r in results)
    assert sandbox.max_in_flight >= 40
    assert len(sandbox.log) == 50


def test_request_log_is_readable_over_http_and_never_holds_the_key(sandbox, client):
    import requests

    client.v1.coupons.list({"limit": 2})
    resp = requests.get(f"{sandbox.url}/_sandbox/log", headers={"Authorization": f"Bearer {sandbox.admin_key}"}, timeout=5)
    entries = resp.json()["entries"]
    assert entries[-1]["path"] == "/v1/coupons" and entries[-1]["params"] == {"limit": 2}
    assert sandbox.key not in resp.text
