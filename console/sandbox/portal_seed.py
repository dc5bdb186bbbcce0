"""The demo account's two customer portal configurations."""

from __future__ import annotations

from typing import Any

from .portal import pause_default
from .state import State, template

ALL_REASONS = [
    "too_expensive",
    "missing_features",
    "switched_service",
    "unused",
    "customer_service",
    "too_complex",
    "low_quality",
    "other",
]


def add_configurations(state: State, now: int, prices: list[tuple[dict[str, Any], dict[str, Any], bool]]) -> None:
    """A default self-serve portal with the reason survey, and a stricter one for annual plans."""
    default = _config(state, now - 300 * 86400, name="Self-serve (default)", is_default=True)
    default["business_profile"] = {
        "headline": "Acme Analytics: manage your plan",
        "privacy_policy_url": "https://acme.example/privacy",
        "terms_of_service_url": "https://acme.example/terms",
    }
    default["default_return_url"] = "https://app.acme.example/settings/billing"
    f = default["features"]
    f["customer_update"] = {"allowed_updates": ["email", "address", "tax_id"], "enabled": True}
    f["invoice_history"] = {"enabled": True}
    f["payment_method_update"] = {"enabled": True, "payment_method_configuration": None}
    f["subscription_cancel"] = {
        "cancellation_reason": {
            "enabled": True,
            "options": list(ALL_REASONS),
            # the account's active custom reasons offered beside the standard ones (Feedback Options API)
            "feedback_options": [o["id"] for o in state.ordered("billing.feedback_option") if o["status"] == "active"],
        },
        "enabled": True,
        "mode": "at_period_end",
        "proration_behavior": "none",
    }
    f["subscription_pause"] = pause_default()
    usd = [(p, pr) for p, pr, _ in prices if pr["currency"] == "usd"]
    products: dict[str, list[str]] = {}
    for product, price in usd:
        products.setdefault(product["id"], []).append(price["id"])
    f["subscription_update"].update(
        enabled=True,
        default_allowed_updates=["price", "quantity"],
        proration_behavior="create_prorations",
        products=[
            {"product": pid, "prices": ids, "adjustable_quantity": {"enabled": False, "maximum": None, "minimum": 1}}
            for pid, ids in list(products.items())[:4]
        ],
    )
    state.add(default)

    annual = _config(state, now - 120 * 86400, name="Annual contracts", is_default=False)
    annual["business_profile"] = {
        "headline": "Annual plan billing",
        "privacy_policy_url": "https://acme.example/privacy",
        "terms_of_service_url": None,
    }
    annual["features"]["invoice_history"] = {"enabled": True}
    annual["features"]["payment_method_update"] = {"enabled": True, "payment_method_configuration": None}
    state.add(annual)


def _config(state: State, created: int, *, name: str, is_default: bool) -> dict[str, Any]:
    obj = template("billing_portal.configuration")
    obj.update(
        id=state.new_id("billing_portal.configuration"),
        active=True,
        is_default=is_default,
        created=created,
        updated=created + 86400,
        livemode=state.livemode,
        metadata={},
        name=name,
        default_return_url=None,
        login_page={"enabled": False, "url": None},
    )
    obj["features"]["subscription_cancel"]["proration_behavior"] = "none"
    obj["features"]["subscription_cancel"]["cancellation_reason"]["feedback_options"] = []
    obj["features"]["subscription_update"].update(
        enabled=False, default_allowed_updates=[], products=[], proration_behavior="none"
    )
    obj["features"]["customer_update"] = {"allowed_updates": [], "enabled": False}
    obj["features"]["subscription_pause"] = pause_default()
    return obj
