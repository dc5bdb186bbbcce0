"""The save desk a team shares through Stripe: who owns a pending cancellation, where it stands, when to follow up,
the latest note. Kept in the subscription's metadata (`churn_console_desk_*`), so every console reads it back at its
next sync and there is no server of ours. Stripe's metadata: at most 50 keys, keys of at most 40 characters, values
of at most 500, and "" deletes a key (https://docs.stripe.com/api/metadata); an update changes only the keys sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PREFIX = "churn_console_desk_"
OWNER, SINCE, STATE, CONTACT, FOLLOW_UP, NOTE, LAST = (
    PREFIX + k for k in ("owner", "since", "state", "contact", "follow_up", "note", "last")
)
KEYS = (OWNER, SINCE, STATE, CONTACT, FOLLOW_UP, NOTE, LAST)
STATES = ("new", "contacted", "waiting", "declined", "saved", "lost")
STATE_WORDS = {
    "new": "New",
    "contacted": "Contacted",
    "waiting": "Waiting for reply",
    "declined": "Declined",
    "saved": "Saved",
    "lost": "Lost",
}
CONTACT_CODE = "desk:contact"  # the journal's code for a contact, whichever path recorded it
CHANNELS = ("email", "call", "chat", "sms", "meeting", "ticket", "in_app")  # the consent step's channels are among them
LIMIT = 500  # Stripe's longest metadata value
LAPSE_DAYS = 7  # a claim with no activity for this long is free again (configurable: DeskSettings)
URGENT_DAYS = 3  # three or fewer days left and nobody has written: it stands out


@dataclass(frozen=True)
class Desk:
    """One subscription's desk state as its metadata holds it (all empty for a row nobody has touched)."""

    owner: str = ""
    since: datetime | None = None  # when the owner took it
    state: str = "new"
    channel: str = ""  # the last contact's channel
    contacted_at: datetime | None = None
    follow_up: date | None = None
    note: str = ""
    last_kind: str = ""  # what the last desk change was: take, release, note, contact, state
    last_by: str = ""
    last_at: datetime | None = None

    def active_at(self) -> datetime | None:
        """The last desk change (every take, note and contact writes it), else when it was taken."""
        return self.last_at or self.since

    def owner_now(self, now: datetime, lapse_days: int = LAPSE_DAYS) -> str:
        """The owner, or "" when nobody has it or the claim lapsed (no activity for `lapse_days`)."""
        active = self.active_at()
        if not self.owner or (active is not None and now - active > timedelta(days=lapse_days)):
            return ""
        return self.owner

    def due(self, ends_at: datetime, now: datetime) -> bool:
        """Needs someone today: its follow-up date has come, or three or fewer days are left and nobody has written."""
        if self.follow_up is not None and self.follow_up <= now.astimezone(UTC).date():
            return True
        return self.contacted_at is None and (ends_at - now).days <= URGENT_DAYS

    def claimed_words(self) -> str:
        """`Robin since 2026-11-28 09:12 UTC`."""
        return f"{self.owner} since {self.since:%Y-%m-%d %H:%M} UTC" if self.since else self.owner


NO_DESK = Desk()


def _time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value).astimezone(UTC) if value else None
    except ValueError:
        return None  # edited by hand: unknown, never a crash


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def read(metadata: Mapping[str, str]) -> Desk:
    """The desk state a subscription's metadata holds; what cannot be read is left out, never guessed."""
    channel, _, contacted = metadata.get(CONTACT, "").partition(" ")
    kind, by, at = _split_last(metadata.get(LAST, ""))
    state = metadata.get(STATE, "")
    return Desk(
        owner=metadata.get(OWNER, ""),
        since=_time(metadata.get(SINCE, "")),
        state=state if state in STATES else "new",
        channel=channel,
        contacted_at=_time(contacted),
        follow_up=_date(metadata.get(FOLLOW_UP, "")),
        note=metadata.get(NOTE, ""),
        last_kind=kind,
        last_by=by,
        last_at=_time(at),
    )


def _split_last(value: str) -> tuple[str, str, str]:
    """`note|Robin|2026-11-30T10:00:00+00:00` -> its three parts (a name may not hold "|": it is replaced)."""
    parts = value.split("|")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else ("", "", "")


def stamp_of(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds")


def sent_link(metadata: Mapping[str, str]) -> bool:
    """The desk's last change was a card-update link sent (a full sync records it for the recovery report; other
    desk changes need no reading at a full sync: only a row on a desk shows them)."""
    return metadata.get(LAST, "").startswith("card_link|")


def _last(kind: str, by: str, now: datetime) -> dict[str, str]:
    return {LAST: f"{kind}|{by.replace('|', '/')[:100]}|{stamp_of(now)}"}


def for_take(owner: str, now: datetime) -> dict[str, str]:
    return {OWNER: owner[:LIMIT], SINCE: stamp_of(now)} | _last("take", owner, now)


def for_release(by: str, now: datetime) -> dict[str, str]:
    return {OWNER: "", SINCE: ""} | _last("release", by, now)


def for_note(text: str, by: str, now: datetime, follow_up: date | None = None, state: str | None = None) -> dict[str, str]:
    """A note (the latest on Stripe, cut to 500 characters), and optionally the next follow-up and a new state."""
    values = {NOTE: text.strip()[:LIMIT]} | _last("note", by, now)
    if follow_up is not None:
        values[FOLLOW_UP] = follow_up.isoformat()
    if state is not None:
        values[STATE] = state
    return values


def for_contact(channel: str, by: str, now: datetime, follow_up: date | None = None, *, kind: str = "contact") -> dict[str, str]:
    """A contact attempt: the state moves to contacted, the channel and time are kept (no consent: nothing agreed).
    `kind` "card_link": the contact sent a card-update link (every console's recovery report credits the rep)."""
    values = {STATE: "contacted", CONTACT: f"{channel} {stamp_of(now)}"} | _last(kind, by, now)
    if follow_up is not None:
        values[FOLLOW_UP] = follow_up.isoformat()
    return values


def column_words(
    state: str,
    due: bool,
    follow_up: date | None,
    today: date,
    *,
    saved_before: bool = False,
    day: Callable[[date], str] = lambda d: f"{d:%d %b}",
) -> str:
    """The Desk column, in the window and in `churn-console queue`: `Due · Waiting for reply · today` (whether it is
    due, the state, the next follow-up), after `Saved before` for a customer the desk saved with a discount lately."""
    parts = ["Saved before"] if saved_before else []
    parts += ["Due"] if due else []
    if state != "new" or not due:
        parts.append(STATE_WORDS.get(state, state))
    if follow_up is not None:
        parts.append("today" if follow_up == today else day(follow_up))  # the window passes its locale's day
    return " · ".join(parts)


def changed(before: Mapping[str, str], after: Mapping[str, str]) -> bool:
    return any(before.get(k, "") != after.get(k, "") for k in KEYS)


def activity_words(desk: Desk) -> str:
    """The last desk change in words, for the timeline: `Robin took it`, `Sam wrote: …`, `Ana contacted by email`."""
    who = desk.last_by or "Someone"
    if desk.last_kind == "take":
        return f"{who} took it"
    if desk.last_kind == "release":
        return f"{who} released it"
    if desk.last_kind == "contact":
        return f"{who} contacted the customer by {desk.channel or 'an unknown channel'}"
    if desk.last_kind == "card_link":
        return f"{who} sent a card-update link by {desk.channel or 'an unknown channel'}"
    if desk.last_kind == "save":
        return f"{who} saved the customer"
    if desk.last_kind == "undo":
        return "The save was undone"
    if desk.last_kind == "note":
        follow = f" (follow up {desk.follow_up.isoformat()})" if desk.follow_up else ""
        return f"{who} noted: {desk.note}{follow}"
    return f"{who} changed it"
