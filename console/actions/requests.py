"""The exact Stripe requests for each action, built from the subscription as just re-read (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta

from ..domain import desk, stamp
from ..domain.models import Subscription
from ..domain.offers import Offer, PauseOffer


def epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def resumes_at(offer: PauseOffer, now: datetime) -> int:
    """When a pause ends: N calendar months from now, or the chosen date."""
    if offer.resumes_at is not None:
        return int(offer.resumes_at.timestamp())
    return int((now + relativedelta(months=offer.pause_months or 1)).timestamp())


def before_of(sub: Subscription) -> dict[str, Any]:
    """What undo needs to put back."""
    return {
        "cancel_at_period_end": sub.cancel_at_period_end,
        "cancel_at": None if sub.cancel_at_period_end else epoch(sub.cancel_at),
        "feedback": sub.feedback,
        "comment": sub.comment,
        "feedback_option": sub.feedback_option,
        "discount_ids": list(sub.discount_ids),
        "paused": sub.paused,
        "desk_owner": desk.read(sub.metadata).owner,  # whose row it was (the journal says when it was not the operator's)
        "desk_state": sub.metadata.get(desk.STATE, ""),
    }


def metadata_for(
    action_id: str,
    offer: Offer,
    operator: str,
    channel: str | None,
    sub: Subscription,
    now: datetime,
    variant: str | None = None,
) -> dict[str, str]:
    """The churn_console_* keys every console reads (domain/stamp.py), and the save desk's: the row is saved, by
    whom and when (domain/desk.py; the owner is left as it was)."""
    saved = {desk.STATE: "saved", desk.LAST: f"save|{operator.replace('|', '/')[:100]}|{desk.stamp_of(now)}"}
    return stamp.for_save(action_id, offer.code, operator, channel, sub.feedback, now, variant) | saved


def save_update(
    sub: Subscription, offer: Offer, coupon_id: str | None, metadata: dict[str, str], now: datetime
) -> dict[str, Any]:
    """One request: revoke the cancellation and apply the offer, keeping existing discounts."""
    params: dict[str, Any] = {"cancel_at_period_end": False, "metadata": metadata, "expand": ["customer", "discounts"]}
    if sub.cancel_at is not None:
        params["cancel_at"] = ""
    # The offer state is written whole, as this console read it plus its own offer: if another console saved
    # the customer a moment before (on another machine), its discount or pause is withdrawn by this write, so
    # exactly one offer remains, the last one, and the metadata names it (the other console then shows it).
    kept = [{"discount": d} for d in sub.discount_ids]
    params["discounts"] = kept + [{"coupon": coupon_id}] if offer.kind == "coupon" and coupon_id else kept or ""
    if isinstance(offer, PauseOffer) and not offer.pauses_subscription:
        params["pause_collection"] = {"behavior": offer.behavior, "resumes_at": resumes_at(offer, now)}
    elif not sub.paused:
        params["pause_collection"] = ""
    return params


def pause_request() -> dict[str, Any]:
    """A real pause, sent after the update that revoked the cancellation (Stripe refuses to pause a
    subscription set to cancel: sandbox/pausing.py). Stripe's defaults otherwise: the unused part of the
    period is credited on a pending invoice item, metered usage so far is billed."""
    return {"type": "subscription", "expand": ["customer", "discounts"]}


def resume_request() -> dict[str, Any]:
    """Undo of a real pause: resume on the original billing cycle, prorating the paused time, so the customer
    pays for what they use until the cancellation takes effect again (not a new full period from now)."""
    return {
        "billing_cycle_anchor": {"type": "unchanged"},
        "proration_behavior": "create_prorations",
        "expand": ["customer", "discounts"],
    }


def rollback_update(before: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Put back the cancellation an action revoked when its second request (the pause) was refused."""
    params: dict[str, Any] = {"expand": ["customer", "discounts"]}
    cancel_at = before.get("cancel_at")
    if cancel_at and cancel_at > now.timestamp():
        params["cancel_at"] = cancel_at
    else:
        params["cancel_at_period_end"] = True
    details = {k: before[k] for k in ("feedback", "comment", "feedback_option") if before.get(k)}
    if details:
        params["cancellation_details"] = details
    params["metadata"] = {stamp.PREFIX + k: "" for k in stamp.SAVE_KEYS}
    return params


def undo_update(
    sub: Subscription, before: dict[str, Any], added_discounts: list[str], kind: str, undo_id: str, now: datetime
) -> dict[str, Any]:
    """Put the cancellation back and remove what the action added (discount or pause)."""
    params = rollback_update(before, now)
    if added_discounts:
        keep = [d for d in sub.discount_ids if d not in added_discounts]
        params["discounts"] = [{"discount": d} for d in keep] if keep else ""
    if kind == "pause" and sub.paused:
        params["pause_collection"] = ""
    # the desk's state as it was before the save ("" deletes the key: new), and the undo as its last change
    desk_back = {desk.STATE: str(before.get("desk_state") or ""), desk.LAST: f"undo|{undo_id}|{desk.stamp_of(now)}"}
    params["metadata"] = stamp.for_undo(undo_id, now) | desk_back
    return params
