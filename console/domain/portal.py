"""A customer portal configuration as the editor holds it: validation, diff, params and config-as-code."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeAlias, cast
from urllib.parse import urlparse

from .feedback import PORTAL_LABELS
from .portal_shape import check_stripe_shape

REASONS = tuple(PORTAL_LABELS)  # the portal's eight survey answers, in its order
CUSTOMER_FIELDS = ("email", "address", "shipping", "phone", "tax_id", "name")
PLAN_UPDATES = ("price", "quantity", "promotion_code")
PRORATIONS = ("none", "create_prorations", "always_invoice")
PAUSE_INTERVALS = ("day", "week", "month", "year")
MAX_PRODUCTS = 10
MAX_HEADLINE = 60
MAX_LIST = 50  # no list in a portal configuration comes near this; a bigger one is a broken or hostile file
FORMAT = "churn-console/portal-configuration@1"


Catalog: TypeAlias = list[tuple[dict[str, Any], list[dict[str, Any]]]]  # active products, each with its recurring prices


@dataclass
class PortalConfig:
    """Every field an admin edits. `id`, `is_default`, `active` and `updated` come from Stripe."""

    name: str = ""
    headline: str = ""
    privacy_policy_url: str = ""
    terms_of_service_url: str = ""
    default_return_url: str = ""
    login_page: bool = False
    customer_update: bool = False
    customer_update_fields: list[str] = field(default_factory=list)
    payment_method_update: bool = False
    invoice_history: bool = False
    cancel: bool = False
    cancel_mode: str = "at_period_end"
    cancel_proration: str = "none"
    reasons_enabled: bool = False
    reasons: list[str] = field(default_factory=list)
    feedback_options: list[str] = field(default_factory=list)  # custom reasons (fo_…) offered beside `reasons`
    pause: bool = False
    pause_indefinite: bool = False
    pause_options: list[tuple[str, int]] = field(default_factory=lambda: [("month", 1)])
    plan_switching: bool = False
    plan_updates: list[str] = field(default_factory=list)
    plan_products: list[tuple[str, list[str]]] = field(default_factory=list)
    plan_proration: str = "none"
    metadata: dict[str, str] = field(default_factory=dict)
    id: str | None = None
    is_default: bool = False
    active: bool = True
    updated: int = 0

    # Stripe ---------------------------------------------------------------------------------
    @classmethod
    def from_stripe(cls, obj: dict[str, Any]) -> PortalConfig:
        f = obj.get("features") or {}
        bp = obj.get("business_profile") or {}
        cancel = f.get("subscription_cancel") or {}
        reason = cancel.get("cancellation_reason") or {}
        pause = f.get("subscription_pause") or {}
        duration = pause.get("duration") or {}
        update = f.get("subscription_update") or {}
        cu = f.get("customer_update") or {}
        return cls(
            name=obj.get("name") or "",
            headline=bp.get("headline") or "",
            privacy_policy_url=bp.get("privacy_policy_url") or "",
            terms_of_service_url=bp.get("terms_of_service_url") or "",
            default_return_url=obj.get("default_return_url") or "",
            login_page=bool((obj.get("login_page") or {}).get("enabled")),
            customer_update=bool(cu.get("enabled")),
            customer_update_fields=list(cu.get("allowed_updates") or []),
            payment_method_update=bool((f.get("payment_method_update") or {}).get("enabled")),
            invoice_history=bool((f.get("invoice_history") or {}).get("enabled")),
            cancel=bool(cancel.get("enabled")),
            cancel_mode=cancel.get("mode") or "at_period_end",
            cancel_proration=cancel.get("proration_behavior") or "none",
            reasons_enabled=bool(reason.get("enabled")),
            reasons=list(reason.get("options") or []),
            feedback_options=[o if isinstance(o, str) else o["id"] for o in reason.get("feedback_options") or []],
            pause=bool(pause.get("enabled")),
            pause_indefinite=duration.get("type") == "indefinite",
            pause_options=[(o["interval"], o.get("interval_count") or 1) for o in duration.get("interval_options") or []]
            or [("month", 1)],
            plan_switching=bool(update.get("enabled")),
            plan_updates=list(update.get("default_allowed_updates") or []),
            plan_products=[(p["product"], list(p.get("prices") or [])) for p in update.get("products") or []],
            plan_proration=update.get("proration_behavior") or "none",
            metadata=dict(obj.get("metadata") or {}),
            id=obj.get("id"),
            is_default=bool(obj.get("is_default")),
            active=bool(obj.get("active", True)),
            updated=int(obj.get("updated") or 0),
        )

    def params(self) -> dict[str, Any]:
        """The complete create/update params (empty strings clear a value, as Stripe expects)."""
        features: dict[str, Any] = {
            "customer_update": {"enabled": self.customer_update, "allowed_updates": list(self.customer_update_fields) or ""},
            "invoice_history": {"enabled": self.invoice_history},
            "payment_method_update": {"enabled": self.payment_method_update},
            "subscription_cancel": {
                "enabled": self.cancel,
                "mode": self.cancel_mode,
                "proration_behavior": self.cancel_proration,
                "cancellation_reason": {
                    "enabled": self.reasons_enabled,
                    "options": list(self.reasons) or "",
                    "feedback_options": list(self.feedback_options) or "",
                },
            },
            "subscription_pause": {
                "enabled": self.pause,
                "duration": {"type": "indefinite"}
                if self.pause_indefinite
                else {
                    "type": "interval_options",
                    "interval_options": [{"interval": i, "interval_count": n} for i, n in self.pause_options],
                },
            },
            "subscription_update": {
                "enabled": self.plan_switching,
                "default_allowed_updates": list(self.plan_updates) or "",
                "products": [{"product": p, "prices": list(prices)} for p, prices in self.plan_products] or "",
                "proration_behavior": self.plan_proration,
            },
        }
        return {
            "name": self.name,
            "business_profile": {
                "headline": self.headline,
                "privacy_policy_url": self.privacy_policy_url,
                "terms_of_service_url": self.terms_of_service_url,
            },
            "default_return_url": self.default_return_url,
            "login_page": {"enabled": self.login_page},
            "features": features,
            "metadata": dict(self.metadata),
        }

    def create_params(self) -> dict[str, Any]:
        """Create params: empty texts are left out rather than cleared; features are sent whole."""
        params = self.params()
        params["business_profile"] = {k: v for k, v in params["business_profile"].items() if v}
        for key in ("name", "default_return_url", "business_profile", "metadata"):
            if not params[key]:
                del params[key]
        return params

    def update_params(self, original: PortalConfig) -> dict[str, Any]:
        """Only what changed since `original` (a removed metadata key is sent as '' to delete it)."""
        new, old = self.params(), original.params()
        out = _changed(new, old)
        if "metadata" in out:
            out["metadata"] = {
                **{k: "" for k in original.metadata if k not in self.metadata},
                **{k: v for k, v in self.metadata.items() if original.metadata.get(k) != v},
            }
        return cast(dict[str, Any], out)

    # checks ------------------------------------------------------------------------------------
    def problems(self) -> dict[str, str]:
        """Field -> what is wrong, with the combinations Stripe refuses; empty when it can be sent."""
        out: dict[str, str] = {}
        for key in ("privacy_policy_url", "terms_of_service_url", "default_return_url"):
            if (value := getattr(self, key)) and not _https(value):
                out[key] = "Use a full https:// address."
        if len(self.headline) > MAX_HEADLINE:
            out["headline"] = f"At most {MAX_HEADLINE} characters."
        if len(self.name) > 256:
            out["name"] = "At most 256 characters."
        if self.cancel_mode == "at_period_end" and self.cancel_proration != "none":
            out["cancel_proration"] = "Prorations only apply when cancellations are immediate."
        if self.cancel_mode not in ("at_period_end", "immediately"):
            out["cancel_mode"] = "At period end or immediately."
        if self.reasons_enabled and not self.reasons and not self.feedback_options:
            out["reasons"] = "Pick at least one reason to ask about."
        if bad := [o for o in self.feedback_options if not o.startswith("fo_")]:
            out["feedback_options"] = f"Custom reasons are feedback option ids (fo_…), not {', '.join(bad)}."
        elif len(set(self.feedback_options)) != len(self.feedback_options):
            out["feedback_options"] = "Each custom reason can be offered once."
        if bad := [r for r in self.reasons if r not in REASONS]:
            out["reasons"] = f"Unknown reasons: {', '.join(bad)}."
        for key in ("reasons", "feedback_options", "customer_update_fields", "plan_updates", "pause_options"):
            values = getattr(self, key)
            if len(values) > MAX_LIST:
                out[key] = f"At most {MAX_LIST} entries ({len(values)} given)."
            elif len(set(values)) != len(values):
                out[key] = "Each entry can be listed once."
        if any(len(set(prices)) != len(prices) or len(prices) > MAX_LIST for _, prices in self.plan_products):
            out["plan_products"] = "Each price can be listed once per product."
        if self.customer_update and not self.customer_update_fields:
            out["customer_update_fields"] = "Pick at least one detail customers may update."
        if bad := [f for f in self.customer_update_fields if f not in CUSTOMER_FIELDS]:
            out["customer_update_fields"] = f"Unknown details: {', '.join(bad)}."
        if self.pause and not self.pause_indefinite and not self.pause_options:
            out["pause_options"] = "Offer at least one pause length."
        if any(i not in PAUSE_INTERVALS or not 1 <= n <= 36 for i, n in self.pause_options):
            out["pause_options"] = "Pause lengths are 1–36 days, weeks, months or years."
        if len(self.plan_products) > MAX_PRODUCTS:
            out["plan_products"] = f"At most {MAX_PRODUCTS} products."
        if any(not prices for _, prices in self.plan_products):
            out["plan_products"] = "Each product needs at least one price."
        if self.plan_switching and not self.plan_products:
            out["plan_products"] = "Pick the products customers may switch between."
        if self.plan_switching and not self.plan_updates:
            out["plan_updates"] = "Pick what customers may change (price, quantity, promotion code)."
        if bad := [u for u in self.plan_updates if u not in PLAN_UPDATES]:
            out["plan_updates"] = f"Unknown updates: {', '.join(bad)}."
        for key in ("cancel_proration", "plan_proration"):
            if getattr(self, key) not in PRORATIONS:
                out[key] = "none, create_prorations or always_invoice."
        if len(self.metadata) > 50 or any(len(k) > 40 or len(v) > 500 or not k for k, v in self.metadata.items()):
            out["metadata"] = "Up to 50 keys of at most 40 characters, values of at most 500."
        return out

    def diff(self, other: PortalConfig) -> list[tuple[str, Any, Any]]:
        """(field, this value, the other value) for every editable field that differs. Lists that are sets to
        Stripe (the custom reasons offered, the details customers may update, what a plan switch may change)
        differ by their members only: the editor lists them in its order, Stripe returns its own."""
        mine, theirs = self.editable(), other.editable()
        return [(k, mine[k], theirs[k]) for k in mine if not _same(k, mine[k], theirs[k])]

    def editable(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("id", "is_default", "active", "updated"):
            data.pop(key)
        return data

    # config as code -------------------------------------------------------------------------------
    def to_json(self) -> str:
        body = self.editable()
        body["pause_options"] = [list(o) for o in self.pause_options]
        body["plan_products"] = [{"product": p, "prices": prices} for p, prices in self.plan_products]
        return json.dumps({"format": FORMAT, "id": self.id, "configuration": body}, indent=2, sort_keys=False) + "\n"

    def to_stripe_json(self) -> str:
        """The configuration as the body Stripe's API takes (`billing_portal.configurations.create`)."""
        return json.dumps(self.create_params(), indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> PortalConfig:
        """Parse an export, or Stripe's own configuration JSON (the API body or object, as in Stripe's docs);
        raises ValueError naming what is wrong (a bad field or an unknown one)."""
        try:
            data = json.loads(text)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply to be a portal configuration") from None
        if isinstance(data, dict) and "format" not in data and ("features" in data or "business_profile" in data):
            return cls.from_stripe_json(data)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a churn-console portal configuration (expected format {FORMAT!r})")
        if not isinstance(data.get("configuration"), dict):
            raise ValueError("it has no configuration object")
        body = dict(data["configuration"])
        defaults = cls().editable()
        if unknown := set(body) - set(defaults):
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        for key, value in body.items():
            if key not in ("pause_options", "plan_products") and not _same_shape(value, defaults[key]):
                raise ValueError(f"{key} must be {_shape_name(defaults[key])}")
        try:
            body["pause_options"] = [(_text(i), _count(n)) for i, n in body.get("pause_options", [("month", 1)])]
            body["plan_products"] = [
                (_text(p["product"]), [_text(x) for x in _list(p["prices"])]) for p in body.get("plan_products", [])
            ]
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(
                "pause_options must be [interval, count] pairs and plan_products {product, prices: [price ids]} objects"
            ) from exc
        identifier = data.get("id")
        if identifier is not None and not isinstance(identifier, str):
            raise ValueError("id must be a string")
        return replace(cls(), **body, id=identifier)

    @classmethod
    def from_stripe_json(cls, data: dict[str, Any]) -> PortalConfig:
        """Stripe's configuration JSON: the body its API takes, or a configuration object it returned."""
        check_stripe_shape(data)
        try:
            config = cls.from_stripe(data)
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"a field of the Stripe configuration is not as Stripe's API describes it ({exc})") from None
        return replace(config, is_default=False, active=True, updated=0)


def _same_shape(value: Any, default: Any) -> bool:
    """Does an imported value have the type of the field's default (lists of text, text to text maps)?"""
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, str):
        return isinstance(value, str)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(x, str) for x in value)
    if isinstance(default, dict):
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    return True


def _shape_name(default: Any) -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, str):
        return "text"
    return "a list of text" if isinstance(default, list) else "an object of text values"


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError("expected a list")  # "price_abc" would otherwise be read letter by letter
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value


def _https(url: str) -> bool:
    if any(ord(c) < 33 or ord(c) == 127 for c in url):  # spaces, tabs, newlines, control characters
        return False
    parsed = urlparse(url)
    return parsed.scheme == "https" and bool(parsed.netloc)


def _changed(new: Any, old: Any) -> Any:
    """The parts of `new` that differ from `old`; feature blocks are sent whole when anything in them changed."""
    out: dict[str, Any] = {}
    for key, value in new.items():
        before = old.get(key) if isinstance(old, dict) else None
        if value == before:
            continue
        if key == "features":  # feature blocks have required fields: send a changed block whole
            out[key] = {name: block for name, block in value.items() if block != (before or {}).get(name)}
        elif key == "business_profile":
            out[key] = {name: v for name, v in value.items() if v != (before or {}).get(name)}
        else:
            out[key] = value
    return out


UNORDERED = ("feedback_options", "customer_update_fields", "plan_updates")


def _same(key: str, a: Any, b: Any) -> bool:
    if key in UNORDERED and isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return bool(a == b)
