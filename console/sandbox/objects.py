"""Builders that fill Stripe's example objects with the sandbox's values."""

from __future__ import annotations

from typing import Any

from .state import State, public, template

INTERVAL_SECONDS = {"day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}


def add_interval(ts: int, interval: str, count: int) -> int:
    """The end of a billing period that starts at `ts` (calendar-accurate for months and years)."""
    import datetime as dt

    start = dt.datetime.fromtimestamp(ts, dt.UTC)
    if interval in ("month", "year"):
        months = count * (12 if interval == "year" else 1)
        year, month0 = divmod(start.month - 1 + months, 12)
        year += start.year
        day = min(start.day, _days_in_month(year, month0 + 1))
        return int(start.replace(year=year, month=month0 + 1, day=day).timestamp())
    return ts + INTERVAL_SECONDS[interval] * count


def _days_in_month(year: int, month: int) -> int:
    import calendar

    return calendar.monthrange(year, month)[1]


def customer(state: State, *, name: str, email: str, created: int, currency: str | None) -> dict[str, Any]:
    obj = template("customer")
    obj.update(
        id=state.new_id("customer"),
        name=name,
        email=email,
        created=created,
        currency=currency,
        livemode=state.livemode,
        discount=None,
        shipping=None,
        invoice_prefix=state.new_id("customer")[4:12].upper(),
        description=None,
    )
    return obj


def product(state: State, *, name: str, description: str, created: int) -> dict[str, Any]:
    obj = template("product")
    obj.update(
        id=state.new_id("product"),
        name=name,
        description=description,
        created=created,
        updated=created,
        livemode=state.livemode,
        default_price=None,
        package_dimensions=None,
        type="service",
    )
    return obj


def price(
    state: State,
    *,
    product_id: str,
    unit_amount: int,
    currency: str,
    interval: str,
    interval_count: int = 1,
    nickname: str | None = None,
    created: int,
) -> dict[str, Any]:
    obj = template("price")
    obj.update(
        id=state.new_id("price"),
        product=product_id,
        unit_amount=unit_amount,
        unit_amount_decimal=str(unit_amount),
        currency=currency,
        nickname=nickname,
        created=created,
        livemode=state.livemode,
        transform_quantity=None,
        custom_unit_amount=None,
    )
    obj["recurring"].update(interval=interval, interval_count=interval_count)
    return obj


def coupon(state: State, params: dict[str, Any], created: int) -> dict[str, Any]:
    obj = template("coupon")
    obj.update(
        id=params.get("id") or state.new_id("coupon"),
        created=created,
        livemode=state.livemode,
        percent_off=params.get("percent_off"),
        amount_off=params.get("amount_off"),
        currency=params.get("currency"),
        duration=params.get("duration", "once"),
        duration_in_months=params.get("duration_in_months"),
        max_redemptions=params.get("max_redemptions"),
        redeem_by=params.get("redeem_by"),
        name=params.get("name"),
        metadata=dict(params.get("metadata") or {}),
        times_redeemed=0,
        valid=True,
    )
    return obj


def discount(state: State, *, coupon_obj: dict[str, Any], customer_id: str, subscription_id: str, start: int) -> dict[str, Any]:
    obj = template("discount")
    end = None
    if coupon_obj["duration"] == "repeating":
        end = add_interval(start, "month", coupon_obj["duration_in_months"] or 1)
    obj.update(
        id=state.new_id("discount"),
        customer=customer_id,
        subscription=subscription_id,
        start=start,
        end=end,
        source={"coupon": coupon_obj["id"], "type": "coupon"},
    )
    return obj


def subscription_item(state: State, *, price_obj: dict[str, Any], quantity: int, sub_id: str, start: int) -> dict[str, Any]:
    obj = template("subscription_item")
    rec = price_obj["recurring"]
    obj.update(
        id=state.new_id("subscription_item"),
        created=start,
        price=public(price_obj),
        quantity=quantity,
        subscription=sub_id,
        current_period_start=start,
        current_period_end=add_interval(start, rec["interval"], rec["interval_count"]),
        discounts=[],
        metadata={},
        tax_rates=[],
    )
    obj["billing_thresholds"] = None
    obj["plan"] = _plan_mirror(price_obj)
    return obj


def _plan_mirror(price_obj: dict[str, Any]) -> dict[str, Any]:
    """The legacy `plan` view of a recurring price, as Stripe still returns it on items."""
    rec = price_obj["recurring"]
    return {
        "active": price_obj["active"],
        "amount": price_obj["unit_amount"],
        "amount_decimal": price_obj["unit_amount_decimal"],
        "billing_scheme": "per_unit",
        "created": price_obj["created"],
        "currency": price_obj["currency"],
        "id": price_obj["id"],
        "interval": rec["interval"],
        "interval_count": rec["interval_count"],
        "livemode": price_obj["livemode"],
        "metadata": {},
        "meter": None,
        "nickname": price_obj["nickname"],
        "object": "plan",
        "product": price_obj["product"],
        "tiers_mode": None,
        "transform_usage": None,
        "trial_period_days": None,
        "usage_type": "licensed",
    }


def subscription(
    state: State,
    *,
    customer_id: str,
    items: list[tuple[dict[str, Any], int]],
    created: int,
    period_start: int | None = None,
) -> dict[str, Any]:
    obj = template("subscription")
    sub_id = state.new_id("subscription")
    start = period_start if period_start is not None else created
    item_objs = [subscription_item(state, price_obj=p, quantity=q, sub_id=sub_id, start=start) for p, q in items]
    obj.update(
        id=sub_id,
        customer=customer_id,
        created=created,
        start_date=created,
        billing_cycle_anchor=created,
        billing_cycle_anchor_config=None,
        cancel_at=None,
        cancel_at_period_end=False,
        canceled_at=None,
        ended_at=None,
        cancellation_details={"comment": None, "feedback": None, "reason": None},
        currency=items[0][0]["currency"],
        discounts=[],
        latest_invoice=None,
        livemode=state.livemode,
        metadata={},
        pause_collection=None,
        status="active",
        trial_start=None,
        trial_end=None,
        test_clock=None,
        schedule=None,
        pending_update=None,
        default_payment_method=None,
        description=None,
        pending_invoice_item_interval=None,
        next_pending_invoice_item_invoice=None,
        transfer_data=None,
        managed_payments=None,
    )
    obj["items"] = {
        "object": "list",
        "data": item_objs,
        "has_more": False,
        "total_count": len(item_objs),
        "url": f"/v1/subscription_items?subscription={sub_id}",
    }
    return obj


def period_end(sub: dict[str, Any]) -> int:
    """The subscription's current period end: the earliest of its items' (API 2025-03-31+)."""
    return min(item["current_period_end"] for item in sub["items"]["data"])


def invoice(
    state: State, *, sub: dict[str, Any], created: int, paid: bool, period_start: int, period_end_ts: int
) -> dict[str, Any]:
    obj = template("invoice")
    total = sum(i["price"]["unit_amount"] * i["quantity"] for i in sub["items"]["data"])
    obj.pop("subscription", None)
    obj.update(
        id=state.new_id("invoice"),
        customer=sub["customer"],
        currency=sub["currency"],
        created=created,
        livemode=state.livemode,
        amount_due=total,
        amount_paid=total if paid else 0,
        amount_remaining=0 if paid else total,
        subtotal=total,
        total=total,
        status="paid" if paid else "open",
        billing_reason="subscription_cycle",
        period_start=period_start,
        period_end=period_end_ts,
        attempted=True,
        attempt_count=1,
        paid_out_of_band=False if "paid_out_of_band" in obj else None,
    )
    if obj.get("paid_out_of_band") is None:
        obj.pop("paid_out_of_band", None)
    obj["parent"] = {
        "type": "subscription_details",
        "quote_details": None,
        "subscription_details": {"metadata": {}, "subscription": sub["id"]},
    }
    if isinstance(obj.get("lines"), dict):
        obj["lines"] = {"object": "list", "data": [], "has_more": False, "url": f"/v1/invoices/{obj['id']}/lines"}
    return obj
