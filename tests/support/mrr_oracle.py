"""An independent MRR computation from the SDK's objects (its own arithmetic, not console.domain.mrr).

Rules from docs/mrr.md: per item normalised to a month; tiers and transform_quantity
applied; metered items from the latest invoice's line (read for pending cancellations only); trials 0;
percent/amount discounts that run now (not `once`), applied in order, each on what is left, never below 0.
"""

from __future__ import annotations

import math
from fractions import Fraction

import stripe

PER_MONTH = {"month": Fraction(1), "year": Fraction(1, 12), "week": Fraction(52, 12), "day": Fraction(365, 12)}


class Oracle:
    def __init__(self, client: stripe.StripeClient, now: int) -> None:
        self.client = client
        self.now = now
        self.tiers = {
            p.id: (p.tiers_mode, [t.to_dict() for t in p.tiers])
            for p in client.v1.prices.list({"limit": 100, "expand": ["data.tiers"]}).auto_paging_iter()
            if p.billing_scheme == "tiered"
        }
        self.coupons = {c.id: c.to_dict() for c in client.v1.coupons.list({"limit": 100}).auto_paging_iter()}

    def _units(self, price, quantity: int) -> int:
        t = price.get("transform_quantity")
        if not t:
            return quantity
        return math.ceil(quantity / t["divide_by"]) if t["round"] == "up" else math.floor(quantity / t["divide_by"])

    def _amount(self, price: dict, quantity: int) -> Fraction:
        units = self._units(price, quantity)
        if price["billing_scheme"] != "tiered":
            return Fraction(price["unit_amount"]) * units
        mode, tiers = self.tiers[price["id"]]
        if mode == "volume":
            t = next(t for t in tiers if t["up_to"] is None or units <= t["up_to"])
            return Fraction(t["unit_amount"] or 0) * units + (t["flat_amount"] or 0)
        total, done = Fraction(0), 0
        for t in tiers:
            cap = units if t["up_to"] is None else min(units, t["up_to"])
            if cap > done:
                total += Fraction(t["unit_amount"] or 0) * (cap - done) + (t["flat_amount"] or 0)
                done = cap
        return total

    def _usage(self, sub_id: str) -> dict[str, int]:
        invoices = self.client.v1.invoices.list({"subscription": sub_id, "limit": 1}).data
        if not invoices:
            return {}
        out = {}
        for line in invoices[0].to_dict()["lines"]["data"]:
            item = ((line.get("parent") or {}).get("subscription_item_details") or {}).get("subscription_item")
            if item:
                out[item] = line["amount"]
        return out

    def mrr(self, sub: stripe.Subscription, before: int | None = None) -> int:
        """Net MRR now; with `before`, without discounts that started at or after it (what was at stake then)."""
        s = sub.to_dict()
        if s["status"] == "trialing":
            return 0
        pending = s["status"] not in ("canceled", "incomplete_expired") and (s["cancel_at_period_end"] or s["cancel_at"])
        usage = self._usage(s["id"]) if pending else {}
        total = Fraction(0)
        interval = (
            s["items"]["data"][0]["price"]["recurring"]["interval"],
            s["items"]["data"][0]["price"]["recurring"]["interval_count"],
        )
        for item in s["items"]["data"]:
            price = item["price"]
            rec = price["recurring"]
            if rec["usage_type"] == "metered":
                amount = Fraction(usage.get(item["id"], 0))
            else:
                amount = self._amount(price, item.get("quantity") or 0)
            total += amount * PER_MONTH[rec["interval"]] / rec["interval_count"]
        for disc_id in s["discounts"]:
            disc = (
                disc_id
                if isinstance(disc_id, dict)
                else self.client.v1.subscriptions.retrieve(s["id"], {"expand": ["discounts"]}).to_dict()["discounts"][
                    s["discounts"].index(disc_id)
                ]
            )
            coupon = self.coupons[disc["source"]["coupon"]]
            if before is not None and disc["start"] >= before:
                continue
            if coupon["duration"] == "once" or (disc["end"] is not None and disc["end"] <= self.now):
                continue
            if coupon["percent_off"] is not None:
                total -= total * Fraction(str(coupon["percent_off"])) / 100
            else:
                total -= Fraction(coupon["amount_off"]) * PER_MONTH[interval[0]] / interval[1]
            total = max(total, Fraction(0))
        return round(total)
