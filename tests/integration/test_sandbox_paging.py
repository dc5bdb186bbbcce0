"""The sandbox's list pages cost what they return (sandbox/listing.py `page_forward`: subscriptions, events,
customers, products, coupons): walked with `starting_after` they give exactly what filtering the whole list would,
in Stripe's newest-first order."""

from __future__ import annotations

import pytest
import stripe

from console.sandbox.subscriptions import ENDED

from .conftest import client_for


def walk(client, params, resource: str = "subscriptions") -> list[str]:
    ids, after = [], None
    while True:
        page = getattr(client.v1, resource).list({**params, **({"starting_after": after} if after else {})})
        ids += [s.id for s in page.data]
        if not page.has_more:
            return ids
        after = page.data[-1].id


@pytest.mark.parametrize(
    "params, keep",
    [
        ({"limit": 7}, lambda s: s["status"] not in ENDED),
        ({"limit": 100, "status": "all"}, lambda s: True),
        ({"limit": 13, "status": "canceled"}, lambda s: s["status"] == "canceled"),
        ({"limit": 5, "status": "all", "created": {"gte": 1}}, lambda s: s["created"] >= 1),
    ],
    ids=["default", "all", "canceled", "created"],
)
def test_pages_walked_with_a_cursor_are_the_filtered_list_in_order(shared_sandbox, params, keep):
    expected = [s["id"] for s in shared_sandbox.state.ordered("subscription") if keep(s)]
    assert walk(client_for(shared_sandbox), params) == expected and expected


def test_a_cursor_that_is_not_in_the_list_is_stripes_404(shared_sandbox):
    ended = next(s["id"] for s in shared_sandbox.state.ordered("subscription") if s["status"] in ENDED)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client_for(shared_sandbox).v1.subscriptions.list({"starting_after": ended})  # ended: not in the default list
    assert refused.value.code == "resource_missing" and refused.value.param == "starting_after"


def test_events_walked_with_a_cursor_are_the_last_30_days_newest_first(shared_sandbox):
    from console.sandbox.state import EVENT_WINDOW_SECONDS

    state = shared_sandbox.state
    horizon = state.clock.now() - EVENT_WINDOW_SECONDS
    every = [e for e in state.ordered("event") if e["created"] >= horizon]
    client = client_for(shared_sandbox)
    assert walk(client, {"limit": 100}, "events") == [e["id"] for e in every] and every
    kinds = [e for e in every if e["type"].startswith("customer.subscription.")]
    assert walk(client, {"limit": 9, "type": "customer.subscription.*"}, "events") == [e["id"] for e in kinds]
    cut = every[len(every) // 2]["created"]
    assert walk(client, {"limit": 11, "created": {"gte": cut}}, "events") == [e["id"] for e in every if e["created"] >= cut]


def test_an_event_older_than_30_days_is_neither_listed_nor_retrieved():
    """Stripe keeps 30 days of events (API reference, "Retrieve an event": events older than 30 days are gone)."""
    from console.sandbox.app import Sandbox
    from console.sandbox.state import EVENT_WINDOW_SECONDS

    with Sandbox(seed=9, customers=20) as sb:
        state = sb.state
        with state.lock:
            customer = next(iter(state.table("customer").values()))
            old = state.emit("customer.updated", customer, created=state.clock.now() - EVENT_WINDOW_SECONDS - 3600)
        client = client_for(sb)
        assert old["id"] not in walk(client, {"limit": 100}, "events")
        with pytest.raises(stripe.InvalidRequestError) as gone:
            client.v1.events.retrieve(old["id"])
        assert gone.value.code == "resource_missing"


def test_customers_walked_with_a_cursor_leave_the_deleted_out(shared_sandbox):
    expected = [c["id"] for c in shared_sandbox.state.ordered("customer") if not c.get("deleted")]
    assert walk(client_for(shared_sandbox), {"limit": 50}, "customers") == expected and expected


def walk_newer(client, params, cursor: str, resource: str) -> list[str]:
    """From `cursor` towards the newest with `ending_before`, as sync reads the events after its cursor:
    each page is the `limit` objects just newer than the last one's newest."""
    ids: list[str] = []
    while True:
        page = getattr(client.v1, resource).list({**params, "ending_before": cursor})
        ids = [o.id for o in page.data] + ids
        if not page.has_more or not page.data:
            return ids
        cursor = page.data[0].id


@pytest.mark.parametrize(
    "resource, params, keep",
    [
        ("events", {"limit": 7}, lambda e: True),
        (
            "events",
            {"limit": 4, "types": ["customer.subscription.updated"]},
            lambda e: e["type"] == "customer.subscription.updated",
        ),
        ("subscriptions", {"limit": 9, "status": "all"}, lambda s: True),
    ],
    ids=["events", "events-of-a-type", "subscriptions"],
)
def test_pages_walked_towards_the_newest_with_ending_before_are_the_filtered_list(shared_sandbox, resource, params, keep):
    """Stripe's `ending_before` (API reference, "Pagination"): the page just newer than the cursor, newest
    first, `has_more` while newer ones remain; walked from an old cursor it gives every newer object once."""
    from console.sandbox.state import EVENT_WINDOW_SECONDS

    state = shared_sandbox.state
    kind = "event" if resource == "events" else "subscription"
    since = state.clock.now() - EVENT_WINDOW_SECONDS if kind == "event" else None
    listed = [o for o in state.ordered(kind) if keep(o) and (since is None or o["created"] >= since)]
    cursor = listed[len(listed) * 2 // 3]
    expected = [o["id"] for o in listed[: listed.index(cursor)]]
    assert walk_newer(client_for(shared_sandbox), params, cursor["id"], resource) == expected and expected
