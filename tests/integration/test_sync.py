"""Sync against the sandbox: the cache equals what the SDK lists, and each change arrives incrementally."""

from __future__ import annotations

import time

import pytest
import stripe

from console.domain.money import monthly_minor
from console.errors import StripeUnavailable
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from console.sync.ranges import EPOCH_FLOOR, recent_first
from tests.integration.conftest import client_for

DAY = 86400


@pytest.fixture
def workspace(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    yield ws
    ws.close()


def sdk_pending(client) -> dict[str, stripe.Subscription]:
    subs = client.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
    return {s.id: s for s in subs if s.cancel_at_period_end or s.cancel_at}


def queue_by_id(ws):
    return {r.subscription_id: r for r in ws.queue()}


def requests_during(sandbox, fn):
    before = len(sandbox.log)
    result = fn()
    return result, [e for e in sandbox.log[before:] if e.path.startswith("/v1/")]


def test_full_sync_queue_is_exactly_what_the_sdk_lists(sandbox, client, workspace):
    report, sync_requests = requests_during(sandbox, workspace.sync)
    assert report.kind == "full"
    expected = sdk_pending(client)
    queue = queue_by_id(workspace)
    assert queue.keys() == expected.keys()
    for sub_id, sub in expected.items():
        row = queue[sub_id]
        item = sub["items"].data[0]
        assert row.mrr_minor == monthly_minor(item.price.unit_amount, item.quantity, item.price.recurring.interval)
        assert row.currency == sub.currency
        assert row.feedback == sub.cancellation_details.feedback
        assert row.comment == sub.cancellation_details.comment
        assert int(row.ends_at.timestamp()) == sub.cancel_at
    # one request per 100 subscriptions, customers inlined: never one request per customer
    all_subs = list(client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter())
    lists = [e for e in sync_requests if e.path == "/v1/subscriptions"]
    pages = [e for e in lists if e.params.get("limit") == 100]
    assert all(
        e.params.get("expand") == ["data.customer", "data.discounts", "data.cancellation_details.feedback_option"] for e in pages
    )
    # no probing first: short recent ranges and long old ones (ranges.recent_first), each split while it is read
    assert len(lists) == len(pages) and not [e for e in sync_requests if e.path.startswith("/v1/customers")]
    # what the data needs: one request per 100 subscriptions, plus at most one part-filled page per range read
    assert len(pages) == report.pages <= -(-len(all_subs) // 100) + report.ranges
    assert report.ranges <= len(recent_first(EPOCH_FLOOR, int(time.time()))) + 2 * report.workers


def test_each_kind_of_change_arrives_with_at_most_two_requests(sandbox, client, workspace):
    workspace.sync()
    pending = sdk_pending(client)
    revoker = next(iter(pending.values()))
    quiet = next(
        s
        for s in client.v1.subscriptions.list({"limit": 100, "status": "active"}).auto_paging_iter()
        if not (s.cancel_at_period_end or s.cancel_at)
    )
    ends_soon = min((s for s in pending.values() if s.id != revoker.id), key=lambda s: s.cancel_at)

    # a customer revokes their cancellation
    client.v1.subscriptions.update(revoker.id, {"cancel_at_period_end": False, "cancel_at": ""})  # either billing mode
    _, reqs = requests_during(sandbox, workspace.sync)
    assert len(reqs) <= 2 and revoker.id not in queue_by_id(workspace)
    assert workspace.cache.intents_for(revoker.id)[-1]["resolution"] == "revoked"

    # a new cancellation, with the survey answer
    client.v1.subscriptions.update(
        quiet.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "unused", "comment": "Back in spring"}}
    )
    report, reqs = requests_during(sandbox, workspace.sync)
    assert len(reqs) <= 2 and report.kind == "incremental"
    row = queue_by_id(workspace)[quiet.id]
    assert (row.feedback, row.comment) == ("unused", "Back in spring")
    assert row.customer_name and row.email  # filled from the cache: no customer request
    assert not [e for e in reqs if e.path.startswith("/v1/customers")]

    # a coupon is added to a pending subscription
    client.v1.subscriptions.update(quiet.id, {"discounts": [{"coupon": "LOYAL10"}]})
    _, reqs = requests_during(sandbox, workspace.sync)
    assert len(reqs) <= 2 and queue_by_id(workspace)[quiet.id].discount == "LOYAL10"

    # a cancellation takes effect when the clock passes its end
    sandbox.advance(ends_soon.cancel_at - sandbox.state.clock.now() + 60)
    report, reqs = requests_during(sandbox, workspace.sync)
    # time passing also renews other subscriptions, and a renewal whose card fails has its decline read once
    declines = [e for e in reqs if e.path == "/v1/invoice_payments"]
    assert len(reqs) - len(declines) <= 2 and len(declines) == report.declines_read
    assert ends_soon.id not in queue_by_id(workspace)
    assert workspace.cache.intents_for(ends_soon.id)[-1]["resolution"] == "ended"
    assert queue_by_id(workspace).keys() == sdk_pending(client).keys()


def test_new_customer_and_subscription_cost_one_customer_lookup_at_most(sandbox, client, workspace):
    workspace.sync()
    customer = client.v1.customers.list({"limit": 1}).data[0]
    price = client.v1.prices.list({"limit": 1}).data[0]
    sub = client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}], "cancel_at_period_end": True})
    _, reqs = requests_during(sandbox, workspace.sync)
    assert len(reqs) <= 2
    assert queue_by_id(workspace)[sub.id].email == customer.email


def test_interrupted_full_sync_resumes_without_duplicates(tmp_path):
    with Sandbox(seed=13, customers=1500) as sandbox:  # ranges of several pages each
        ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)

        def break_after_two_pages(done, total, message):
            if done == 2:
                sandbox.configure_faults(error_rate=1.0)  # the server starts failing mid-sync

        with pytest.raises(StripeUnavailable):
            ws.sync(progress=break_after_two_pages)
        checkpoint = ws.cache.get_meta("full_sync")
        assert checkpoint["pages"] >= 2
        assert ws.cache.get_meta("events_cursor") is None  # the cursor never runs ahead of the data
        unfinished = [r for r in checkpoint["ranges"] if not r["done"]]
        assert unfinished
        sandbox.configure_faults(error_rate=0.0)
        sandbox.clear_log()
        report = ws.sync()
        assert report.resumed and report.kind == "full"
        lists = [e for e in sandbox.log if e.path == "/v1/subscriptions"]
        resumed_at = {r["after"] for r in unfinished if r["after"]}
        assert resumed_at <= {e.params.get("starting_after") for e in lists}  # each range went on from its cursor
        done_ranges = {(r["gte"], r["lt"], r["status"] == "ended") for r in checkpoint["ranges"] if r["done"]}
        read = [(e.params["created"]["gte"], e.params["created"]["lt"], e.params.get("status") == "ended") for e in lists]
        assert not [r for r in read if r in done_ranges]
        client = client_for(sandbox)
        every = [s.id for s in client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter()]
        stored = [r["id"] for r in ws.cache.db.query("SELECT id FROM subscriptions")]
        assert sorted(stored) == sorted(every) and len(stored) == len(set(stored))
        assert queue_by_id(ws).keys() == sdk_pending(client).keys()
        ws.close()


def test_a_cursor_older_than_stripes_window_falls_back_to_full(sandbox, workspace):
    workspace.sync()
    cursor = workspace.cache.get_meta("events_cursor")
    workspace.cache.set_meta("events_cursor", {**cursor, "at": cursor["at"] - 31 * DAY})
    report = workspace.sync()
    assert report.kind == "full" and "30-day" in report.fallback_reason


def test_an_expired_cursor_event_falls_back_to_full(sandbox, workspace):
    workspace.sync()
    workspace.cache.set_meta("events_cursor", {"id": "evt_gone", "at": sandbox.state.clock.now() - DAY})
    report = workspace.sync()
    assert report.kind == "full" and "no longer has the event" in report.fallback_reason


def test_an_expired_cursor_refused_as_a_400_naming_it_falls_back_to_full_too(sandbox, workspace):
    """Whatever the shape of Stripe's refusal of the stored cursor (404 resource_missing above, or a 400 naming
    the cursor parameter here), the sync lists everything again rather than failing."""
    workspace.sync()
    for _stream in ("events", "invoice events"):  # both cursors refused: the two lists go at once, in either order
        sandbox.mangle_next("refused", "/v1/events", field="ending_before")
    report = workspace.sync()
    assert report.kind == "full" and "no longer takes the event" in report.fallback_reason


def test_first_sync_learns_customers_own_revokes_from_recent_events(sandbox, client, workspace):
    # before the console ever synced, a customer scheduled a cancellation and took it back in the portal
    quiet = next(
        s
        for s in client.v1.subscriptions.list({"limit": 100, "status": "active"}).auto_paging_iter()
        if not s.cancel_at_period_end
    )
    client.v1.subscriptions.update(quiet.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "unused"}})
    client.v1.subscriptions.update(quiet.id, {"cancel_at_period_end": False})
    workspace.sync()
    revoked = [i for i in workspace.cache.intents() if i["resolution"] == "revoked"]
    assert quiet.id in {i["subscription_id"] for i in revoked}
    for intent in revoked:
        sub = client.v1.subscriptions.retrieve(intent["subscription_id"])
        assert not sub.cancel_at_period_end and sub.status != "canceled"
    saved = [i for i in workspace.cache.intents() if i["resolution"] == "saved"]
    assert saved and all(i["offer"] and i["action_id"] for i in saved)


def test_customer_rename_reaches_every_row(sandbox, client, workspace):
    workspace.sync()
    row = next(iter(queue_by_id(workspace).values()))
    # the sandbox does not expose customer updates over the API: change it as Stripe would, with its event
    with sandbox.state.lock:
        cust = sandbox.state.get("customer", row.customer_id)
        before = dict(cust)
        cust["name"] = "Renamed Person"
        from console.sandbox.state import diff

        sandbox.state.emit("customer.updated", cust, diff(before, cust))
    workspace.sync()
    assert queue_by_id(workspace)[row.subscription_id].customer_name == "Renamed Person"


def test_a_key_without_optional_permissions_still_syncs_the_queue(sandbox, client, tmp_path):
    from console.sandbox.keys import ALL_PERMISSIONS

    key = sandbox.make_key(ALL_PERMISSIONS - {"rak_coupon_write", "rak_billing_portal_write", "rak_event_read"})
    ws = Workspace.connect(StripeGateway(key, sandbox.url, max_retries=0), tmp_path)
    report = ws.sync()
    assert queue_by_id(ws).keys() == sdk_pending(client).keys()
    assert "coupons" in report.summary() and "Coupons: Read" in report.summary()
    again = ws.sync()
    assert again.kind == "full" and "cannot read events" in again.fallback_reason
    ws.close()


@pytest.mark.parametrize("ahead_s", [0, 90])
def test_a_stripe_clock_ahead_of_this_machines_loses_no_subscription_made_just_before_the_sync(ahead_s, tmp_path):
    """The events cursor is read at Stripe's time, the listing's ranges cut at this machine's: on a Stripe clock 90 s
    ahead, a subscription made just before the first sync has a `created` past local "now". Its ranges ended a second
    past it, and its creation event is not after the cursor: it was in neither (ranges.AHEAD_S). Now it is in the
    queue after the first sync, on a clock in step as on one ahead, and an incremental sync after it changes nothing."""
    with Sandbox(seed=5, customers=30, start_time=int(time.time()) + ahead_s) as sb:
        owner = client_for(sb, sb.secret_key)
        customer = owner.v1.customers.create({"name": "Just Signed", "email": "just@example.com"})
        price = next(p for p in owner.v1.prices.list({"limit": 100}).data if p.recurring and p.billing_scheme == "per_unit")
        sub = owner.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
        owner.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
        assert sub.created >= int(time.time()) + ahead_s - 1  # Stripe's clock, as set
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, syncing=True)
        assert ws.sync().kind == "full"
        assert sub.id in queue_by_id(ws) and queue_by_id(ws)[sub.id].customer_name == "Just Signed"
        again = ws.sync()
        assert again.kind == "incremental" and sub.id in queue_by_id(ws)
        ws.close()
