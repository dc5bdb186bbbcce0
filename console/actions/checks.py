"""What an action checks before anything is sent: the customer's consent, the subscription still set to cancel, a coupon
that can apply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain import stamp
from ..domain.action import Consent
from ..domain.models import Subscription
from ..domain.offers import CONSENT_CHANNELS, Offer, terms_of
from ..errors import ConsoleError

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


class ActionRefused(ConsoleError):
    """Nothing was sent: the state moved or the input is wrong. `problems` maps field -> message."""

    def __init__(self, message: str, hint: str = "", problems: dict[str, str] | None = None) -> None:
        super().__init__(message, hint)
        self.problems = problems or {}


def check_consent(
    operator: str, consent: Consent | None, *, required: bool = True, what: str = "reversing their cancellation"
) -> None:
    """The operator named, and how the customer agreed (a channel, a note of at most 500 characters)."""
    if not operator:
        raise ActionRefused(
            "Your name is not set.",
            "Set it in Preferences (or --operator) so the journal says who acted.",
            {"operator": "required"},
        )
    if consent is None and not required:
        return
    if consent is None or consent.channel not in CONSENT_CHANNELS:
        raise ActionRefused(
            f"Record how the customer agreed before {what}.",
            f"Consent is one of: {', '.join(CONSENT_CHANNELS)}.",
            {"consent": "required"},
        )
    if consent.note and len(consent.note) > 500:
        raise ActionRefused("The consent note is too long.", "Keep it under 500 characters.", {"note": "too long"})


def reread(gateway: StripeGateway, sub_id: str) -> Subscription:
    """The subscription as Stripe holds it now, refused unless it is still set to cancel (nothing is sent)."""
    sub = gateway.subscription(sub_id)
    if sub.ended:
        raise ActionRefused(f"{sub.customer_name or sub.id}'s subscription has already ended.", "It cannot be saved any more.")
    if not sub.pending_cancellation:
        who = saved_by(sub)
        raise ActionRefused(
            f"{sub.customer_name or sub.id} is no longer set to cancel{f': {who}' if who else ''}.",
            "Nothing was sent." if who else "Someone (or the customer) already revoked it; nothing was sent.",
        )
    return sub


def coupon_for(
    gateway: StripeGateway, offer: Offer, sub: Subscription, action_id: str
) -> tuple[str | None, dict[str, Any] | None]:
    """The coupon a save applies (its id, and the params to create it when it is new), or a refusal saying why."""
    if offer.kind != "coupon":
        return None, None
    coupon_id = offer.coupon_id or f"cc-{action_id[4:16]}"
    if coupon_id in sub.coupon_ids:
        raise ActionRefused(f"{sub.customer_name or sub.id} already has the coupon {coupon_id}.", "Pick another offer.")
    existing = gateway.coupon(coupon_id)
    if existing is None:
        if offer.new_coupon is None:
            raise ActionRefused(
                f"There is no coupon {coupon_id} in this account.",
                "Pick one from the list or create it.",
                {"coupon": "unknown"},
            )
        spec = offer.new_coupon
        if spec.amount_off is not None and (spec.currency or "").lower() != sub.currency:
            raise ActionRefused(
                f"An amount off in {(spec.currency or '?').upper()} cannot apply to a {sub.currency.upper()} subscription.",
                problems={"currency": "mismatch"},
            )
        return coupon_id, {**spec.params(), "id": coupon_id}
    if not existing.valid:
        raise ActionRefused(f"The coupon {coupon_id} can no longer be redeemed.", "Pick another one.", {"coupon": "invalid"})
    if existing.amount_off is not None and (existing.currency or "") != sub.currency:
        raise ActionRefused(
            f"{terms_of(existing)} is in {(existing.currency or '').upper()}; this subscription is in {sub.currency.upper()}.",
            problems={"coupon": "currency"},
        )
    return coupon_id, None


def saved_by(sub: Subscription) -> str | None:
    """`saved by Robin at 2026-11-23 14:02 UTC (coupon:RETAIN25-3M)` from the metadata every console writes."""
    found = stamp.read(sub.metadata)
    return found.saved_by() if found else None
