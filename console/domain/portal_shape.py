"""Stripe's own configuration JSON checked field by field against the types Stripe's schema gives them."""

from __future__ import annotations

from typing import Any

_STRIPE_KEYS = {
    "id", "object", "active", "application", "business_profile", "created", "default_return_url", "features",
    "is_default", "livemode", "login_page", "metadata", "name", "updated",
}  # fmt: skip
# path -> the type Stripe's schema gives it (what from_stripe reads); anything else is refused by name.
_STRIPE_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str, "default_return_url": str, "business_profile": dict, "business_profile.headline": str,
    "business_profile.privacy_policy_url": str, "business_profile.terms_of_service_url": str, "login_page": dict,
    "login_page.enabled": bool, "metadata": dict, "features": dict, "features.customer_update": dict,
    "features.customer_update.enabled": bool, "features.customer_update.allowed_updates": list,
    "features.invoice_history": dict, "features.invoice_history.enabled": bool, "features.payment_method_update": dict,
    "features.payment_method_update.enabled": bool, "features.subscription_cancel": dict,
    "features.subscription_cancel.enabled": bool, "features.subscription_cancel.mode": str,
    "features.subscription_cancel.proration_behavior": str, "features.subscription_cancel.cancellation_reason": dict,
    "features.subscription_cancel.cancellation_reason.enabled": bool,
    "features.subscription_cancel.cancellation_reason.options": list,
    "features.subscription_cancel.cancellation_reason.feedback_options": list, "features.subscription_pause": dict,
    "features.subscription_pause.enabled": bool, "features.subscription_pause.duration": dict,
    "features.subscription_update": dict, "features.subscription_update.enabled": bool,
    "features.subscription_update.default_allowed_updates": list, "features.subscription_update.products": list,
    "features.subscription_update.proration_behavior": str,
    "features.subscription_update.products[].product": str, "features.subscription_update.products[].prices": list,
    "features.subscription_pause.duration.type": str, "features.subscription_pause.duration.interval_options": list,
    "features.subscription_pause.duration.interval_options[].interval": str,
    "features.subscription_pause.duration.interval_options[].interval_count": int,
}  # fmt: skip


def check_stripe_shape(data: dict[str, Any]) -> None:
    """Refuse Stripe JSON whose fields have another type than Stripe's schema (a string where a list belongs
    would otherwise be read letter by letter)."""
    if unknown := set(data) - _STRIPE_KEYS:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            here = f"{path}.{key}" if path else key
            kind = _STRIPE_TYPES.get(here)
            if value is None or kind is None or (kind is list and value == ""):  # "" unsets a list, as Stripe takes it
                continue
            if not isinstance(value, kind):
                raise ValueError(f"{here} must be {getattr(kind, '__name__', 'of another type')}")
            if isinstance(value, list) and not all(isinstance(v, (str, dict)) for v in value):
                raise ValueError(f"{here} must be a list of texts")
            if isinstance(value, list):
                for item in value:
                    walk(item, here + "[]")  # e.g. each product's `prices` must be a list, not "price_abc"
            walk(value, here)

    walk(data, "")
