"""Builders that fill Stripe's example objects with the sandbox's values."""

from __future__ import annotations

import calendar
import functools
from datetime import date as _date
from typing import Any

from .state import State, public, template

_EPOCH_ORDINAL = _date(1970, 1, 1).toordinal()
DAY = 86400
INTERVAL_SECONDS = {"day": 86400, "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400}


def add_interval(ts: int, interval: str, count: int) -> int:
    """The end of a billing period that starts at `ts` (calendar-accurate for months and years: the 31st
    plus a month is the 30th or the 28th, as dateutil's relativedelta counts; held to it by a test).
    Integer arithmetic on the day number: a large seed takes millions of these."""
    if interval not in ("month", "year"):
        return ts + INTERVAL_SECONDS[interval] * count
    days, seconds = divmod(ts, 86400)
    start = _date.fromordinal(days + _EPOCH_ORDINAL)
    months = count * (12 if interval == "year" else 1)
    year, month0 = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, _days_in_month(year, month0 + 1))
    return (_date(year, month0 + 1, day).toordinal() - _EPOCH_ORDINAL) * 86400 + seconds


@functools.lru_cache(maxsize=4096)
def _days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def running_period_start(created: int, now: int, interval: str, count: int = 1) -> int:
    """The start of the period running at `now`, periods chained from `created` as renewals chain them."""
    if interval not in ("month", "year"):  # fixed lengths: one division
        step = INTERVAL_SECONDS[interval] * count
        return created + max(0, (now - created) // step) * step
    months = count * (12 if interval == "year" else 1)
    first = _date.fromordinal(created // DAY + _EPOCH_ORDINAL)
    if first.day <= 28:  # no month is shorter, so the k-th period starts k * months on, on the same day
        seconds = created % DAY

        def start(k: int) -> int:
            year, month0 = divmod(first.month - 1 + k * months, 12)
            return (_date(first.year + year, month0 + 1, first.day).toordinal() - _EPOCH_ORDINAL) * DAY + seconds

        last = _date.fromordinal(now // DAY + _EPOCH_ORDINAL)
        k = max(0, ((last.year - first.year) * 12 + last.month - first.month) // months)
        while k > 0 and start(k) > now:
            k -= 1
        while start(k + 1) <= now:
            k += 1
        return start(k)
    begin = created  # the 29th to the 31st: each short month moves the day, so chain them
    while (nxt := add_interval(begin, interval, count)) <= now:
        begin = nxt
    return begin


def customer(state: State, *, name: str | None, email: str | None, created: int, currency: str | None) -> dict[str, Any]:
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
    unit_amount: int | None,
    currency: str,
    interval: str,
    interval_count: int = 1,
    nickname: str | None = None,
    created: int,
    tiers: list[dict[str, Any]] | None = None,
    tiers_mode: str | None = None,
    transform: tuple[int, str] | None = None,
    meter: str | None = None,
) -> dict[str, Any]:
    """A recurring price. Tiered prices have `unit_amount: null` and keep their tiers out of sight until
    expanded (`expand[]=tiers`, Stripe's "includable" field); `transform_quantity` bills
    round(quantity ÷ divide_by); metered prices (`usage_type=metered`) name a Billing Meter."""
    obj = template("price")
    obj.update(
        id=state.new_id("price"),
        product=product_id,
        billing_scheme="tiered" if tiers else "per_unit",
        tiers_mode=tiers_mode if tiers else None,
        unit_amount=None if tiers else unit_amount,
        unit_amount_decimal=None if tiers or unit_amount is None else str(unit_amount),
        currency=currency,
        nickname=nickname,
        created=created,
        livemode=state.livemode,
        transform_quantity={"divide_by": transform[0], "round": transform[1]} if transform else None,
        custom_unit_amount=None,
    )
    obj["recurring"].update(
        interval=interval, interval_count=interval_count, usage_type="metered" if meter else "licensed", meter=meter
    )
    if tiers:
        obj["_tiers"] = [
            {
                "up_to": t.get("up_to"),
                "unit_amount": t.get("unit_amount"),
                "unit_amount_decimal": None if t.get("unit_amount") is None else str(t["unit_amount"]),
                "flat_amount": t.get("flat_amount"),
                "flat_amount_decimal": None if t.get("flat_amount") is None else str(t["flat_amount"]),
            }
            for t in tiers
        ]
    return obj


def with_tiers(price_obj: dict[str, Any], included: bool) -> dict[str, Any]:
    """The price as an answer: `tiers` only when the request expanded them."""
    out = public(price_obj)
    if included:
        out["tiers"] = [dict(t) for t in price_obj.get("_tiers") or []] if price_obj.get("_tiers") else None
    return out


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
    """An item; a metered price's item has `quantity: null` (usage is reported to its meter instead): Stripe's own
    subscription_item fixture always carries the field (shared/stripe fixtures), null when it does not apply."""
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
    if rec.get("usage_type") == "metered":
        obj["quantity"] = None
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
        "billing_scheme": price_obj["billing_scheme"],
        "created": price_obj["created"],
        "currency": price_obj["currency"],
        "id": price_obj["id"],
        "interval": rec["interval"],
        "interval_count": rec["interval_count"],
        "livemode": price_obj["livemode"],
        "metadata": {},
        "meter": rec.get("meter"),
        "nickname": price_obj["nickname"],
        "object": "plan",
        "product": price_obj["product"],
        "tiers_mode": price_obj["tiers_mode"],
        "transform_usage": price_obj["transform_quantity"],
        "trial_period_days": None,
        "usage_type": rec.get("usage_type") or "licensed",
    }


def subscription(
    state: State,
    *,
    customer_id: str,
    items: list[tuple[dict[str, Any], int]],
    created: int,
    period_start: int | None = None,
    billing_mode: str = "flexible",
) -> dict[str, Any]:
    """A subscription; `billing_mode` is `flexible` for new ones (Stripe's default since 2025-10, SDK type
    `Subscription.BillingMode`), `classic` for older ones."""
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
        cancellation_details={"comment": None, "feedback": None, "feedback_option": None, "reason": None},
        currency=items[0][0]["currency"],
        discounts=[],
        latest_invoice=None,
        livemode=state.livemode,
        metadata={},
        pause_collection=None,
        status="active",
        status_details=None,  # set while paused (SDK `Subscription.status_details`, API 2026-09-30)
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
        billing_schedules=[],
        billing_mode={
            "type": billing_mode,
            "flexible": {"proration_discounts": "included"} if billing_mode == "flexible" else None,
            "updated_at": created if billing_mode == "flexible" else None,
        },
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
    return min(int(item["current_period_end"]) for item in sub["items"]["data"])
