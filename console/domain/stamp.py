"""The `churn_console_*` metadata every console writes on a subscription it saved, and reads back: the one place
those keys are spelled (Stripe: keys of at most 40 characters, values of at most 500, "" deletes a key)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

PREFIX = "churn_console_"
SAVE_KEYS = ("action", "offer", "operator", "at", "consent", "feedback", "variant")  # what a save writes, all of them
# "act_…|Robin|email|2026-11-23T14:02:00+00:00|in_…": a failed payment's subscription paused instead of lost, by whom,
# with what consent, for which invoice (consoles before the invoice was named wrote the first four). Its own key, not a save's: a save's keys make an intent saved (sync/intents.py).
FAILED_PAUSE = PREFIX + "failed_pause"
UNDONE = PREFIX + "undone"  # "act_… at 2026-11-23T14:02:00+00:00": which undo set the cancellation again
# "in_…|Robin|2026-11-23T14:02:00+00:00": a rep's Retry now paid this invoice of the subscription. Every console reads it
# at its next sync, so the recovery report credits the rep whichever console charged (issue 34 §2, by rep).
RETRIED = PREFIX + "retried"


@dataclass(frozen=True)
class Stamp:
    """What the last console save on a subscription recorded; `at` is when it was made (UTC), None when the
    time written there cannot be read (edited by hand)."""

    action_id: str
    offer: str
    operator: str
    at: datetime | None
    consent: str
    feedback: str
    variant: str = ""  # `experiment:label` when a playbook experiment assigned the offer (domain/experiments.py)

    def saved_by(self) -> str:
        """`saved by Robin at 2026-11-23 14:02 UTC (coupon:RETAIN25-3M)`."""
        when = f"{self.at:%Y-%m-%d %H:%M} UTC" if self.at else "an unknown time"
        return f"saved by {self.operator or 'another operator'} at {when} ({self.offer or '?'})"


def read(metadata: Mapping[str, str]) -> Stamp | None:
    """The save a subscription's metadata names, or None."""
    action = metadata.get(PREFIX + "action")
    if not action:
        return None
    try:
        at: datetime | None = datetime.fromisoformat(metadata.get(PREFIX + "at", "")).astimezone(UTC)
    except ValueError:
        at = None
    value = {key: metadata.get(PREFIX + key, "") for key in ("offer", "operator", "consent", "feedback", "variant")}
    return Stamp(action, value["offer"], value["operator"], at, value["consent"], value["feedback"], value["variant"])


def names(metadata: Mapping[str, str], action_id: str) -> bool:
    """Does the metadata name this action as the last save?"""
    return metadata.get(PREFIX + "action") == action_id


def has_save(metadata: Mapping[str, str]) -> bool:
    return bool(metadata.get(PREFIX + "action"))


def has_credit(metadata: Mapping[str, str]) -> bool:
    """A rep's Retry now or failed payment's pause is recorded on it (credits() reads them)."""
    return bool(metadata.get(RETRIED) or metadata.get(FAILED_PAUSE))


def for_save(
    action_id: str,
    offer_code: str,
    operator: str,
    channel: str | None,
    feedback: str | None,
    now: datetime,
    variant: str | None = None,
) -> dict[str, str]:
    """The keys a save writes (every one, so a later save replaces an earlier one whole)."""
    values = {
        "action": action_id,
        "offer": offer_code,
        "operator": operator[:500],
        "at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "consent": channel or "",
        "feedback": feedback or "",
        "variant": (variant or "")[:500],
    }
    return {PREFIX + k: v for k, v in values.items()}


def for_undo(undo_id: str, now: datetime) -> dict[str, str]:
    """An undo clears the save's keys and says which undo it was, and when."""
    cleared = {PREFIX + k: "" for k in SAVE_KEYS}
    return cleared | {UNDONE: f"{undo_id} at {now.astimezone(UTC).isoformat(timespec='seconds')}"}


def undone_by(metadata: Mapping[str, str]) -> tuple[str, datetime | None] | None:
    """(the undo's action id, when) from `churn_console_undone`, or None."""
    value = metadata.get(UNDONE, "")
    if not value:
        return None
    action, _, when = value.partition(" at ")
    try:
        return action, datetime.fromisoformat(when) if when else None
    except ValueError:
        return action, None


def for_failed_pause(action_id: str, operator: str, channel: str, now: datetime, invoice_id: str) -> dict[str, str]:
    """The metadata a failed payment's pause writes (FAILED_PAUSE), naming the invoice it was paused for."""
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    return {FAILED_PAUSE: "|".join((action_id, operator.replace("|", "/")[:100], channel, stamp, invoice_id))}


def failed_pause(metadata: Mapping[str, str]) -> str | None:
    """The action that paused this subscription after its payment failed, or None."""
    return metadata.get(FAILED_PAUSE, "").split("|", 1)[0] or None


@dataclass(frozen=True)
class Credit:
    """A rep's recovery action another console may have taken, as the subscription's metadata records it."""

    ref: str  # the retry's invoice, or the pause's action id
    operator: str
    at: datetime | None
    invoice: str | None  # the invoice it was for (None: a pause written before pauses named it)


def for_retried(invoice_id: str, operator: str, now: datetime) -> dict[str, str]:
    """The metadata a Retry now that paid writes (RETRIED)."""
    stamp = now.astimezone(UTC).isoformat(timespec="seconds")
    return {RETRIED: "|".join((invoice_id, operator.replace("|", "/")[:100], stamp))}


def credits(metadata: Mapping[str, str]) -> dict[str, Credit]:
    """What RETRIED and FAILED_PAUSE say (by name: "retried", "failed_pause"); a value edited out of shape is left out."""
    found: dict[str, Credit] = {}
    retried = metadata.get(RETRIED, "").split("|")
    if len(retried) == 3 and retried[0] and retried[1]:
        found["retried"] = Credit(retried[0], retried[1], _when(retried[2]), retried[0])
    paused = metadata.get(FAILED_PAUSE, "").split("|")
    if len(paused) in (4, 5) and paused[0] and paused[1]:
        found["failed_pause"] = Credit(paused[0], paused[1], _when(paused[3]), paused[4] if len(paused) == 5 else None)
    return found


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
