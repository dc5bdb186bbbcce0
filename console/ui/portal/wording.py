"""A portal configuration's fields and values said in words (the review and conflict tables); codes stay for tooltips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...domain.feedback import PORTAL_LABELS, FeedbackOption
from ...domain.money import format_money
from ...domain.portal import Catalog, PortalConfig
from ...errors import ConsoleError
from ...services.portal import read_import
from ..plain import escape

FIELDS = {
    "name": "Name (for you)",
    "headline": "Headline",
    "privacy_policy_url": "Privacy policy",
    "terms_of_service_url": "Terms of service",
    "default_return_url": "Default return URL",
    "login_page": "Login page",
    "customer_update": "Customers can update their details",
    "customer_update_fields": "Details they may update",
    "payment_method_update": "Customers can update payment methods",
    "invoice_history": "Customers can see invoice history",
    "cancel": "Customers can cancel",
    "cancel_mode": "When a cancellation takes effect",
    "cancel_proration": "Prorations on cancelling",
    "reasons_enabled": "Ask why (the survey)",
    "reasons": "Reasons offered",
    "feedback_options": "Custom reasons offered",
    "pause": "Customers can pause",
    "pause_indefinite": "Pause with no end date",
    "pause_options": "Pause lengths offered",
    "plan_switching": "Customers can change plan",
    "plan_updates": "What they may change",
    "plan_products": "Products and prices to switch between",
    "plan_proration": "Prorations on plan changes",
    "metadata": "Metadata",
}
CODES = {
    "at_period_end": "At the end of the billing period",
    "immediately": "Immediately",
    "none": "No prorations",
    "create_prorations": "Create prorations",
    "always_invoice": "Invoice prorations at once",
    "email": "E-mail",
    "address": "Billing address",
    "shipping": "Shipping address",
    "phone": "Phone",
    "tax_id": "Tax ids",
    "price": "Price",
    "quantity": "Quantity",
    "promotion_code": "Promotion codes",
    **PORTAL_LABELS,
}


class PortalWording:
    """Names products, prices and custom reasons from what the editor loaded; unknown ids are shown as they are."""

    def __init__(self, catalog: Catalog, options: list[FeedbackOption]) -> None:
        self.products = {p["id"]: p.get("name") or p["id"] for p, _ in catalog}
        self.prices = {price["id"]: _price_text(price) for _, prices in catalog for price in prices}
        self.options = {o.id: o.description for o in options}

    @staticmethod
    def field(name: str) -> str:
        return FIELDS.get(name, name.replace("_", " ").capitalize())

    def value(self, name: str, value: Any) -> str:
        """`value` of field `name` as an admin reads it."""
        if isinstance(value, bool):
            return "On" if value else "Off"
        if value in ("", None, [], {}):
            return "—"
        if name == "feedback_options":
            return "; ".join(self.options.get(v, v) for v in value)
        if name == "pause_options":
            return ", ".join(f"{n} {interval}{'s' if n != 1 else ''}" for interval, n in value)
        if name == "plan_products":
            return "; ".join(
                f"{self.products.get(p, p)}: {', '.join(self.prices.get(x, x) for x in prices) or 'no price'}"
                for p, prices in value
            )
        if name == "metadata":
            return ", ".join(f"{k} = {v}" for k, v in value.items())
        if isinstance(value, list):
            return "; ".join(CODES.get(str(v), str(v)) for v in value)
        if isinstance(value, str) and name in ("cancel_mode", "cancel_proration", "plan_proration"):
            return CODES.get(value, value)
        return str(value)

    @staticmethod
    def code(value: Any) -> str:
        """The value as Stripe holds it, for a tooltip."""
        if isinstance(value, list):
            return ", ".join(
                f"{v[0]} [{', '.join(map(str, v[1]))}]" if isinstance(v, tuple) and isinstance(v[1], list) else
                (f"{v[1]} {v[0]}" if isinstance(v, tuple) else str(v))
                for v in value
            ) or "(none)"  # fmt: skip
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items()) or "(none)"
        return str(value) if value not in ("", None) else "(empty)"


def _price_text(price: dict[str, Any]) -> str:
    rec = price.get("recurring") or {}
    amount = format_money(price.get("unit_amount") or 0, price["currency"])
    text = f"{amount}/{rec['interval']}" if rec.get("interval") else amount
    return f"{price['nickname']} ({text})" if price.get("nickname") else text


def features(c: PortalConfig) -> str:
    """What customers can do with a configuration, in words."""
    on = [n for n, v in (("cancel", c.cancel), ("pause", c.pause), ("switch plans", c.plan_switching),
                         ("update details", c.customer_update), ("update cards", c.payment_method_update),
                         ("see invoices", c.invoice_history)) if v]  # fmt: skip
    return ", ".join(on) or "nothing (every feature is off)"


def list_text(c: PortalConfig) -> str:
    """A configuration in the editor's list: its name, its state and date, and what customers can do."""
    flags = " · ".join(x for x in ("default" if c.is_default else "", "active" if c.active else "inactive") if x)
    return (
        f"{c.name or '(no name)'}\n{flags.capitalize()} · updated {datetime.fromtimestamp(c.updated):%d %b %Y}\n"
        f"Customers can: {features(c)}"
    )


def read_configuration(path: str) -> tuple[PortalConfig | None, str]:
    """An import read and checked: the configuration, or None and why not (rich text, the file's words escaped)."""
    try:
        wanted = PortalConfig.from_json(read_import(path))
    except ConsoleError as exc:
        return None, f"<b>{escape(exc.message)}</b> {escape(exc.hint)}"
    except (ValueError, KeyError, TypeError) as exc:
        return None, f"That file is not a portal configuration export: {escape(str(exc))}"
    if problems := wanted.problems():
        listed = "; ".join(f"{field}: {problem}" for field, problem in problems.items())
        return None, f"<b>The file has problems; nothing was loaded.</b> {escape(listed)}"
    return wanted, ""
