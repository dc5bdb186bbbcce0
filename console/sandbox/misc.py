"""Events, invoices, the account and test clocks endpoints."""

from __future__ import annotations

from typing import Any

from . import lifecycle
from .call import Call
from .errors import invalid, missing
from .listing import expand, in_range, newest_first, page, page_forward
from .state import EVENT_WINDOW_SECONDS, State, invoice_subscription, public, template


def list_events(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("type", "types", "created", "limit", "starting_after", "ending_before", "delivery_success")
    if "type" in p and "types" in p:
        raise invalid("You may only specify one of these parameters: type, types.", "types")
    if len(p.get("types") or []) > 20:  # "An array of up to 20 strings containing specific event names" (API reference)
        raise invalid("Invalid array: types may contain at most 20 event types.", "types")
    wanted = set(p.get("types") or ([p["type"]] if "type" in p else []))
    horizon = call.state.clock.now() - EVENT_WINDOW_SECONDS  # Stripe lists the last 30 days' events
    return page_forward(
        call.state, "event", p, lambda e: not wanted or _type_matches(e["type"], wanted), "/v1/events", since=horizon
    )


def _type_matches(event_type: str, wanted: set[str]) -> bool:
    return any(event_type == w or (w.endswith(".*") and event_type.startswith(w[:-1])) for w in wanted)


def retrieve_event(call: Call) -> dict[str, Any]:
    event = call.state.peek("event", call.args[0])
    if event is None or event["created"] < call.state.clock.now() - EVENT_WINDOW_SECONDS:  # older: gone from Stripe
        raise missing("event", call.args[0])
    return public(event)


def list_invoices(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("customer", "subscription", "status", "collection_method", "created", "limit", "starting_after", "ending_before")

    def wanted(i: dict[str, Any]) -> bool:
        return (
            ("customer" not in p or i["customer"] == p["customer"])
            and ("subscription" not in p or invoice_subscription(i) == p["subscription"])
            and ("status" not in p or i["status"] == p["status"])
            and ("collection_method" not in p or i["collection_method"] == p["collection_method"])
        )

    table = call.state.table("invoice")
    # a subscription's or a customer's invoices from an index (the console asks per subscription for metered
    # usage and per customer for tenure); else a page from the cursor on, as every list
    if "subscription" in p or "customer" in p:
        scope = table.where("subscription", p["subscription"]) if "subscription" in p else table.where("customer", p["customer"])
        return page(call.state, [i for i in scope if wanted(i) and in_range(i["created"], p.get("created"))], p, "/v1/invoices")
    return page_forward(call.state, "invoice", p, wanted, "/v1/invoices")


def retrieve_account(call: Call) -> dict[str, Any]:
    return expand(call.state, public(call.state.account), call.params.get("expand") or [])


def _clock(call: Call, clock_id: str | None = None) -> dict[str, Any]:
    clock = call.state.get("test_helpers.test_clock", clock_id or call.args[0])
    if clock is None:
        raise missing("test_clock", clock_id or call.args[0])
    clock["frozen_time"] = call.now
    return clock


def create_clock(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("frozen_time", "name")
    if p["frozen_time"] < call.now:
        raise invalid("The sandbox has one timeline: frozen_time cannot be in its past.", "frozen_time")
    call.state.clock.advance_to(p["frozen_time"])
    lifecycle.run_until(call.state, call.now)
    clock = new_clock(call.state, p.get("name"))
    return public(clock)


def new_clock(state: State, name: str | None) -> dict[str, Any]:
    clock = template("test_helpers.test_clock")
    now = state.clock.now()
    clock.update(
        id=state.new_id("test_helpers.test_clock"),
        created=now,
        frozen_time=now,
        deletes_after=now + 30 * 86400,
        livemode=False,
        name=name,
        status="ready",
        status_details={},
    )
    state.add(clock)
    return clock


def list_clocks(call: Call) -> dict[str, Any]:
    call.only("limit", "starting_after", "ending_before")
    clocks = list(call.state.table("test_helpers.test_clock").values())
    for clock in clocks:
        clock["frozen_time"] = call.now
    return page(call.state, newest_first(clocks), call.params, "/v1/test_helpers/test_clocks")


def retrieve_clock(call: Call) -> dict[str, Any]:
    return public(_clock(call))


def advance_clock(call: Call) -> dict[str, Any]:
    """Move the sandbox's one timeline forward; every object follows it (see docs/sandbox.md)."""
    call.only("frozen_time")
    clock = _clock(call)
    target = call.params["frozen_time"]
    if target <= call.now:
        raise invalid("The frozen_time must be after the clock's current frozen_time.", "frozen_time")
    call.state.clock.advance_to(target)
    lifecycle.run_until(call.state, call.now)
    clock["frozen_time"] = call.now
    return public(clock)
