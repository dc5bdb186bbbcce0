"""Invoices as Stripe bills a subscription's period: a line per item (tiers, transform_quantity, usage), discounts, totals."""

from __future__ import annotations

import hashlib
import math
from typing import Any

from . import objects
from .state import State, template

DAY = 86400

USAGE_RANGE = (300, 6000)  # units a metered item reports in a period (deterministic per item and period)


def billed_units(price: dict[str, Any], quantity: int) -> int:
    """`transform_quantity` bills round(quantity ÷ divide_by), up or down (Stripe: "Quantity transformation")."""
    transform = price.get("transform_quantity")
    if not transform:
        return quantity
    exact = quantity / int(transform["divide_by"])
    return math.ceil(exact) if transform["round"] == "up" else math.floor(exact)


def amount_for(price: dict[str, Any], quantity: int) -> int:
    """What `quantity` units of a price cost for one period (Stripe: "Tiered pricing": graduated prices
    each unit in its tier plus each reached tier's flat amount; volume prices all units at one tier)."""
    units = billed_units(price, quantity)
    tiers = price.get("_tiers")
    if not tiers:
        return (price["unit_amount"] or 0) * units
    if price["tiers_mode"] == "volume":
        tier = next(t for t in tiers if t["up_to"] is None or units <= t["up_to"])
        return (tier["unit_amount"] or 0) * units + (tier["flat_amount"] or 0)
    total, below = 0, 0
    for tier in tiers:
        if units <= below:
            break
        top = units if tier["up_to"] is None else min(units, tier["up_to"])
        total += (tier["unit_amount"] or 0) * (top - below) + (tier["flat_amount"] or 0)
        below = top
    return total


def usage(item_id: str, period_start: int) -> int:
    """A metered item's usage for a period: what its meter summed (steady per item, varying by period)."""
    digest = hashlib.sha256(f"{item_id}:{period_start}".encode()).digest()
    lo, hi = USAGE_RANGE
    base = lo + int.from_bytes(digest[:4], "big") % (hi - lo)
    return base - base % 10


def _line(state: State, inv_id: str, sub: dict[str, Any], item: dict[str, Any], start: int, end: int) -> dict[str, Any]:
    price = item["price"]
    metered = price["recurring"].get("usage_type") == "metered"
    # A metered item is billed in arrears: the line for the period just ended, from its meter's usage.
    quantity = usage(item["id"], start) if metered else item.get("quantity", 1)
    stored = state.get("price", price["id"]) or price
    amount = amount_for(stored, quantity)
    line = template("invoice_line")
    line.update(
        id="il_" + state.new_id("invoice")[3:],
        invoice=inv_id,
        amount=amount,
        subtotal=amount,
        currency=sub["currency"],
        description=f"{quantity:,} × {price.get('nickname') or price['id']}",
        discount_amounts=[],
        discounts=[],
        livemode=state.livemode,
        period={"start": start, "end": end},
        quantity=quantity,
        quantity_decimal=str(quantity),
        pricing={
            "type": "price_details",
            "price_details": {"price": price["id"], "product": price["product"]},
            "unit_amount_decimal": price.get("unit_amount_decimal"),
        },
        parent={
            "type": "subscription_item_details",
            "invoice_item_details": None,
            "subscription_item_details": {
                "invoice_item": None,
                "proration": False,
                "proration_details": {"credited_items": None},
                "subscription": sub["id"],
                "subscription_item": item["id"],
            },
        },
        subscription=sub["id"],
        taxes=[],
        pretax_credit_amounts=[],
    )
    return line


def _discount_amounts(state: State, sub: dict[str, Any], subtotal: int, created: int, period: int) -> list[dict[str, Any]]:
    """The subscription's discounts that apply to an invoice made at `created`, in order, each taking its
    share of what the previous left (never below zero). `once` applies to the first invoice after it started."""
    left, out = subtotal, []
    for disc_id in sub.get("discounts") or []:
        disc = state.get("discount", disc_id)
        coupon = state.get("coupon", disc["source"]["coupon"]) if disc else None
        if disc is None or coupon is None or disc["start"] > created or (disc["end"] is not None and disc["end"] <= created):
            continue
        if coupon["duration"] == "once" and created - disc["start"] >= period:
            continue
        if coupon["percent_off"] is not None:
            take = round(left * coupon["percent_off"] / 100)
        else:
            take = min(left, coupon["amount_off"] or 0)
        left -= take
        out.append({"amount": take, "discount": disc_id})
    return out


def invoice(
    state: State, *, sub: dict[str, Any], created: int, paid: bool, period_start: int, period_end_ts: int
) -> dict[str, Any]:
    """A subscription-cycle invoice for [period_start, period_end_ts), with coherent totals and fields."""
    obj = template("invoice")
    inv_id = state.new_id("invoice")
    lines = [_line(state, inv_id, sub, item, period_start, period_end_ts) for item in sub["items"]["data"]]
    subtotal = sum(line["amount"] for line in lines)
    discounts = _discount_amounts(state, sub, subtotal, created, max(1, period_end_ts - period_start))
    total = subtotal - sum(d["amount"] for d in discounts)
    obj.pop("subscription", None)
    obj.update(
        id=inv_id,
        customer=sub["customer"],
        currency=sub["currency"],
        created=created,
        effective_at=created,
        webhooks_delivered_at=created,
        livemode=state.livemode,
        amount_due=total,
        amount_paid=total if paid else 0,
        amount_remaining=0 if paid else total,
        amount_overpaid=0,
        subtotal=subtotal,
        subtotal_excluding_tax=subtotal,
        total=total,
        total_excluding_tax=total,
        discounts=[d["discount"] for d in discounts],
        total_discount_amounts=discounts,
        status="paid" if paid else "open",
        billing_reason="subscription_cycle",
        collection_method="charge_automatically",
        period_start=period_start,
        period_end=period_end_ts,
        attempted=True,
        attempt_count=1,
        auto_advance=not paid,
        due_date=None,
        next_payment_attempt=None if paid else created + 3 * 86400,
        last_finalization_error=None,
        from_invoice=None,
        shipping_cost=None,
        shipping_details=None,
        number=f"{inv_id[3:11].upper()}-0001",
        status_transitions={
            "finalized_at": created,
            "marked_uncollectible_at": None,
            "paid_at": created if paid else None,
            "voided_at": None,
        },
    )
    obj["parent"] = {
        "type": "subscription_details",
        "quote_details": None,
        "subscription_details": {"metadata": {}, "subscription": sub["id"]},
    }
    obj["lines"] = {"object": "list", "data": lines, "has_more": False, "url": f"/v1/invoices/{inv_id}/lines"}
    return obj


def history(state: State, sub: dict[str, Any], now: int) -> None:
    """Paid invoices: every period of an annual plan, the last twelve months of a monthly one."""
    recurring = sub["items"]["data"][0]["price"]["recurring"]
    interval, count = recurring["interval"], recurring["interval_count"]
    paused = ((sub.get("status_details") or {}).get("paused") or {}).get("transitioned_at")
    end = sub["ended_at"] or paused or now  # a paused subscription makes no invoices
    start = sub["created"]
    paused_from, paused_until = sub.pop("_collection_paused", None) or (0, 0)  # an earlier pause_collection (void)
    horizon = start if interval == "year" else now - 365 * DAY
    while start < end:
        nxt = objects.add_interval(start, interval, count)
        if nxt > horizon or start >= horizon:
            paid = not (sub["status"] == "past_due" and nxt > now)
            inv = invoice(state, sub=sub, created=start, paid=paid, period_start=start, period_end_ts=nxt)
            if paused_from <= start < paused_until:
                void(inv)
            elif not paid:
                failed(inv)
            state.add(inv)
            sub["latest_invoice"] = inv["id"]
        start = nxt


def void(inv: dict[str, Any]) -> None:
    """An invoice made while collection was paused with `behavior: void`: invoices keep being generated but Stripe
    collects nothing, and with `void` each is voided as it is made (https://docs.stripe.com/billing/subscriptions/
    pause-payment; `pause_collection.behavior` in the SDK: keep_as_draft, mark_uncollectible or void)."""
    inv.update(status="void", amount_paid=0, amount_remaining=0, auto_advance=False, next_payment_attempt=None)
    inv["status_transitions"]["voided_at"] = inv["created"]


def failed(inv: dict[str, Any]) -> None:
    """A renewal whose card was declined: open, attempted, retried by Smart Retries (`attempt_count` counts the
    tries; `next_payment_attempt` the next one) — https://docs.stripe.com/api/invoices/object."""
    inv.update(attempt_count=2, next_payment_attempt=inv["created"] + 5 * DAY)
