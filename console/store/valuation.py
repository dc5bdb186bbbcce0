"""What valuing MRR needs from the cache (coupons, price tiers, metered usage), read once and kept until it changes."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from ..domain import mrr
from ..domain.models import Coupon, Subscription
from . import rows


def tiers_row(t: mrr.PriceTiers) -> tuple[str, str, str]:
    return (
        t.price_id,
        t.mode,
        json.dumps([{"up_to": x.up_to, "unit": str(x.unit), "flat": str(x.flat)} for x in t.tiers]),
    )


def tiers_from_row(row: dict[str, Any]) -> mrr.PriceTiers:
    tiers = tuple(mrr.Tier(t["up_to"], Decimal(t["unit"]), Decimal(t["flat"])) for t in json.loads(row["tiers"]))
    return mrr.PriceTiers(row["price_id"], row["mode"], tiers)


def usage_row(u: mrr.Usage, subscription_id: str) -> tuple[Any, ...]:
    return (u.item_id, subscription_id, u.price_id, u.amount_minor, u.quantity, u.invoice_id, u.period_end)


class Book:
    """The maps `domain.mrr.value` reads, loaded from the cache on first use and dropped when they change."""

    def __init__(self, query: Callable[[str], list[dict[str, Any]]]) -> None:
        self._query = query
        self._lock = threading.Lock()
        self._maps: tuple[dict[str, Coupon], dict[str, mrr.PriceTiers], dict[str, mrr.Usage]] | None = None
        self._figures: dict[tuple[Any, ...], mrr.Valuation] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._maps = None
            self._figures = {}

    def maps(self) -> tuple[dict[str, Coupon], dict[str, mrr.PriceTiers], dict[str, mrr.Usage]]:
        with self._lock:
            if self._maps is None:
                coupons = {r["id"]: rows.coupon_from_row(r) for r in self._query("SELECT * FROM coupons")}
                tiers = {r["price_id"]: tiers_from_row(r) for r in self._query("SELECT * FROM price_tiers")}
                usage = {
                    r["item_id"]: mrr.Usage(
                        r["item_id"], r["price_id"], r["amount_minor"], r["quantity"], r["invoice_id"], r["period_end"]
                    )
                    for r in self._query("SELECT * FROM usage")
                }
                self._maps = (coupons, tiers, usage)
            return self._maps

    def value(self, sub: Subscription, now: datetime, *, explain: bool = False) -> mrr.Valuation:
        coupons, tiers, usage = self.maps()
        key = None if explain else _figures_key(sub, now)
        if key is not None:
            found = self._figures.get(key)
            if found is not None:
                return found
        valued = mrr.value(sub, coupons=coupons, tiers=tiers, usage=usage, now=now, explain=explain)
        if key is not None:
            if len(self._figures) >= _FIGURES_KEPT:
                self._figures = {}
            self._figures[key] = valued
        return valued


_FIGURES_KEPT = 50_000  # distinct price, quantity and discount shapes (an account has a few thousand)


def _figures_key(sub: Subscription, now: datetime) -> tuple[Any, ...] | None:
    """What sync's figures-only valuation depends on, when every item has a plain per-unit price (tiers and
    metered usage are read by price and item id: those are valued each time). A full sync's million
    subscriptions repeat a few thousand of these (held to mrr.value by tests/unit/test_store_valuation.py)."""
    items = []
    for i in sub.items:
        if i.usage_type == "metered" or i.billing_scheme == "tiered":
            return None
        items.append(
            (
                i.unit_amount,
                i.unit_amount_decimal,
                i.quantity,
                i.transform_divide_by,
                i.transform_round,
                i.interval,
                i.interval_count,
            )
        )
    # each discount: forever, ended, or running until a date the figures name ("until 12 Dec 2026"): that date is
    # part of the key (hypothesis found two subscriptions whose discounts ran until different days sharing one text)
    running = tuple("forever" if end is None else end if end > now else "ended" for end in sub.discount_ends)
    return (sub.currency, sub.status, tuple(items), sub.coupon_ids, running)
