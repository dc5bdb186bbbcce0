"""Monthly recurring revenue as analytics tools compute it: per item, normalised to a month, net of discounts.

The rules (docs/mrr.md), after ChartMogul, Baremetrics and Stripe's billing analytics:
- each item's amount for one billing interval, normalised to a month (MONTHS_PER, ÷ interval_count);
- `billing_scheme=per_unit`: unit amount × billed quantity; `transform_quantity` bills
  round(quantity ÷ divide_by) units, rounding up or down as the price says;
- `billing_scheme=tiered`: `graduated` prices each unit in its tier and adds the flat amount of each
  tier reached; `volume` prices every unit at the tier the total falls in, plus that tier's flat amount;
- metered items (`recurring.usage_type=metered`) are valued from the latest invoice's line for the
  item (what was last invoiced, as ChartMogul and ProfitWell do) and marked usage-based;
- trials are not MRR yet (Stripe, ProfitWell);
- discounts that apply now reduce it: percent or amount off, `repeating` until the discount's end,
  `forever`; a `once` discount is one invoice, not recurring revenue. Several discounts apply in the
  order listed, each to what the previous left; never below zero. Currencies are never summed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from .models import Coupon, Item, Subscription
from .money import MONTHS_PER, format_money


@dataclass(frozen=True)
class Tier:
    """One tier of a tiered price: up to `up_to` units (None: no limit), per-unit and flat amounts in minor units."""

    up_to: int | None
    unit: Decimal
    flat: Decimal


@dataclass(frozen=True)
class PriceTiers:
    """A tiered price's mode and tiers (Stripe sends them only when asked: `expand[]=tiers`)."""

    price_id: str
    mode: str  # graduated | volume
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class Usage:
    """What the latest invoice charged for a metered item: amount (minor units) and quantity."""

    item_id: str
    price_id: str
    amount_minor: int
    quantity: int
    invoice_id: str
    period_end: int | None = None


@dataclass(frozen=True)
class Valuation:
    """A subscription's MRR: the list figure, the net one, and how it was reached, in words."""

    net_minor: int
    list_minor: int
    currency: str
    lines: tuple[str, ...]
    usage_based: bool = False
    unknown: tuple[str, ...] = ()
    discounts: tuple[str, ...] = ()  # "25% coupon", in the order applied

    @property
    def summary(self) -> str:
        """`$120.00 list − 25% coupon = $90.00/mo` (or just `$90.00/mo`)."""
        net = format_money(self.net_minor, self.currency)
        if not self.discounts:
            return f"{net}/mo"
        taken = " ".join(f"− {d}" for d in self.discounts)
        return f"{format_money(self.list_minor, self.currency)} list {taken} = {net}/mo"


def decimal_of(value: object) -> Decimal | None:
    """A Stripe amount that may come as an int, a decimal string or a Decimal (SDK 16 decodes them)."""
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def billed_quantity(item: Item) -> int:
    """The units Stripe bills: the quantity, or round(quantity ÷ divide_by) with `transform_quantity`."""
    if not item.transform_divide_by:
        return item.quantity
    exact = item.quantity / item.transform_divide_by
    return math.ceil(exact) if item.transform_round == "up" else math.floor(exact)


def tiered_amount(tiers: PriceTiers, quantity: int) -> Decimal:
    """The amount for `quantity` units of a tiered price, for one billing interval (minor units)."""
    if tiers.mode == "volume":
        for tier in tiers.tiers:
            if tier.up_to is None or quantity <= tier.up_to:
                return tier.unit * quantity + tier.flat
        return Decimal(0)
    total, below = Decimal(0), 0
    for tier in tiers.tiers:
        if quantity <= below:
            break
        top = quantity if tier.up_to is None else min(quantity, tier.up_to)
        total += tier.unit * (top - below) + tier.flat
        below = top
        if tier.up_to is None:
            break
    return total


def _per_month(amount: Decimal, interval: str, interval_count: int) -> Decimal:
    return amount * MONTHS_PER[interval] / Decimal(interval_count or 1)


def _item(
    item: Item, tiers: Mapping[str, PriceTiers], usage: Mapping[str, Usage], money: Callable[[int | Decimal], str]
) -> tuple[Decimal, str | None, str | None]:
    """(monthly amount, a line explaining it, what could not be known)."""
    name = item.nickname or item.price_id
    every = _interval_words(item.interval, item.interval_count)
    if item.usage_type == "metered":
        used = usage.get(item.item_id)
        if used is None:
            return Decimal(0), f"{name}: usage-based, not invoiced yet", f"{name}: no invoice shows its usage yet"
        monthly = _per_month(Decimal(used.amount_minor), item.interval, item.interval_count)
        return monthly, f"{name}: usage, last invoice {used.quantity:,} units = {money(used.amount_minor)}{every}", None
    quantity = billed_quantity(item)
    units = f"{quantity:,} unit{'s' if quantity != 1 else ''}"
    if item.transform_divide_by:
        units = f"{item.quantity:,} ÷ {item.transform_divide_by:,} rounded {item.transform_round or 'down'} = {units}"
    if item.billing_scheme == "tiered":
        found = tiers.get(item.price_id)
        if found is None:
            return Decimal(0), f"{name}: tiered price", f"{name}: the price's tiers could not be read"
        amount = tiered_amount(found, quantity)
        return (
            _per_month(amount, item.interval, item.interval_count),
            f"{name}: {units}, {found.mode} tiers = {money(amount)}{every}",
            None,
        )
    unit = decimal_of(item.unit_amount_decimal)
    if unit is None:
        unit = Decimal(item.unit_amount)
    amount = unit * quantity
    return (
        _per_month(amount, item.interval, item.interval_count),
        f"{name}: {units} × {money(unit)} = {money(amount)}{every}",
        None,
    )


@lru_cache(maxsize=16384)
def _plain_monthly(unit_amount: int, unit_amount_decimal: object, quantity: int, interval: str, count: int) -> Decimal:
    """A per-unit price's monthly amount, as _item computes it (without its words)."""
    unit = decimal_of(unit_amount_decimal)
    return _per_month((Decimal(unit_amount) if unit is None else unit) * quantity, interval, count)


def _interval_words(interval: str, count: int) -> str:
    if interval == "month" and count == 3:
        return " per quarter"
    if count == 1:
        return {"day": " per day", "week": " per week", "month": "/mo", "year": " per year"}[interval]
    return f" every {count} {interval}s"


def value(
    sub: Subscription,
    *,
    coupons: Mapping[str, Coupon],
    tiers: Mapping[str, PriceTiers] | None = None,
    usage: Mapping[str, Usage] | None = None,
    now: datetime,
    explain: bool = True,
) -> Valuation:
    """The subscription's MRR in its own currency, by the rules in this module's docstring.

    With `explain=False` (sync's hot path) the words are left out: only the figures are computed."""
    tiers, usage = tiers or {}, usage or {}

    def money(amount: Decimal | int) -> str:
        if not explain:
            return ""
        return format_money(int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)), sub.currency)

    lines: list[str] = []
    unknown: list[str] = []
    applied: list[str] = []
    gross = Decimal(0)
    for item in sub.items:
        if not explain and item.usage_type != "metered" and item.billing_scheme != "tiered":
            gross += _plain_monthly(
                item.unit_amount, item.unit_amount_decimal, billed_quantity(item), item.interval, item.interval_count
            )
            continue  # sync's hot path: most items are a plain price, and a few thousand prices and quantities repeat
        monthly, line, missing = _item(item, tiers, usage, money)
        gross += monthly
        if line:
            lines.append(line)
        if missing:
            unknown.append(missing)
    usage_based = any(i.usage_type == "metered" for i in sub.items)
    list_minor = _round(gross)
    if sub.status == "trialing":
        lines.append(f"in trial: not MRR yet ({money(gross)}/mo after the trial)")
        return Valuation(0, list_minor, sub.currency, tuple(lines), usage_based, tuple(unknown))
    net = gross
    interval, count = (sub.items[0].interval, sub.items[0].interval_count) if sub.items else ("month", 1)
    ends = sub.discount_ends or (None,) * len(sub.coupon_ids)
    for coupon_id, end in zip(sub.coupon_ids, ends, strict=False):
        coupon = coupons.get(coupon_id)
        if coupon is None:
            unknown.append(f"the coupon {coupon_id} could not be read")
            continue
        if end is not None and end <= now:
            continue  # a repeating discount that has run out
        if coupon.duration == "once":
            lines.append(f"{_coupon_words(coupon)}: one invoice only, not MRR")
            continue
        before = net
        if coupon.percent_off is not None:
            net -= net * Decimal(str(coupon.percent_off)) / 100
        elif coupon.amount_off is not None and (coupon.currency or "").lower() == sub.currency.lower():
            net -= _per_month(Decimal(coupon.amount_off), interval, count)
        else:
            unknown.append(f"the coupon {coupon_id} is in another currency")
            continue
        net = max(net, Decimal(0))
        until = f" until {end:%d %b %Y}" if end is not None else (" forever" if coupon.duration == "forever" else "")
        lines.append(f"− {_coupon_words(coupon)} ({money(before - net)}/mo{until})")
        applied.append(_coupon_words(coupon))
    return Valuation(_round(net), list_minor, sub.currency, tuple(lines), usage_based, tuple(unknown), tuple(applied))


def _coupon_words(coupon: Coupon) -> str:
    if coupon.percent_off == 100:
        return "100% coupon (free)"
    if coupon.percent_off is not None:
        return f"{coupon.percent_off:g}% coupon"
    return f"{format_money(coupon.amount_off or 0, coupon.currency or 'usd')} coupon"


def _round(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
