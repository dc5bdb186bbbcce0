"""The offers a playbook rule can name, as the rule editor lists them: the console's own coupons, the account's valid
ones, pauses, a revoke and a contact; each in words, with where its coupon comes from."""

from __future__ import annotations

from ...domain.models import Coupon
from ...domain.offers import CONSOLE_COUPON, ContactOffer, CouponOffer, Offer, PauseOffer, RevokeOffer
from ...domain.playbook import RETAIN_15_ANNUAL, RETAIN_25


def offer_text(offer: Offer, coupons: dict[str, Coupon]) -> str:
    """An offer as the editor lists it: two coupons with the same terms are told apart by where they come from."""
    words = offer.describe(coupons)
    if offer.kind != "coupon":
        return words
    if offer.coupon_id and offer.coupon_id in coupons and not offer.coupon_id.startswith(CONSOLE_COUPON):
        return f"{words} ({offer.coupon_id})"
    return f"{words} (console)" if offer.new_coupon else f"{words} ({offer.coupon_id})"


def offer_tip(offer: Offer) -> str:
    if offer.kind == "coupon" and offer.new_coupon:
        return "A coupon the console creates in your account the first time it is used, then reuses"
    return f"Your account's coupon {offer.coupon_id}" if offer.kind == "coupon" else ""


def offer_choices(coupons: list[Coupon]) -> list[Offer]:
    out: list[Offer] = [RETAIN_25, RETAIN_15_ANNUAL]
    own = {RETAIN_25.coupon_id, RETAIN_15_ANNUAL.coupon_id}  # once created, the console's coupons are in the account: listed once
    out += [CouponOffer(coupon_id=c.id) for c in coupons if c.valid and c.id not in own]
    out += [PauseOffer(pause_months=m) for m in (1, 2, 3)]
    out += [RevokeOffer(), ContactOffer()]
    return out
