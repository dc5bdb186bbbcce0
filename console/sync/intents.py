"""Cancellation intents and the timeline, derived from what sync sees (states and events)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from ..domain import desk, stamp
from ..domain.models import Subscription
from ..store import Cache

SAVE_WINDOW_S = 2 * 86400  # a console save this close to a revoke explains it
UNDO_WINDOW_S = 300  # Stripe's canceled_at after an undo is the undo's own moment, within a request or two


def _epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def was_pending(after: Subscription, previous: dict[str, Any]) -> bool:
    """Whether the subscription was pending before an event, from its previous_attributes."""
    if after.ended:
        return after.cancel_reason == "cancellation_requested" and "canceled_at" not in previous
    cape = previous.get("cancel_at_period_end", after.cancel_at_period_end)
    cancel_at = previous["cancel_at"] if "cancel_at" in previous else _epoch(after.cancel_at)
    return bool(cape) or cancel_at is not None


def console_save(sub: Subscription) -> dict[str, Any] | None:
    """The churn_console_* metadata an operator's save left on the subscription, if any (domain/stamp.py)."""
    found = stamp.read(sub.metadata)
    if found is None or found.at is None:
        return None
    return {
        "action_id": found.action_id,
        "offer": found.offer or None,
        "operator": found.operator or None,
        "consent": found.consent or None,
        "feedback": found.feedback or None,
        "variant": found.variant or None,
        "at": int(found.at.timestamp()),
    }


def observe(cache: Cache, after: Subscription, at: int, *, previous: dict[str, Any] | None = None) -> None:
    """Record what a subscription's state (seen at `at`, or after an event) says about its intents."""
    _record_desk(cache, after)
    _record_credits(cache, after)
    save = console_save(after)
    if save:
        _record_console_save(cache, after, save)
    if after.pending_cancellation:
        _schedule(cache, after, _epoch(after.canceled_at) or at)
    elif after.ended:
        _end(cache, after)
    elif previous is None or was_pending(after, previous):
        _revoke(cache, after, at, save)  # a no-op unless an intent is open


def _record_desk(cache: Cache, sub: Subscription) -> None:
    """The save desk's last change (domain/desk.py), once per change: every console that sees the state (its own
    write, an event, a full sync) adds the same entry, so the timeline holds the team's history, not only the
    latest note Stripe keeps."""
    found = desk.read(sub.metadata)
    if found.last_at is None or not found.last_kind:
        return
    at = int(found.last_at.timestamp())
    detail = {"words": desk.activity_words(found), "by": found.last_by, "kind": found.last_kind}
    cache.add_timeline(f"{sub.id}:desk:{at}:{found.last_kind}:{found.last_by}", sub.id, at, "desk", detail)


def _record_credits(cache: Cache, sub: Subscription) -> None:
    """A rep's Retry now that paid, or a failed payment's pause, as the subscription's metadata records it (whichever
    console did it): a line on the timeline, once each, that the recovery report credits the rep from."""
    for name, found in stamp.credits(sub.metadata).items():
        if found.at is None:
            continue
        at = int(found.at.timestamp())
        detail = {"operator": found.operator, "ref": found.ref, "invoice": found.invoice}
        cache.add_timeline(f"{sub.id}:{name}:{found.ref}", sub.id, at, f"credit_{name}", detail)


def _schedule(cache: Cache, sub: Subscription, scheduled: int) -> None:
    if (open_ := cache.open_intent(sub.id)) is not None and open_["id"] != f"{sub.id}:{scheduled}":
        return  # the same ask, open again (a save was undone): not a second "Asked to cancel"
    if (undone_at := _undone_at(sub)) is not None and abs(undone_at - scheduled) <= UNDO_WINDOW_S:
        saved = [i for i in cache.intents_for(sub.id) if i["resolution"] == "saved" and i["scheduled_at"] <= scheduled]
        if saved:  # set to cancel again by an undo (this console's or another's): the customer's ask reopens
            cache.reopen_intent(saved[-1]["id"])
            return
    cache.add_intent(
        {
            "id": f"{sub.id}:{scheduled}",
            "subscription_id": sub.id,
            "customer_id": sub.customer_id,
            "scheduled_at": scheduled,
            "feedback": sub.feedback,
            "comment": sub.comment,
            "feedback_option": sub.feedback_option,
            "feedback_text": sub.feedback_text,
            "mrr_minor": sub.mrr_minor,
            "currency": sub.currency,
            "resolution": "pending",
            "source": "sync",
        }
    )
    cache.add_timeline(
        f"{sub.id}:cancel_scheduled:{scheduled}",
        sub.id,
        scheduled,
        "cancel_scheduled",
        {"feedback": sub.feedback, "comment": sub.comment, "ends_at": _epoch(sub.ends_at)},
    )


def _undone_at(sub: Subscription) -> int | None:
    """When a console's undo set the cancellation again (`churn_console_undone`: "act_… at ISO")."""
    undone = stamp.undone_by(sub.metadata)
    return int(undone[1].timestamp()) if undone and undone[1] else None


def _open_before(cache: Cache, sub_id: str, at: int) -> dict[str, Any] | None:
    intent = cache.open_intent(sub_id)
    return intent if intent and intent["scheduled_at"] <= at else None


def _revoke(cache: Cache, sub: Subscription, at: int, save: dict[str, Any] | None) -> None:
    intent = _open_before(cache, sub.id, at)
    if intent is None:
        return
    if save and abs(save["at"] - at) <= SAVE_WINDOW_S and save["at"] >= intent["scheduled_at"] - SAVE_WINDOW_S:
        cache.resolve_intent(intent["id"], "saved", at, offer=save["offer"], action_id=save["action_id"], variant=save["variant"])
        # the intent first made from the metadata alone (before its events were read) is this same save
        for other in cache.intents_for(sub.id):
            if other["action_id"] == save["action_id"] and other["source"] == "metadata" and other["id"] != intent["id"]:
                cache.delete_intent(other["id"])
        return
    cache.resolve_intent(intent["id"], "revoked", at)
    cache.add_timeline(f"{sub.id}:cancel_revoked:{at}", sub.id, at, "cancel_revoked", {})


def _end(cache: Cache, sub: Subscription) -> None:
    ended = _epoch(sub.ended_at)
    if ended is None:
        return
    intent = _open_before(cache, sub.id, ended)
    if intent is not None:
        cache.resolve_intent(intent["id"], "ended", ended)
    elif sub.cancel_reason == "cancellation_requested" and sub.canceled_at is not None:
        scheduled = _epoch(sub.canceled_at) or ended
        if cache.intent(f"{sub.id}:{scheduled}") is None:
            _schedule(cache, sub, scheduled)
            cache.resolve_intent(f"{sub.id}:{scheduled}", "ended", ended)
    cache.add_timeline(f"{sub.id}:ended:{ended}", sub.id, ended, "ended", {"reason": sub.cancel_reason})


def _record_console_save(cache: Cache, sub: Subscription, save: dict[str, Any]) -> None:
    """A save by any console: the timeline shows it, and an intent exists for the outcomes even
    when the cancellation itself happened before Stripe's 30-day event window."""
    cache.add_timeline(
        f"{sub.id}:console_save:{save['action_id']}",
        sub.id,
        save["at"],
        "console_save",
        {k: save[k] for k in ("offer", "operator", "consent", "action_id")},
    )
    known = [i for i in cache.intents_for(sub.id) if i["action_id"] == save["action_id"]]
    asked = _epoch(sub.canceled_at)
    # pending with a save's stamp: the save is an earlier intent when it came before this ask (saved, then asked
    # to cancel again); a stamp newer than the ask is a save still being read back, or undone outside a console
    if known or (sub.pending_cancellation and (asked is None or save["at"] >= asked - SAVE_WINDOW_S)):
        return
    covering = [
        i for i in cache.intents_for(sub.id) if i["scheduled_at"] <= save["at"] and i["resolution"] in ("pending", "revoked")
    ]
    if covering:
        cache.resolve_intent(
            covering[-1]["id"], "saved", save["at"], offer=save["offer"], action_id=save["action_id"], variant=save["variant"]
        )
        return
    intent_id = f"{sub.id}:{save['at']}"
    cache.add_intent(
        {
            "id": intent_id,
            "subscription_id": sub.id,
            "customer_id": sub.customer_id,
            "scheduled_at": save["at"],
            "feedback": save["feedback"] or sub.feedback,
            "comment": None,
            "feedback_option": sub.feedback_option,
            "feedback_text": sub.feedback_text,
            "mrr_minor": cache.valued(before_save(sub, save["offer"])).mrr_minor,
            "currency": sub.currency,
            "resolution": "saved",
            "resolved_at": save["at"],
            "offer": save["offer"],
            "action_id": save["action_id"],
            "variant": save["variant"],
            "source": "metadata",
        }
    )


def observe_change_for_timeline(cache: Cache, sub: Subscription, event_id: str, at: int, previous: dict[str, Any]) -> None:
    """Timeline entries for discounts and pauses (of collection, or of the subscription) that an event shows."""
    if "discounts" in previous:
        cache.add_timeline(
            f"{event_id}:discounts",
            sub.id,
            at,
            "discounts_changed",
            {"coupons": list(sub.coupon_ids), "discounts": list(sub.discount_ids)},
        )
    if "pause_collection" in previous:
        kind = "paused" if sub.paused else "pause_removed"
        cache.add_timeline(f"{event_id}:pause", sub.id, at, kind, {"resumes_at": _epoch(sub.pause_resumes_at)})
    if "status" in previous and "paused" in (previous["status"], sub.status):  # a real pause, or its end
        kind = "subscription_paused" if sub.status == "paused" else "subscription_resumed"
        # Stripe sends `.paused` (or `.resumed`) and `.updated` for one change: one entry for both
        cache.add_timeline(f"{sub.id}:{kind}:{at}", sub.id, at, kind, {})


def before_save(sub: Subscription, offer: str | None) -> Subscription:
    """The subscription as it was at stake: without the coupon the save itself added (MRR at stake is
    what the customer paid when they asked to cancel, as an intent read from events records it)."""
    coupon = offer[len("coupon:") :] if offer and offer.startswith("coupon:") else None
    if coupon is None or coupon not in sub.coupon_ids:
        return sub
    i = len(sub.coupon_ids) - 1 - sub.coupon_ids[::-1].index(coupon)

    def drop(values: tuple[Any, ...]) -> tuple[Any, ...]:
        return values[:i] + values[i + 1 :] if len(values) > i else values

    return dataclasses.replace(
        sub, coupon_ids=drop(sub.coupon_ids), discount_ids=drop(sub.discount_ids), discount_ends=drop(sub.discount_ends), mrr=None
    )
