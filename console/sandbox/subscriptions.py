"""Subscription endpoints: list, retrieve, create, update, cancel and delete the discount."""

from __future__ import annotations

import copy
from typing import Any

from . import objects
from .call import Call
from .cards import set_default_payment_method
from .errors import invalid, missing
from .listing import expand, in_range, page_forward
from .state import State, diff, public

ENDED = ("canceled", "incomplete_expired")
_METADATA_MAX_KEYS = 50


def get_sub(state: State, sub_id: str, param: str = "id") -> dict[str, Any]:
    sub = state.get("subscription", sub_id)
    if sub is None:
        raise missing("subscription", sub_id, param)
    return sub


def render(state: State, sub: dict[str, Any], expand_paths: list[str] | None = None) -> dict[str, Any]:
    return expand(state, public(sub), expand_paths or [])


def list_(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("customer", "price", "status", "created", "limit", "starting_after", "ending_before", "collection_method")
    status = p.get("status")

    def wanted(sub: dict[str, Any]) -> bool:
        if status is None and sub["status"] in ENDED:
            return False
        if status == "ended" and sub["status"] not in ENDED:
            return False
        if status not in (None, "all", "ended") and sub["status"] != status:
            return False
        if "customer" in p and sub["customer"] != p["customer"]:
            return False
        if "price" in p and all(i["price"]["id"] != p["price"] for i in sub["items"]["data"]):
            return False
        if "collection_method" in p and sub["collection_method"] != p["collection_method"]:
            return False
        return in_range(sub["created"], p.get("created"))

    return page_forward(call.state, "subscription", p, wanted, "/v1/subscriptions")


def retrieve(call: Call) -> dict[str, Any]:
    return render(call.state, get_sub(call.state, call.args[0]), call.params.get("expand"))


def create(call: Call) -> dict[str, Any]:
    p = call.params
    call.only(
        "customer", "items", "metadata", "cancel_at_period_end", "cancel_at", "discounts", "trial_period_days",
        "default_payment_method",
    )  # fmt: skip
    state = call.state
    if "customer" not in p:
        raise invalid("Missing required param: customer.", "customer")
    if state.peek("customer", p["customer"]) is None:
        raise missing("customer", p["customer"], "customer")
    items = []
    for i, item in enumerate(p.get("items") or []):
        price = state.get("price", item.get("price", ""))
        if price is None:
            raise missing("price", item.get("price", ""), f"items[{i}][price]")
        items.append((price, int(item.get("quantity", 1))))
    if not items:
        raise invalid("Missing required param: items.", "items")
    sub = objects.subscription(state, customer_id=p["customer"], items=items, created=call.now)
    if p.get("trial_period_days"):
        sub["status"] = "trialing"
        sub["trial_start"] = call.now
        sub["trial_end"] = call.now + 86400 * p["trial_period_days"]
        for item in sub["items"]["data"]:
            item["current_period_end"] = sub["trial_end"]
    _apply_metadata(sub, p.get("metadata"))
    _apply_cancel(call, sub, p)
    if "default_payment_method" in p:
        set_default_payment_method(call.state, sub, p["default_payment_method"], customer=p["customer"])
    entries = _discount_ids(call, sub, p["discounts"]) if p.get("discounts") else []
    state.add(sub)
    if entries:
        _replace_discounts(call, sub, entries)  # coupons redeemed into discount objects, as on update
    call.emit("customer.subscription.created", sub)
    return render(state, sub, p.get("expand"))


def update(call: Call) -> dict[str, Any]:
    p = call.params
    call.only(
        "cancel_at_period_end", "cancel_at", "cancellation_details", "discounts", "metadata", "pause_collection", "description",
        "default_payment_method",
    )  # fmt: skip
    state = call.state
    sub = get_sub(state, call.args[0])
    if sub["status"] in ENDED:
        moved = [k for k in p if k not in ("cancellation_details", "metadata", "expand")]
        if moved:
            raise invalid("A canceled subscription can only update its cancellation_details and metadata.", moved[0])
    if sub["status"] == "paused":
        _check_paused_update(p)
    before = copy.deepcopy(sub)
    new_discounts = _discount_ids(call, sub, p["discounts"]) if "discounts" in p else None
    _apply_cancel(call, sub, p)
    if "cancellation_details" in p:
        details = p["cancellation_details"]
        for key in ("comment", "feedback"):
            if key in details:
                sub["cancellation_details"][key] = details[key] or None
        if "feedback_option" in details:  # a custom reason the customer picked (Feedback Options API)
            chosen = details["feedback_option"] or None
            if chosen is not None and call.state.get("billing.feedback_option", chosen) is None:
                raise missing("billing.feedback_option", chosen, "cancellation_details[feedback_option]")
            sub["cancellation_details"]["feedback_option"] = chosen
    if "pause_collection" in p:
        sub["pause_collection"] = _pause(call, p["pause_collection"])
    if "description" in p:
        sub["description"] = p["description"] or None
    if "default_payment_method" in p:  # the card a retry charges first (docs: revenue-recovery/smart-retries)
        set_default_payment_method(call.state, sub, p["default_payment_method"], customer=sub["customer"])
    _apply_metadata(sub, p.get("metadata"))
    if new_discounts is not None:
        _replace_discounts(call, sub, new_discounts)
    previous = diff(before, sub)
    if previous:
        call.emit("customer.subscription.updated", sub, previous)
    return render(state, sub, p.get("expand"))


def cancel(call: Call) -> dict[str, Any]:
    p = call.params
    call.only("cancellation_details", "invoice_now", "prorate")
    state = call.state
    sub = get_sub(state, call.args[0])
    if sub["status"] in ENDED:
        raise invalid(f"This subscription has already been canceled: {sub['id']}", code="resource_missing")
    details = p.get("cancellation_details") or {}
    end_subscription(state, sub, call.now, "cancellation_requested", request=call, details=details)
    return render(state, sub, p.get("expand"))


def delete_discount(call: Call) -> dict[str, Any]:
    state = call.state
    sub = get_sub(state, call.args[0])
    if not sub["discounts"]:
        raise missing("discount", f"for subscription {sub['id']}", "subscription")
    before = copy.deepcopy(sub)
    removed = [state.get("discount", d) for d in sub["discounts"]]
    sub["discounts"] = []
    for disc in removed:
        if disc is not None:
            call.emit("customer.discount.deleted", disc)
    call.emit("customer.subscription.updated", sub, diff(before, sub))
    first = removed[0] or {}
    out = {
        k: first.get(k)
        for k in (
            "checkout_session",
            "customer",
            "customer_account",
            "id",
            "invoice",
            "invoice_item",
            "promotion_code",
            "source",
            "start",
            "subscription",
            "subscription_item",
        )
    }
    out.update(object="discount", deleted=True)
    return out


def end_subscription(
    state: State,
    sub: dict[str, Any],
    when: int,
    reason: str,
    *,
    request: Call | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Move a subscription to `canceled` at `when` and emit `customer.subscription.deleted`."""
    before = copy.deepcopy(sub)
    sub["status"] = "canceled"
    sub["ended_at"] = when
    sub["canceled_at"] = sub["canceled_at"] or when
    sub["cancel_at_period_end"] = False
    sub["pause_collection"] = None
    sub["cancellation_details"]["reason"] = reason
    for key in ("comment", "feedback"):
        if details and key in details:
            sub["cancellation_details"][key] = details[key] or None
    prev = diff(before, sub)
    if request is not None:
        request.emit("customer.subscription.deleted", sub, prev)
    else:
        state.emit("customer.subscription.deleted", sub, prev, created=when)


def _apply_cancel(call: Call, sub: dict[str, Any], p: dict[str, Any]) -> None:
    """cancel_at_period_end / cancel_at, with Stripe's coupling of the two fields."""
    if "cancel_at_period_end" in p and "cancel_at" in p and p["cancel_at"] != "" and p["cancel_at_period_end"]:
        raise invalid("You may only specify one of these parameters: cancel_at, cancel_at_period_end.", "cancel_at")
    if "cancel_at" in p:
        value = p["cancel_at"]
        if value == "":
            sub["cancel_at"] = None
        else:
            if isinstance(value, str):
                value = objects.period_end(sub) if value in ("max_period_end", "min_period_end", "max_billed_until") else value
            if value <= call.now:
                raise invalid("cancel_at must be in the future.", "cancel_at")
            sub["cancel_at"] = value
            sub["cancel_at_period_end"] = False
    if "cancel_at_period_end" in p:
        if p["cancel_at_period_end"]:
            sub["cancel_at_period_end"] = True
            sub["cancel_at"] = objects.period_end(sub)
        else:
            if sub["cancel_at_period_end"]:
                sub["cancel_at"] = None
            sub["cancel_at_period_end"] = False
    pending = sub["cancel_at_period_end"] or sub["cancel_at"] is not None
    if pending and sub["canceled_at"] is None:
        sub["canceled_at"] = call.now  # Stripe: when the cancellation was requested
    if not pending and sub["status"] not in ENDED:
        sub["canceled_at"] = None
        sub["cancellation_details"] = {"comment": None, "feedback": None, "feedback_option": None, "reason": None}


def _check_paused_update(p: dict[str, Any]) -> None:
    """A paused subscription (status `paused`, pausing.py) cannot schedule a cancellation or pause collection:
    its period ended at the pause, and paused collection cannot coexist with the pause (docs.stripe.com/billing/
    subscriptions/pause). Stripe does not document the first; the sandbox takes the stricter side."""
    if p.get("cancel_at_period_end") or p.get("cancel_at") not in (None, ""):
        raise invalid("A paused subscription cannot be set to cancel. Resume it first.", "cancel_at_period_end")
    if p.get("pause_collection") not in (None, ""):
        raise invalid("A paused subscription cannot pause collection. Resume it first.", "pause_collection")


def _pause(call: Call, value: Any) -> dict[str, Any] | None:
    if value == "":
        return None
    resumes_at = value.get("resumes_at")
    if resumes_at is not None and resumes_at <= call.now:
        raise invalid("pause_collection[resumes_at] must be in the future.", "pause_collection[resumes_at]")
    if "behavior" not in value:
        raise invalid("Missing required param: pause_collection[behavior].", "pause_collection[behavior]")
    return {"behavior": value["behavior"], "resumes_at": resumes_at}


def _apply_metadata(obj: dict[str, Any], metadata: Any) -> None:
    if metadata is None:
        return
    if metadata == "":
        obj["metadata"] = {}
        return
    merged = dict(obj.get("metadata") or {})
    for key, value in metadata.items():
        if len(key) > 40:
            raise invalid(f"Metadata keys can have up to 40 characters: {key}", f"metadata[{key}]")
        if len(value) > 500:
            raise invalid(
                f"Metadata values can have up to 500 characters, but the value for {key} has {len(value)}.", f"metadata[{key}]"
            )
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > _METADATA_MAX_KEYS:
        raise invalid("Metadata can have up to 50 keys.", "metadata")
    obj["metadata"] = merged


def _discount_ids(call: Call, sub: dict[str, Any], entries: Any) -> list[str | dict[str, Any]]:
    """Check the `discounts` param; return kept discount ids and coupons to redeem, in order."""
    if entries == "":
        return []
    out: list[str | dict[str, Any]] = []
    seen_coupons: set[str] = set()
    for i, entry in enumerate(entries):
        if "discount" in entry:
            if entry["discount"] not in sub["discounts"]:
                raise invalid(
                    f"The discount {entry['discount']} is not applied to this subscription.", f"discounts[{i}][discount]"
                )
            out.append(entry["discount"])
            disc = call.state.get("discount", entry["discount"])
            if disc:
                seen_coupons.add(disc["source"]["coupon"])
        elif "coupon" in entry:
            coupon = call.state.get("coupon", entry["coupon"])
            if coupon is None:
                raise missing("coupon", entry["coupon"], f"discounts[{i}][coupon]")
            _check_redeemable(call, coupon, sub, f"discounts[{i}][coupon]")
            if coupon["id"] in seen_coupons:
                raise invalid(f"The coupon {coupon['id']} is already applied to this subscription.", f"discounts[{i}][coupon]")
            seen_coupons.add(coupon["id"])
            out.append({"coupon": coupon})
        else:
            raise invalid("Each discount needs one of coupon, discount or promotion_code.", f"discounts[{i}]")
    return out


def _check_redeemable(call: Call, coupon: dict[str, Any], sub: dict[str, Any], param: str) -> None:
    if not coupon["valid"]:
        raise invalid(f"Coupon expired: {coupon['id']}", param, code="coupon_expired")
    if coupon["redeem_by"] is not None and coupon["redeem_by"] < call.now:
        raise invalid(f"Coupon expired: {coupon['id']}", param, code="coupon_expired")
    if coupon["amount_off"] is not None and coupon["currency"] != sub["currency"]:
        raise invalid(
            f"The coupon {coupon['id']} is in {coupon['currency'].upper()} and cannot be applied to a {sub['currency'].upper()} subscription.",
            param,
        )


def _replace_discounts(call: Call, sub: dict[str, Any], entries: list[str | dict[str, Any]]) -> None:
    state = call.state
    ids: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            ids.append(entry)
            continue
        coupon = entry["coupon"]
        disc = objects.discount(state, coupon_obj=coupon, customer_id=sub["customer"], subscription_id=sub["id"], start=call.now)
        state.add(disc)
        coupon["times_redeemed"] += 1
        if coupon["max_redemptions"] is not None and coupon["times_redeemed"] >= coupon["max_redemptions"]:
            coupon["valid"] = False
        call.emit("customer.discount.created", disc)
        ids.append(disc["id"])
    for old in sub["discounts"]:
        if old not in ids and (gone := state.get("discount", old)) is not None:
            call.emit("customer.discount.deleted", gone)
    sub["discounts"] = ids
