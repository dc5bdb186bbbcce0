"""The demo account's catalog: flat, per-seat, tiered, per-1,000 and metered prices, in three currencies.

Real accounts price in every way Stripe allows (Stripe docs: "Recurring pricing models", "Tiered pricing",
"Quantity transformation", "Usage-based billing"), so the demo does too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import objects
from .state import State

DAY = 86400

PRODUCTS = [
    # name, description, {currency: (monthly, annual)}, seats
    ("Starter", "For freelancers getting started", {"usd": (1900, 19000), "eur": (1700, 17000), "jpy": (2800, 28000)}, False),
    ("Team", "Per-seat plan for small teams", {"usd": (1200, 12000), "eur": (1100, 11000), "jpy": (1800, 18000)}, True),
    ("Business", "Advanced reporting and SSO", {"usd": (9900, 99000), "eur": (8900, 89000), "jpy": (14800, 148000)}, False),
    (
        "Scale",
        "High-volume workspaces with priority support",
        {"usd": (39900, 399000), "eur": (36900, 369000), "jpy": (59800, 598000)},
        False,
    ),
]
# usd cents -> the other currencies' minor units (¥ has none: 12.00 USD ~ ¥1,800)
RATES = {"usd": 1.0, "eur": 0.92, "jpy": 1.5}


@dataclass
class Specials:
    """Per currency: the prices that are not flat per-unit."""

    graduated: dict[str, dict[str, Any]]
    volume: dict[str, dict[str, Any]]
    per_thousand: dict[str, dict[str, Any]]
    metered: dict[str, dict[str, Any]]
    weekly: dict[str, dict[str, Any]]
    quarterly: dict[str, dict[str, Any]]


def _in(currency: str, usd_cents: int) -> int:
    return round(usd_cents * RATES[currency])


def add(state: State, now: int) -> tuple[list[tuple[dict[str, Any], dict[str, Any], bool]], Specials]:
    """The products and prices; returns the flat plans (product, price, per-seat) and the special prices."""
    created = now - 900 * DAY
    out = []
    for name, description, amounts, seats in PRODUCTS:
        product = state.add(objects.product(state, name=name, description=description, created=created))
        for currency, (monthly, annual) in amounts.items():
            for interval, amount in (("month", monthly), ("year", annual)):
                nickname = f"{name} {'monthly' if interval == 'month' else 'annual'} ({currency.upper()})"
                price = state.add(
                    objects.price(
                        state,
                        product_id=product["id"],
                        unit_amount=amount,
                        currency=currency,
                        interval=interval,
                        nickname=nickname,
                        created=created,
                    )
                )
                if currency == "usd" and interval == "month":
                    product["default_price"] = price["id"]
                out.append((product, price, seats))
    return out, _specials(state, created)


def _specials(state: State, created: int) -> Specials:
    def product(name: str, description: str) -> dict[str, Any]:
        return state.add(objects.product(state, name=name, description=description, created=created))

    seats = product("Seats", "Graduated per-seat pricing: the more seats, the less each one costs")
    volume = product("Volume", "Volume pricing: every unit at the tier the total falls in")
    api = product("API calls", "Billed per 1,000 calls, rounded up")
    usage = product("Usage", "Metered events, billed in arrears from a Billing Meter")
    starter = product("Starter weekly", "Short commitments for seasonal work")
    quarterly = product("Business quarterly", "Business, billed every three months")
    meter = "mtr_" + state.new_id("price")[6:30]
    specials = Specials({}, {}, {}, {}, {}, {})
    for cur in ("usd", "eur", "jpy"):
        up = cur.upper()
        specials.graduated[cur] = state.add(
            objects.price(
                state,
                product_id=seats["id"],
                unit_amount=None,
                currency=cur,
                interval="month",
                nickname=f"Seats graduated ({up})",
                created=created,
                tiers_mode="graduated",
                tiers=[
                    {"up_to": 5, "unit_amount": _in(cur, 1500), "flat_amount": _in(cur, 2000)},
                    {"up_to": 20, "unit_amount": _in(cur, 1200), "flat_amount": None},
                    {"up_to": None, "unit_amount": _in(cur, 900), "flat_amount": None},
                ],
            )
        )
        specials.volume[cur] = state.add(
            objects.price(
                state,
                product_id=volume["id"],
                unit_amount=None,
                currency=cur,
                interval="month",
                nickname=f"Volume tiers ({up})",
                created=created,
                tiers_mode="volume",
                tiers=[
                    {"up_to": 10, "unit_amount": _in(cur, 1000), "flat_amount": None},
                    {"up_to": 50, "unit_amount": _in(cur, 800), "flat_amount": _in(cur, 5000)},
                    {"up_to": None, "unit_amount": _in(cur, 600), "flat_amount": _in(cur, 10000)},
                ],
            )
        )
        specials.per_thousand[cur] = state.add(
            objects.price(
                state,
                product_id=api["id"],
                unit_amount=_in(cur, 2500),
                currency=cur,
                interval="month",
                nickname=f"API calls per 1,000 ({up})",
                created=created,
                transform=(1000, "up"),
            )
        )
        specials.metered[cur] = state.add(
            objects.price(
                state,
                product_id=usage["id"],
                unit_amount=_in(cur, 4) if cur != "jpy" else 6,
                currency=cur,
                interval="month",
                nickname=f"Usage events ({up})",
                created=created,
                meter=meter,
            )
        )
        specials.weekly[cur] = state.add(
            objects.price(
                state,
                product_id=starter["id"],
                unit_amount=_in(cur, 600),
                currency=cur,
                interval="week",
                nickname=f"Starter weekly ({up})",
                created=created,
            )
        )
        specials.quarterly[cur] = state.add(
            objects.price(
                state,
                product_id=quarterly["id"],
                unit_amount=_in(cur, 27900),
                currency=cur,
                interval="month",
                interval_count=3,
                nickname=f"Business quarterly ({up})",
                created=created,
            )
        )
    return specials
