"""Custom cancellation reasons: `billing.feedback_options` (create, list, retrieve, update, deactivate).

Stripe's Feedback Options API (2026-09-30; SDK type `stripe.billing.FeedbackOption`: description, status
active|inactive, status_transitions.deactivated_at; its params classes under stripe.params.billing).
"""

from __future__ import annotations

from typing import Any

from .call import Call
from .errors import invalid, missing
from .listing import page
from .state import State, public

KIND = "billing.feedback_option"
MAX_DESCRIPTION = 100  # FeedbackOptionCreateParams: "Maximum 100 characters."


def new(state: State, description: str) -> dict[str, Any]:
    obj = {
        "id": state.new_id(KIND),
        "object": KIND,
        "description": description,
        "livemode": state.livemode,
        "status": "active",
        "status_transitions": {"deactivated_at": None},
    }
    return state.add(obj)


def _description(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid("Missing required param: description.", "description")
    if len(value) > MAX_DESCRIPTION:
        raise invalid(f"description must be at most {MAX_DESCRIPTION} characters.", "description")
    return value


def _get(call: Call) -> dict[str, Any]:
    found = call.state.get(KIND, call.args[0])
    if found is None:
        raise missing("billing.feedback_option", call.args[0])
    return found


def create(call: Call) -> dict[str, Any]:
    call.only("description")
    return public(new(call.state, _description(call.params.get("description"))))


def list_(call: Call) -> dict[str, Any]:
    call.only("status", "limit", "starting_after", "ending_before")
    status = call.params.get("status")
    found = [o for o in call.state.ordered(KIND) if status is None or o["status"] == status]
    return page(call.state, found, call.params, "/v1/billing/feedback_options")


def retrieve(call: Call) -> dict[str, Any]:
    return public(_get(call))


def update(call: Call) -> dict[str, Any]:
    call.only("description")
    obj = _get(call)
    if "description" in call.params:
        obj["description"] = _description(call.params["description"])
    return public(obj)


def deactivate(call: Call) -> dict[str, Any]:
    call.only()
    obj = _get(call)
    if obj["status"] == "active":
        obj["status"] = "inactive"
        obj["status_transitions"] = {"deactivated_at": call.now}
    return public(obj)
