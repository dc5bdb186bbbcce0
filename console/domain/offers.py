"""Retention offers, one small dataclass per kind (a coupon, a pause, revoke only, a personal contact), and their wording."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar, Literal, get_args

from . import permissions
from .choices import CHANNEL_LABELS as CHANNEL_LABELS  # re-exported: offers and their words in one place
from .choices import CONSENT_CHANNELS as CONSENT_CHANNELS
from .choices import PAUSE_BEHAVIORS as PAUSE_BEHAVIORS  # re-exported: the pause form lists them
from .choices import PAUSE_MODES
from .choices import STATE_WORDS as STATE_WORDS
from .models import Coupon
from .money import format_money

OfferKind = Literal["coupon", "pause", "revoke", "contact"]
KINDS: tuple[OfferKind, ...] = get_args(OfferKind)
_COUPON_ID = re.compile(r"[A-Za-z0-9_-]{1,200}")


class OfferInvalid(ValueError):
    """An offer that must not be sent; `problems` maps field -> message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


@dataclass(frozen=True)
class CouponSpec:
    """A coupon to create: percent or amount (with currency); once, repeating (months) or forever."""

    percent_off: float | None = None
    amount_off: int | None = None
    currency: str | None = None
    duration: str = "once"
    duration_in_months: int | None = None
    name: str | None = None

    def problems(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if (self.percent_off is None) == (self.amount_off is None):
            out["percent_off"] = "Give either a percentage or an amount off."
        if self.percent_off is not None and not 0 < self.percent_off <= 100:  # NaN too: it compares false
            out["percent_off"] = "A percentage must be more than 0 and at most 100."
        elif self.percent_off is not None and round(self.percent_off, 2) != self.percent_off:
            out["percent_off"] = "Use at most two decimals."
        if self.amount_off is not None:
            if self.amount_off <= 0:
                out["amount_off"] = "The amount must be more than zero."
            if not self.currency or len(self.currency) != 3:
                out["currency"] = "An amount off needs a three-letter currency."
        if self.duration not in ("once", "repeating", "forever"):
            out["duration"] = "Duration is once, repeating or forever."
        if self.duration == "repeating" and not (self.duration_in_months and 1 <= self.duration_in_months <= 36):
            out["duration_in_months"] = "Repeating coupons need 1 to 36 months."
        if self.duration != "repeating" and self.duration_in_months is not None:
            out["duration_in_months"] = "Months only apply to repeating coupons."
        if self.name is not None and len(self.name) > 40:
            out["name"] = "Names can have up to 40 characters."
        return out

    def params(self) -> dict[str, object]:
        """The Stripe `coupons.create` params (checked first)."""
        if found := self.problems():
            raise OfferInvalid(found)
        out: dict[str, object] = {"duration": self.duration}
        if self.percent_off is not None:
            out["percent_off"] = self.percent_off
        else:
            out["amount_off"] = self.amount_off
            out["currency"] = (self.currency or "").lower()
        if self.duration == "repeating":
            out["duration_in_months"] = self.duration_in_months
        out["name"] = self.name or terms_of(self)
        return out


def terms_of(c: Coupon | CouponSpec) -> str:
    """`25% off for 3 months`, `$20.00 off once`, `10% off forever`."""
    if c.percent_off is not None:
        amount = f"{c.percent_off:g}% off"
    elif c.amount_off is not None and c.currency:
        amount = f"{format_money(c.amount_off, c.currency)} off"
    else:
        amount = "discount"
    if c.duration == "repeating":
        months = c.duration_in_months or 1
        return f"{amount} for {months} month{'s' if months != 1 else ''}"
    return f"{amount} {'forever' if c.duration == 'forever' else 'once'}"


@dataclass(frozen=True)
class CouponOffer:
    """Save with a coupon: an existing one (`coupon_id`), or `new_coupon` created under `coupon_id` if missing
    (a random id when none is given)."""

    coupon_id: str | None = None
    new_coupon: CouponSpec | None = None
    kind: ClassVar[Literal["coupon"]] = "coupon"
    pauses_subscription: ClassVar[bool] = False

    def problems(self, now: datetime | None = None) -> dict[str, str]:
        out: dict[str, str] = {}
        if not self.coupon_id and not self.new_coupon:
            out["coupon"] = "Pick a coupon or describe a new one."
        if self.coupon_id and not _COUPON_ID.fullmatch(self.coupon_id):
            out["coupon"] = "Coupon ids use letters, digits, '-' and '_'."
        if self.new_coupon:
            out.update(self.new_coupon.problems())
        return out

    @property
    def code(self) -> str:
        """Short, stable form for metadata and reports (see `Offer`)."""
        return f"coupon:{self.coupon_id or 'new'}"

    def describe(self, coupons: Mapping[str, Coupon] | None = None) -> str:
        known = (coupons or {}).get(self.coupon_id or "")
        if known is not None:
            return terms_of(known)
        return terms_of(self.new_coupon) if self.new_coupon else f"coupon {self.coupon_id}"


@dataclass(frozen=True)
class PauseOffer:
    """A pause: of collection (`pause_collection`, for `pause_months` or until `resumes_at`; the status stays
    active) or, with `pause_mode="subscription"`, of the subscription itself (no invoices, no end date)."""

    pause_months: int | None = None
    resumes_at: datetime | None = None
    behavior: str = "void"
    pause_mode: str = "collection"
    kind: ClassVar[Literal["pause"]] = "pause"

    @classmethod
    def until(cls, day: date, behavior: str = "void") -> PauseOffer:
        """Collection paused until `day` (resuming at 09:00 UTC that day): the window's "Pause until a date…" and
        `churn-console pause --until DAY` make the same offer."""
        return cls(resumes_at=datetime.combine(day, time(9, 0), tzinfo=UTC), behavior=behavior)

    @property
    def pauses_subscription(self) -> bool:
        """A real pause (POST /v1/subscriptions/{id}/pause): no invoices, no end date, undone by resume."""
        return self.pause_mode == "subscription"

    def problems(self, now: datetime | None = None) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.pause_mode not in PAUSE_MODES:
            out["pause"] = "A pause is of collection or of the subscription."
        elif self.pauses_subscription:
            if self.pause_months is not None or self.resumes_at is not None:
                out["pause"] = "Stripe resumes a paused subscription only when asked: give no end date."
        else:
            if self.behavior not in PAUSE_BEHAVIORS:
                out["behavior"] = "Behaviour is void, keep_as_draft or mark_uncollectible."
            if (self.pause_months is None) == (self.resumes_at is None):
                out["pause"] = "Pause for a number of months or until a date."
            if self.pause_months is not None and not 1 <= self.pause_months <= 12:
                out["pause"] = "Pause for 1 to 12 months."
            if self.resumes_at is not None and now is not None and self.resumes_at <= now:
                out["pause"] = "The resume date must be in the future."
        return out

    @property
    def code(self) -> str:
        if self.pauses_subscription:
            return "pause:subscription"
        return f"pause:{self.pause_months}m" if self.pause_months else "pause:until"

    def describe(self, coupons: Mapping[str, Coupon] | None = None) -> str:
        if self.pauses_subscription:
            return "Pause the subscription (no invoices until resumed)"
        if self.pause_months:
            return f"Pause {self.pause_months} month{'s' if self.pause_months != 1 else ''}"
        return f"Pause until {self.resumes_at:%d %b %Y}" if self.resumes_at else "Pause"


class _NoTerms:
    """An offer with nothing to fill in: always sendable, said in one fixed sentence."""

    pauses_subscription: ClassVar[bool] = False
    words: ClassVar[str]

    def problems(self, now: datetime | None = None) -> dict[str, str]:
        return {}

    def describe(self, coupons: Mapping[str, Coupon] | None = None) -> str:
        return self.words


@dataclass(frozen=True)
class RevokeOffer(_NoTerms):
    """Keep the plan as it is: the pending cancellation is revoked, nothing else changes."""

    kind: ClassVar[Literal["revoke"]] = "revoke"
    code: ClassVar[str] = "revoke"
    words: ClassVar[str] = "Keep the plan (revoke only)"


@dataclass(frozen=True)
class ContactOffer(_NoTerms):
    """A personal contact: nothing changes in Stripe; the journal records how and what was said."""

    kind: ClassVar[Literal["contact"]] = "contact"
    code: ClassVar[str] = "contact"
    words: ClassVar[str] = "Contact the customer"


# What an operator offers, one small dataclass per kind. `code` is the short, stable form for metadata and
# reports: coupon:ID, pause:2m, pause:until, pause:subscription, revoke, contact.
Offer = CouponOffer | PauseOffer | RevokeOffer | ContactOffer


def offer_to_dict(offer: Offer) -> dict[str, Any]:
    """The offer as the playbook file keeps it: its kind and its own fields (a date in ISO 8601)."""
    out: dict[str, Any] = {"kind": offer.kind, **asdict(offer)}
    if isinstance(offer, PauseOffer) and offer.resumes_at is not None:
        out["resumes_at"] = offer.resumes_at.isoformat()
    return out


def offer_from_dict(d: Mapping[str, Any]) -> Offer:
    """An offer read back (older files carry every kind's fields: only this kind's are taken)."""
    kind = d.get("kind")
    if kind == "coupon":
        spec = d.get("new_coupon")
        return CouponOffer(d.get("coupon_id"), CouponSpec(**spec) if spec else None)
    if kind == "pause":
        resumes = d.get("resumes_at")
        return PauseOffer(
            d.get("pause_months"),
            datetime.fromisoformat(resumes) if resumes else None,
            d.get("behavior") or "void",
            d.get("pause_mode") or "collection",
        )
    if kind == "revoke":
        return RevokeOffer()
    if kind == "contact":
        return ContactOffer()
    raise OfferInvalid({"kind": f"Unknown offer {kind!r}."})


def retention_flow(subscription: str, coupon: str) -> dict[str, object]:
    """The portal's cancel flow that offers `coupon` before the customer can cancel (Stripe's flow_data)."""
    return {
        "type": "subscription_cancel",
        "subscription_cancel": {
            "subscription": subscription,
            "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": coupon}},
        },
    }


CONSOLE_COUPON = "churn-console-"  # the prefix of coupons the console creates (playbook defaults, New coupon…)


def action_words(kind: str, code: str, coupons: Mapping[str, Coupon] | None = None) -> str:
    """What an action did, in words: `coupon:RETAIN25-3M` → "Saved with 25% off for 3 months" when the coupon is
    known (`coupons`), else with the coupon's name; codes of the console's own coupons are never shown."""
    family, _, detail = code.partition(":")
    if kind == "undo" and detail == "pause:failed":
        return "Resumed (undoing the pause of a failed payment)"
    if kind == "undo":
        return f"Set to cancel again (undoing “{action_words(_kind_of(detail), detail, coupons).lower()}”)"
    if family == "coupon":
        known = (coupons or {}).get(detail)
        if known is not None:
            return f"Saved with {terms_of(known)}"
        if detail in ("", "new") or detail.startswith(CONSOLE_COUPON):
            return "Saved with a new coupon"
        return f"Saved with coupon {detail}"
    if family == "pause":
        if detail == "subscription":
            return "Paused the subscription"
        if detail == "failed":  # actions/failed_pause.py
            return "Paused instead of ending (failed payment)"
        if detail.endswith("m") and detail[:-1].isdigit():
            months = int(detail[:-1])
            return f"Paused collection for {months} month{'s' if months != 1 else ''}"
        return "Paused collection until a date"
    if family == "charge":  # the failed-payments desk (actions/recovery.py)
        return CHARGE_WORDS.get(detail, "Charged the invoice")
    if family == "desk":  # the save desk's own changes (domain/desk.py): metadata only, never undone
        return DESK_WORDS.get(detail, "Changed the save desk")
    return {"revoke": "Revoked the cancellation", "contact": "Recorded a contact"}.get(family, code)


CHARGE_WORDS = {"retry": "Retried the payment", "outside": "Marked paid outside Stripe"}
DESK_WORDS = {
    "take": "Took the row",
    "release": "Released the row",
    "note": "Wrote a note",
    "contact": "Recorded a contact attempt",
}


def _kind_of(code: str) -> str:
    return {"coupon": "save", "pause": "pause"}.get(code.partition(":")[0], code.partition(":")[0])


def retention_coupon(coupon: Coupon) -> bool:
    """Whether a coupon is offered to keep a paying customer: valid, and not one that makes the subscription free for
    good (100% off forever: a friends-and-family or internal coupon; saving a customer with it keeps no revenue)."""
    free_for_good = (coupon.percent_off or 0) >= 100 and coupon.duration == "forever"
    return coupon.valid and not free_for_good


def why_not(offer: Offer, currency: str | None, coupons: dict[str, Coupon], *, coupons_allowed: bool) -> str | None:
    """Why this offer cannot apply to a subscription in `currency` (None: any currency), said before the consent
    step; None when it can."""
    if not isinstance(offer, CouponOffer):
        return None
    if not coupons_allowed:
        return permissions.lacks("rak_coupon_write") + " to offer coupons."
    coupon = coupons.get(offer.coupon_id or "")
    spec = offer.new_coupon
    if coupon is not None and not coupon.valid:
        return f"The coupon {coupon.id} can no longer be redeemed."
    amount_currency = coupon.currency if coupon is not None and coupon.amount_off is not None else None
    if spec is not None and spec.amount_off is not None:
        amount_currency = spec.currency
    if amount_currency and currency and amount_currency.lower() != currency.lower():
        return f"An amount off in {amount_currency.upper()} cannot apply to a {currency.upper()} subscription."
    return None
