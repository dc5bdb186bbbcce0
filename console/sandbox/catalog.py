"""Customers, products, prices and coupons endpoints."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from . import objects
from .call import Call
from .cards import set_default_payment_method
from .errors import invalid, missing
from .listing import expand, in_range, page, page_forward
from .state import diff, public

_COUPON_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


def _simple_list(call: Call, kind: str, url: str, keep: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    return page_forward(call.state, kind, call.params, keep, url)  # a page costs what it returns (listing.py)


def _retrieve(call: Call, kind: str, label: str) -> dict[str, Any]:
    obj = call.state.peek(kind, call.args[0])
    if obj is None:
        raise missing(label, call.args[0])
    return expand(call.state, public(obj), call.params.get("expand") or [])


def list_customers(call: Call) -> dict[str, Any]:
    call.only("email", "created", "limit", "starting_after", "ending_before")
    email = call.params.get("email")
    return _simple_list(
        call, "customer", "/v1/customers", lambda c: not c.get("deleted") and (email is None or c["email"] == email)
    )


def retrieve_customer(call: Call) -> dict[str, Any]:
    """A deleted customer still answers, as `{"id", "object": "customer", "deleted": true}` (the SDK's
    `Customer.retrieve` returns `Customer | DeletedCustomer`)."""
    return _retrieve(call, "customer", "customer")


def _live_customer(call: Call) -> dict[str, Any]:
    cust = call.state.get("customer", call.args[0])
    if cust is None or cust.get("deleted"):  # Stripe: a deleted customer cannot be updated or deleted again
        raise missing("customer", call.args[0])
    return cust


def create_customer(call: Call) -> dict[str, Any]:
    """POST /v1/customers: a new signup, with `customer.created` (Stripe API reference, "Create a customer")."""
    call.only("name", "email", "description", "metadata")
    p = call.params
    cust = objects.customer(call.state, name=p.get("name"), email=p.get("email"), created=call.now, currency=None)
    cust["description"] = p.get("description") or None
    cust["metadata"] = {k: v for k, v in (p.get("metadata") or {}).items() if v}
    call.state.add(cust)
    call.emit("customer.created", cust)
    return public(cust)


def update_customer(call: Call) -> dict[str, Any]:
    """POST /v1/customers/{id}: customers edit their own name and e-mail in the portal; `customer.updated`
    carries the old values in previous_attributes."""
    call.only("name", "email", "description", "metadata", "invoice_settings")
    cust = _live_customer(call)
    before = copy.deepcopy(cust)
    settings = call.params.get("invoice_settings") or {}
    if "default_payment_method" in settings:  # the card Smart Retries charge (unless the subscription names its own)
        set_default_payment_method(call.state, cust, settings["default_payment_method"], customer=cust["id"])
    for key in ("name", "email", "description"):
        if key in call.params:
            cust[key] = call.params[key] or None
    if "metadata" in call.params:
        merged = dict(cust.get("metadata") or {})
        for key, value in (call.params["metadata"] or {}).items():
            if value:
                merged[key] = value
            else:
                merged.pop(key, None)
        cust["metadata"] = merged
    previous = diff(before, cust)
    if previous:
        call.emit("customer.updated", cust, previous)
    return public(cust)


def delete_customer(call: Call) -> dict[str, Any]:
    """DELETE /v1/customers/{id}: permanent; "also immediately cancels any active subscriptions on the
    customer" (Stripe API reference, "Delete a customer"). Later reads and expansions give the deleted object."""
    from .subscriptions import end_subscription

    state = call.state
    cust = _live_customer(call)
    for found in state.table("subscription").where("customer", cust["id"]):
        if found["status"] not in ("canceled", "incomplete_expired"):
            end_subscription(state, state.table("subscription")[found["id"]], call.now, "cancellation_requested", request=call)
    call.emit("customer.deleted", cust)
    stub = {"id": cust["id"], "object": "customer", "deleted": True, "_seq": cust.get("_seq", 0)}  # DeletedCustomer
    state.add(stub)
    return {"id": cust["id"], "object": "customer", "deleted": True}


def list_products(call: Call) -> dict[str, Any]:
    call.only("active", "ids", "created", "limit", "starting_after", "ending_before")
    p = call.params
    return _simple_list(
        call,
        "product",
        "/v1/products",
        lambda o: ("active" not in p or o["active"] == p["active"]) and ("ids" not in p or o["id"] in p["ids"]),
    )


def retrieve_product(call: Call) -> dict[str, Any]:
    return _retrieve(call, "product", "product")


def list_prices(call: Call) -> dict[str, Any]:
    call.only("active", "product", "currency", "type", "created", "limit", "starting_after", "ending_before")
    p = call.params

    def keep(o: dict[str, Any]) -> bool:
        return all(
            [
                "active" not in p or o["active"] == p["active"],
                "product" not in p or o["product"] == p["product"],
                "currency" not in p or o["currency"] == p["currency"],
                "type" not in p or o["type"] == p["type"],
            ]
        )

    return _prices(call, [o for o in call.state.ordered("price") if keep(o) and in_range(o["created"], p.get("created"))])


def _tiers_asked(call: Call, path: str) -> list[str]:
    """Take `tiers` out of `expand[]` (an includable field, not an id to expand) and say whether it was asked."""
    asked = call.params.get("expand") or []
    call.params["expand"] = [e for e in asked if e != path]
    return [e for e in asked if e == path]


def _prices(call: Call, prices: list[dict[str, Any]]) -> dict[str, Any]:
    """A page of prices; `expand[]=data.tiers` includes each tiered price's tiers (Stripe API reference, Prices)."""
    included = bool(_tiers_asked(call, "data.tiers"))
    return page(call.state, prices, call.params, "/v1/prices", render=lambda o: objects.with_tiers(o, included))


def retrieve_price(call: Call) -> dict[str, Any]:
    included = bool(_tiers_asked(call, "tiers"))
    price = call.state.get("price", call.args[0])
    if price is None:
        raise missing("price", call.args[0])
    return expand(call.state, objects.with_tiers(price, included), call.params.get("expand") or [])


def list_coupons(call: Call) -> dict[str, Any]:
    call.only("created", "limit", "starting_after", "ending_before")
    return _simple_list(call, "coupon", "/v1/coupons", lambda o: True)


def retrieve_coupon(call: Call) -> dict[str, Any]:
    return _retrieve(call, "coupon", "coupon")


def create_coupon(call: Call) -> dict[str, Any]:
    p = call.params
    call.only(
        "id",
        "name",
        "percent_off",
        "amount_off",
        "currency",
        "duration",
        "duration_in_months",
        "max_redemptions",
        "redeem_by",
        "metadata",
    )
    validate_coupon(call, p)
    coupon = objects.coupon(call.state, p, call.now)
    call.state.add(coupon)
    call.emit("coupon.created", coupon)
    return public(coupon)


def validate_coupon(call: Call, p: dict[str, Any]) -> None:
    """The checks Stripe makes on coupon creation, with its parameter names."""
    if "id" in p:
        if not _COUPON_ID.fullmatch(p["id"]):
            raise invalid("Coupon ids may contain only letters, digits, '-' and '_'.", "id")
        if call.state.get("coupon", p["id"]) is not None:
            raise invalid("Coupon already exists.", "id", code="resource_already_exists")
    has_pct, has_amt = "percent_off" in p, "amount_off" in p
    if has_pct == has_amt:
        raise invalid("You must pass exactly one of percent_off or amount_off.", "percent_off")
    if has_pct and not 0 < p["percent_off"] <= 100:
        raise invalid("Invalid percent_off: must be greater than 0 and at most 100.", "percent_off")
    if has_amt:
        if p["amount_off"] <= 0:
            raise invalid("Invalid amount_off: must be a positive integer.", "amount_off")
        if "currency" not in p:
            raise invalid("You must pass currency when passing amount_off.", "currency")
    duration = p.get("duration", "once")
    if duration == "repeating":
        if not p.get("duration_in_months") or p["duration_in_months"] < 1:
            raise invalid("You must pass duration_in_months when duration is repeating.", "duration_in_months")
    elif "duration_in_months" in p:
        raise invalid("duration_in_months can only be set when duration is repeating.", "duration_in_months")
    if "max_redemptions" in p and p["max_redemptions"] < 1:
        raise invalid("Invalid max_redemptions: must be a positive integer.", "max_redemptions")
    if "redeem_by" in p and p["redeem_by"] <= call.now:
        raise invalid("redeem_by must be in the future.", "redeem_by")
    if len(p.get("name") or "") > 40:
        raise invalid("Coupon names can have up to 40 characters.", "name")


def delete_coupon(call: Call) -> dict[str, Any]:
    coupon = call.state.get("coupon", call.args[0])
    if coupon is None:
        raise missing("coupon", call.args[0])
    call.state.remove("coupon", coupon["id"])
    call.emit("coupon.deleted", coupon)
    return {"id": coupon["id"], "object": "coupon", "deleted": True}
