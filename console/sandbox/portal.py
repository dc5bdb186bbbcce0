"""Customer portal endpoints: configurations (list, create, update) and sessions."""

from __future__ import annotations

import copy
import html
import secrets
from typing import Any
from urllib.parse import urlparse

from . import portal_card
from .call import Call
from .errors import invalid, missing
from .listing import newest_first, page
from .state import State, diff, public, template

MAX_PRODUCTS = 10


def pause_default() -> dict[str, Any]:
    """Stripe's default pause feature: off, with a single one-month option."""
    return {
        "enabled": False,
        "duration": {"type": "interval_options", "interval_options": [{"interval": "month", "interval_count": 1}]},
    }


def _blank_configuration(call: Call) -> dict[str, Any]:
    obj = template("billing_portal.configuration")
    obj.update(
        id=call.state.new_id("billing_portal.configuration"),
        active=True,
        is_default=False,
        created=call.now,
        updated=call.now,
        livemode=call.state.livemode,
        default_return_url=None,
        metadata={},
        name=None,
    )
    obj["business_profile"] = {"headline": None, "privacy_policy_url": None, "terms_of_service_url": None}
    obj["features"] = {
        "customer_update": {"allowed_updates": [], "enabled": False},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": False, "feedback_options": [], "options": []},
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {
            "default_allowed_updates": [],
            "enabled": False,
            "proration_behavior": "none",
            "products": [],
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
            "billing_cycle_anchor": None,
        },
    }
    obj["features"]["subscription_pause"] = pause_default()
    obj["login_page"] = {"enabled": False, "url": None}
    return obj


def list_configurations(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("active", "is_default", "limit", "starting_after", "ending_before")
    objs = [
        o
        for o in call.state.table("billing_portal.configuration").values()
        if ("active" not in p or o["active"] == p["active"]) and ("is_default" not in p or o["is_default"] == p["is_default"])
    ]
    return page(call.state, newest_first(objs), p, "/v1/billing_portal/configurations")


def retrieve_configuration(call: Call) -> dict[str, Any]:
    obj = call.state.get("billing_portal.configuration", call.args[0])
    if obj is None:
        raise missing("configuration", call.args[0])
    return public(obj)


def create_configuration(call: Call) -> dict[str, Any]:
    call.only("name", "business_profile", "default_return_url", "features", "login_page", "metadata")
    if "features" not in call.params:
        raise invalid("Missing required param: features.", "features")
    obj = _blank_configuration(call)
    _apply(call, obj, call.params)
    call.state.add(obj)
    call.emit("billing_portal.configuration.created", obj)
    return public(obj)


def update_configuration(call: Call) -> dict[str, Any]:
    call.only("active", "name", "business_profile", "default_return_url", "features", "login_page", "metadata")
    obj = call.state.get("billing_portal.configuration", call.args[0])
    if obj is None:
        raise missing("configuration", call.args[0])
    if call.params.get("active") is False and obj["is_default"]:
        raise invalid("The default configuration cannot be deactivated.", "active")
    before = copy.deepcopy(obj)
    candidate = copy.deepcopy(obj)
    _apply(call, candidate, call.params)
    if "active" in call.params:
        candidate["active"] = call.params["active"]
    if diff(before, candidate):
        candidate["updated"] = max(call.now, before["updated"] + 1)
    obj.clear()
    obj.update(candidate)
    previous = diff(before, obj)
    if previous:
        call.emit("billing_portal.configuration.updated", obj, previous)
    return public(obj)


def _apply(call: Call, obj: dict[str, Any], p: dict[str, Any]) -> None:
    """Deep-merge the params into the configuration, then check what Stripe checks."""
    if "name" in p:
        obj["name"] = p["name"] or None
    if "default_return_url" in p:
        obj["default_return_url"] = _url(p["default_return_url"], "default_return_url") or None
    for key, value in (p.get("business_profile") or {}).items():
        param = f"business_profile[{key}]"
        obj["business_profile"][key] = (_url(value, param) if key.endswith("_url") else value) or None
    if "login_page" in p:
        obj["login_page"]["enabled"] = p["login_page"]["enabled"]
        obj["login_page"]["url"] = "https://billing.stripe.com/p/login/test_sandbox" if p["login_page"]["enabled"] else None
    if "metadata" in p:
        meta = p["metadata"]
        obj["metadata"] = {} if meta == "" else {k: v for k, v in {**(obj["metadata"] or {}), **meta}.items() if v != ""}
    for feature, settings in (p.get("features") or {}).items():
        _merge(obj["features"].setdefault(feature, {}), settings)
    _check(call, obj)


def _check_feedback_options(call: Call, ids: list[str]) -> None:
    """Custom reasons on the survey (SDK `Configuration.Features.SubscriptionCancel.CancellationReason
    .feedback_options`, API 2026-09-30): each must exist; a deactivated one is refused (the stricter side:
    Stripe does not say whether it would show one), and none twice."""
    param = "features[subscription_cancel][cancellation_reason][feedback_options]"
    for i, option_id in enumerate(ids):
        option = call.state.get("billing.feedback_option", option_id)
        if option is None:
            raise missing("billing.feedback_option", option_id, f"{param}[{i}]")
        if option["status"] != "active":
            raise invalid(f"The feedback option {option_id} is inactive and cannot be offered.", f"{param}[{i}]")
    if len(set(ids)) != len(ids):
        raise invalid("Each feedback option can be listed once.", param)


def _merge(target: dict[str, Any], settings: dict[str, Any]) -> None:
    for key, value in settings.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = [] if value == "" else value


def _url(value: str, param: str) -> str:
    if value == "":
        return value
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise invalid(f"Invalid URL: {value}. URLs must begin with http:// or https://.", param, code="url_invalid")
    return value


def _check(call: Call, obj: dict[str, Any]) -> None:
    f = obj["features"]
    cancel = f["subscription_cancel"]
    if cancel["mode"] == "at_period_end" and cancel["proration_behavior"] != "none":
        raise invalid(
            "proration_behavior can only be set when mode is immediately.",
            "features[subscription_cancel][proration_behavior]",
        )
    reasons = cancel["cancellation_reason"]
    if reasons["enabled"] and not reasons["options"] and not reasons.get("feedback_options"):
        raise invalid(
            "At least one cancellation reason option is required when the reason survey is enabled.",
            "features[subscription_cancel][cancellation_reason][options]",
        )
    _check_feedback_options(call, reasons.get("feedback_options") or [])
    update = f["subscription_update"]
    products = update.get("products") or []
    if len(products) > MAX_PRODUCTS:
        raise invalid(f"You can pass up to {MAX_PRODUCTS} products.", "features[subscription_update][products]")
    for i, entry in enumerate(products):
        if call.state.get("product", entry["product"]) is None:
            raise missing("product", entry["product"], f"features[subscription_update][products][{i}][product]")
        for j, price_id in enumerate(entry.get("prices") or []):
            price = call.state.get("price", price_id)
            if price is None or price["product"] != entry["product"]:
                raise invalid(
                    f"The price {price_id} does not belong to product {entry['product']}.",
                    f"features[subscription_update][products][{i}][prices][{j}]",
                )
    if update["enabled"] and (not update["default_allowed_updates"] or not products):
        raise invalid(
            "Plan switching needs default_allowed_updates and at least one product.",
            "features[subscription_update][products]",
        )
    if f["customer_update"]["enabled"] and not f["customer_update"]["allowed_updates"]:
        raise invalid(
            "Choose at least one allowed update when customer updates are enabled.",
            "features[customer_update][allowed_updates]",
        )


def create_session(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("customer", "configuration", "return_url", "flow_data", "locale", "after_expiration")
    state = call.state
    customer = state.get("customer", p["customer"])
    if customer is None:
        raise missing("customer", p["customer"], "customer")
    configs = state.table("billing_portal.configuration")
    if "configuration" in p:
        config = configs.get(p["configuration"])
        if config is None:
            raise missing("configuration", p["configuration"], "configuration")
        if not config["active"]:
            raise invalid("This configuration is not active.", "configuration")
    else:
        config = next((c for c in configs.values() if c["is_default"]), None)
        if config is None:
            raise invalid("No default portal configuration: save one in the Dashboard first.", "configuration")
    flow = _flow(call, p.get("flow_data"), customer["id"])
    if flow and flow["type"] == "payment_method_update" and not config["features"]["payment_method_update"]["enabled"]:
        # a deep link opens a feature of the configuration: the stricter reading refuses one it does not have
        raise invalid("This configuration does not let customers update their payment method.", "flow_data[type]")
    session = template("billing_portal.session")
    secret = secrets.token_urlsafe(24)  # unguessable, as Stripe's are: not from the seeded id generator
    session.update(
        id=state.new_id("billing_portal.session"),
        configuration=config["id"],
        created=call.now,
        customer=customer["id"],
        customer_account=None,
        livemode=state.livemode,
        locale=p.get("locale"),
        on_behalf_of=None,
        return_url=_url(p.get("return_url", ""), "return_url") or config["default_return_url"],
        url=f"{call.extra.get('base_url', '')}/p/session/{secret}",
        flow=flow,
        after_expiration=_after_expiration(p.get("after_expiration")),
    )
    session["_secret"] = secret
    state.add(session)
    return public(session)


def _after_expiration(spec: dict[str, Any] | None) -> dict[str, Any] | None:
    """2026-10-28.endive: `after_expiration[type]=customer_login` lets a customer whose session expired confirm their
    e-mail and get a new one (until `customer_login[expires_at]`, or without a deadline)."""
    if not spec:
        return None
    login = spec.get("customer_login") or {}
    return {"type": spec["type"], "customer_login": {"expires_at": login.get("expires_at")}}


def _flow(call: Call, flow_data: dict[str, Any] | None, customer_id: str) -> dict[str, Any] | None:
    if not flow_data:
        return None
    kind = flow_data["type"]
    flow: dict[str, Any] = {
        "after_completion": {"hosted_confirmation": None, "redirect": None, "type": "portal_homepage"},
        "subscription_cancel": None,
        "subscription_update": None,
        "subscription_update_confirm": None,
        "type": kind,
    }
    if kind in ("subscription_cancel", "subscription_update", "subscription_update_confirm"):
        spec = flow_data.get(kind) or {}
        sub_id = spec.get("subscription")
        sub = call.state.get("subscription", sub_id or "")
        if sub is None or sub["customer"] != customer_id:
            raise invalid(f"The subscription {sub_id} does not belong to this customer.", f"flow_data[{kind}][subscription]")
        entry: dict[str, Any] = {"subscription": sub_id}
        if kind == "subscription_cancel":
            retention = spec.get("retention")
            entry["retention"] = None
            if retention:
                coupon_id = retention["coupon_offer"]["coupon"]
                if call.state.get("coupon", coupon_id) is None:
                    raise missing("coupon", coupon_id, "flow_data[subscription_cancel][retention][coupon_offer][coupon]")
                entry["retention"] = {"coupon_offer": {"coupon": coupon_id}, "type": "coupon_offer"}
        flow[kind] = entry
    return flow


def session_page(state: State, secret: str, form: str | None = None) -> str | None:
    """A small HTML page standing in for the hosted portal of one session; `form`: what its card form sent (a POST),
    for a session deep-linked to updating the payment method (sandbox/portal_card.py)."""
    session = next((s for s in state.table("billing_portal.session").values() if s.get("_secret") == secret), None)
    if session is None:
        return None
    said = portal_card.submit(state, session, form, state.clock.now()) if form is not None else ""
    customer = state.get("customer", session["customer"]) or {}
    flow = session["flow"]["type"] if session["flow"] else "portal homepage"
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in (
            ("Customer", customer.get("name")),
            ("Email", customer.get("email")),
            ("Configuration", session["configuration"]),
            ("Flow", flow),
        )
    )
    return (
        "<!doctype html><meta charset=utf-8><title>Customer portal (sandbox)</title>"
        "<body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
        f"<h1>Customer portal</h1><p>This is the churn-console sandbox's stand-in for Stripe's hosted portal.</p><table>{rows}</table>"
        + said
        + (portal_card.card_form() if flow == "payment_method_update" else "")
    )
