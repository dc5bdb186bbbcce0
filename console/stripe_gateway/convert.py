"""SDK objects (as plain dicts) to the console's domain records."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ..domain.events import Change
from ..domain.models import Account, Coupon, Customer, Item, PortalConfigSummary, Subscription


def ts(value: int | None) -> datetime | None:
    """A Stripe timestamp as an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def account(obj: dict[str, Any], livemode: bool) -> Account:
    settings = obj.get("settings") or {}
    name = (
        (settings.get("dashboard") or {}).get("display_name")
        or (obj.get("business_profile") or {}).get("name")
        or obj.get("email")
        or obj["id"]
    )
    return Account(id=obj["id"], name=name, livemode=livemode, created=int(obj.get("created") or 0), readable=True)


_REFUSED_ACCOUNT = re.compile(r"on account '(acct_\w+)'")


def account_from_refusal(message: str, livemode: bool, name: str, *, fallback_id: str) -> Account:
    """The account named in Stripe's 403 to `GET /v1/account` (its display name cannot be read)."""
    found = _REFUSED_ACCOUNT.search(message)
    account_id = found.group(1) if found else fallback_id
    return Account(id=account_id, name=name or account_id, livemode=livemode, readable=False)


def _required(obj: dict[str, Any], key: str, kind: type) -> Any:
    """A field the console cannot do without: missing, null or of another type raises (never a silent zero)."""
    value = obj[key]
    if not isinstance(value, kind):
        raise TypeError(f"{key} is {type(value).__name__}, expected {kind.__name__}")
    return value


def item(obj: dict[str, Any]) -> Item:
    price = _required(obj, "price", dict)  # a subscription item always has its price: MRR comes from it
    recurring = price.get("recurring") or {}
    return Item(
        price_id=price.get("id", ""),
        product_id=price.get("product") if isinstance(price.get("product"), str) else (price.get("product") or {}).get("id", ""),
        nickname=price.get("nickname"),
        unit_amount=price.get("unit_amount") or 0,
        currency=price.get("currency") or "",
        interval=recurring.get("interval") or "month",
        interval_count=recurring.get("interval_count") or 1,
        quantity=obj.get("quantity") or 1,
        current_period_end=ts(obj.get("current_period_end")) or datetime.now(UTC),
    )


def customer(obj: dict[str, Any], *, deleted: bool = False) -> Customer:
    """A customer object, or Stripe's deleted one (`{"id", "object": "customer", "deleted": true}`)."""
    return Customer(
        id=_required(obj, "id", str),
        name=obj.get("name"),
        email=obj.get("email"),
        deleted=deleted or bool(obj.get("deleted")),
    )


def subscription(obj: dict[str, Any]) -> Subscription:
    customer = obj["customer"]
    cust = customer if isinstance(customer, dict) else {"id": _required(obj, "customer", str)}
    details = obj.get("cancellation_details") or {}
    pause = obj.get("pause_collection")
    discounts = obj.get("discounts") or []
    discount_ids = tuple(d if isinstance(d, str) else d.get("id", "") for d in discounts)
    coupon_ids = tuple((d.get("source") or {}).get("coupon") or "" for d in discounts if isinstance(d, dict))
    return Subscription(
        id=obj["id"],
        customer_id=_required(cust, "id", str),
        customer_name=cust.get("name"),
        customer_email=cust.get("email"),
        status=obj.get("status") or "active",
        currency=_required(obj, "currency", str),
        created=ts(_required(obj, "created", int)),
        items=tuple(item(i) for i in _required(_required(obj, "items", dict), "data", list)),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        cancel_at=ts(obj.get("cancel_at")),
        canceled_at=ts(obj.get("canceled_at")),
        ended_at=ts(obj.get("ended_at")),
        feedback=details.get("feedback"),
        comment=details.get("comment"),
        cancel_reason=details.get("reason"),
        discount_ids=discount_ids,
        coupon_ids=tuple(c for c in coupon_ids if c),
        paused=bool(pause),
        pause_resumes_at=ts((pause or {}).get("resumes_at")),
        metadata=dict(obj.get("metadata") or {}),
        customer_deleted=bool(cust.get("deleted")),
    )


def coupon(obj: dict[str, Any]) -> Coupon:
    return Coupon(
        id=obj["id"],
        name=obj.get("name"),
        percent_off=obj.get("percent_off"),
        amount_off=obj.get("amount_off"),
        currency=obj.get("currency"),
        duration=obj.get("duration") or "once",
        duration_in_months=obj.get("duration_in_months"),
        valid=bool(obj.get("valid", True)),
        times_redeemed=obj.get("times_redeemed") or 0,
        max_redemptions=obj.get("max_redemptions"),
    )


def portal_config(obj: dict[str, Any]) -> PortalConfigSummary:
    features = obj.get("features") or {}
    on = tuple(sorted(name for name, spec in features.items() if isinstance(spec, dict) and spec.get("enabled")))
    return PortalConfigSummary(
        id=obj["id"],
        name=obj.get("name"),
        is_default=bool(obj.get("is_default")),
        active=bool(obj.get("active")),
        updated=ts(obj.get("updated")) or datetime.now(UTC),
        features_on=on,
    )


def change(event: dict[str, Any]) -> Change:
    """An event as a Change: the converted object after the event, and previous_attributes."""
    data = event.get("data") or {}
    obj = data.get("object") or {}
    kind = obj.get("object")
    fields: dict[str, Any] = {}
    if kind == "subscription":
        fields["subscription"] = subscription(obj)
    elif kind == "customer":
        fields["customer"] = customer(obj, deleted=event.get("type") == "customer.deleted")
    elif kind == "coupon":
        fields["coupon"] = coupon(obj)
    elif kind == "discount":
        fields["discount"] = (obj["id"], (obj.get("source") or {}).get("coupon") or "", obj.get("subscription"))
    elif kind == "billing_portal.configuration":
        fields["portal_configuration"] = portal_config(obj)
    return Change(
        id=event["id"],
        type=event.get("type") or "",
        created=ts(event.get("created")) or datetime.now(UTC),
        previous=dict(data.get("previous_attributes") or {}),
        **fields,
    )
