"""The save desk's writes: take, release, note, contact. Each re-reads the subscription, decides, and writes only
its desk keys (domain/desk.py) with an idempotency key, so a retry never writes twice and another console's keys
are left as they are (Stripe's metadata update changes only the keys it is sent). Two consoles on two machines can
take the same row at the same moment: Stripe keeps the last write, so a take reads the row back and says when
another console's claim landed after its own; the loser's next sync shows (and alerts) the owner."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from ..domain import desk
from ..domain.action import Action
from ..domain.models import Subscription
from ..errors import ConsoleError
from ..store import Cache
from ..store.journal import Journal
from ..store.schema import DatabaseError
from ..sync.state import record as record_state
from .locks import SubscriptionLocks
from .outcomes import recorded_later
from .steps import IDEMPOTENCY_WINDOW_S

NOBODY = "an operator"
PAYMENT_TROUBLE = (
    "past_due",
    "unpaid",
)  # on the failed-payments desk while not set to cancel  # services/operator.py's word for no name at all

if TYPE_CHECKING:
    from ..stripe_gateway import StripeGateway


EXPAND = ["customer", "discounts", "cancellation_details.feedback_option"]  # what StripeGateway.subscription expands


class DeskRefused(ConsoleError):
    """Nothing was written: someone else owns the row (and the take was not forced), or the input is wrong."""


@dataclass(frozen=True)
class DeskResult:
    """What one desk write did: the subscription as Stripe now holds it, in words, and whether another
    console's claim replaced this one's right after it was written."""

    subscription: Subscription
    words: str
    lost_to: str = ""  # the owner whose claim landed after this one's (two consoles taking at once)


class DeskWriter:
    def __init__(
        self,
        gateway: StripeGateway,
        cache: Cache,
        journal: Journal,
        operator: str,
        locks: SubscriptionLocks,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lapse_days: int = desk.LAPSE_DAYS,
    ) -> None:
        self.gateway, self.cache, self.journal, self.operator, self.locks = gateway, cache, journal, operator.strip(), locks
        self.clock, self.lapse_days = clock, lapse_days
        self.last_entry: Action | None = None  # the journal entry of the last write sent

    def take(self, sub_id: str, *, owner: str | None = None, force: bool = False) -> DeskResult:
        """Claim the row for `owner` (default: the operator). Someone else's live claim is refused unless forced."""
        name = (owner or self.operator).strip()
        if not name:
            raise DeskRefused("Your name is not set.", "Set it in Preferences (or --operator / --as).")
        with self.locks.held(sub_id):
            sub = self._pending(sub_id)
            now = self.clock()
            current = desk.read(sub.metadata).owner_now(now, self.lapse_days)
            if current == name:
                return DeskResult(sub, f"{_who(sub)} is already {name}'s")
            if current and not force:
                claimed = desk.read(sub.metadata).claimed_words()
                raise DeskRefused(
                    f"{_who(sub)} is already taken by {claimed}.",
                    "Nothing was changed. Take it anyway with --force (the window asks).",
                )
            written = self._write(sub, desk.for_take(name, now), "take", f"for {name}" if name != self.operator else "")
            back = self.gateway.subscription(sub_id)  # a take made at the same moment by another console wins if later
            try:
                self._record(back)
            except DatabaseError as exc:
                raise recorded_later(exc, "take") from exc
            now_owner = desk.read(back.metadata).owner
            if now_owner != name:
                return DeskResult(back, f"{_who(sub)} was taken by {now_owner} at the same moment", lost_to=now_owner)
            taken_from = f" (from {current})" if current else ""
            return DeskResult(written, f"{name} took {_who(sub)}{taken_from}")

    def release(self, sub_id: str) -> DeskResult:
        with self.locks.held(sub_id):
            sub = self.gateway.subscription(sub_id)
            if not desk.read(sub.metadata).owner:
                return DeskResult(sub, f"{_who(sub)} has no owner")
            written = self._write(sub, desk.for_release(self._name(), self.clock()), "release")
            return DeskResult(written, f"{self._name()} released {_who(sub)}")

    def note(self, sub_id: str, text: str, *, follow_up: date | None = None, state: str | None = None) -> DeskResult:
        """The latest note on Stripe (the history stays in every console's timeline, from the events)."""
        text = text.strip()
        if not text and follow_up is None and state is None:
            raise DeskRefused("The note is empty.", "Write what happened, or give a follow-up date or a state.")
        if len(text) > desk.LIMIT:
            raise DeskRefused(f"The note is {len(text)} characters; Stripe keeps at most {desk.LIMIT}.", "Shorten it.")
        if state is not None and state not in desk.STATES:
            raise DeskRefused(f"Unknown state {state!r}.", f"One of: {', '.join(desk.STATES)}.")
        with self.locks.held(sub_id):
            sub = self.gateway.subscription(sub_id)
            now = self.clock()
            self._check_date(follow_up, now)
            follow = f" (follow up {follow_up.isoformat()})" if follow_up else ""
            words = f"{text}{follow}" + (f" [{desk.STATE_WORDS[state]}]" if state else "")
            written = self._write(sub, desk.for_note(text, self._name(), now, follow_up, state), "note", words)
            return DeskResult(written, f"Note on {_who(sub)} saved")

    def contacted(
        self, sub_id: str, channel: str, *, follow_up: date | None = None, note: str | None = None, link: bool = False
    ) -> DeskResult:
        """A contact attempt: the state moves to contacted; nothing is agreed, so no consent is recorded. With
        `note`, it is the latest note too (one write: an e-mail sent is one change on the desk). `link`: it sent a
        card-update link, and the desk's metadata says so (what another console's recovery report credits)."""
        if channel not in desk.CHANNELS:
            raise DeskRefused(f"Unknown channel {channel!r}.", f"One of: {', '.join(desk.CHANNELS)}.")
        with self.locks.held(sub_id):
            sub = self._pending(sub_id)
            now = self.clock()
            self._check_date(follow_up, now)
            values = desk.for_contact(channel, self._name(), now, follow_up, kind="card_link" if link else "contact")
            if note:
                values[desk.NOTE] = note.strip()[: desk.LIMIT]
            written = self._write(sub, values, "contact", note or "", channel=channel)
            saved = f". Note on {_who(sub)} saved." if note else ""
            return DeskResult(written, f"{_who(sub)}: contacted by {channel}{saved}")

    # internals -------------------------------------------------------------------------------
    def _name(self) -> str:
        if not self.operator:
            raise DeskRefused("Your name is not set.", "Set it in Preferences (or --operator).")
        return self.operator

    def _pending(self, sub_id: str) -> Subscription:
        """The subscription as just re-read, refused unless it is still on a desk: set to cancel (the churn queue), or
        its payment failing (past due or unpaid: the failed-payments queue, domain/failed.py)."""
        sub = self.gateway.subscription(sub_id)
        if not sub.pending_cancellation and (sub.ended or sub.status not in PAYMENT_TROUBLE):
            state = "has ended" if sub.ended else "is no longer set to cancel"
            raise DeskRefused(f"{_who(sub)} {state}.", "Nothing was changed; sync to see it leave the queue.")
        return sub

    @staticmethod
    def _check_date(follow_up: date | None, now: datetime) -> None:
        """A date in the past is refused; "today" where the rep is may be yesterday in UTC (up to 14 hours behind)."""
        if follow_up is not None and follow_up < (now - timedelta(days=1)).date():
            raise DeskRefused(f"The follow-up date {follow_up.isoformat()} has passed.", "Give today or a later date.")

    def _write(
        self, sub: Subscription, values: dict[str, str], what: str, note: str = "", channel: str | None = None
    ) -> Subscription:
        """Journal the desk write (pending, with its idempotency key), send it, record the new state, then mark it
        applied. A local write that fails after Stripe's answer leaves it pending: the next start sends it again
        with the same key (Stripe replays the answer, nothing is written twice) and records it (finish_interrupted)."""
        key = f"churn-console-desk-{uuid.uuid4()}"  # retried by the SDK with the same key: never written twice
        params = {"metadata": values, "expand": EXPAND}  # as a re-read is expanded: the cached name and e-mail stay
        now = int(self.clock().timestamp())
        entry = self.journal.add(
            Action(
                id=f"act_{uuid.uuid4().hex[:20]}", created_at=now, operator=self.operator or NOBODY, subscription_id=sub.id,
                customer_id=sub.customer_id, customer_name=sub.customer_name, kind="desk", offer_code=f"desk:{what}",
                consent_channel=channel, consent_note=note[:500] or None, idempotency_key=key,
                livemode=self.gateway.livemode, mrr_minor=sub.mrr_minor, currency=sub.currency, params=params,
                before={"desk_owner": desk.read(sub.metadata).owner}, state="pending",
            )
        )  # fmt: skip
        return self._send(entry)

    def _send(self, entry: Action) -> Subscription:
        try:
            written, request_id, _ = self.gateway.update_subscription(entry.subscription_id, entry.params, entry.idempotency_key)
        except ConsoleError as exc:
            self.journal.update(entry, state="failed", error=str(exc), retryable=False)
            raise
        try:
            self._record(written)
            self.journal.update(entry, state="applied", request_id=request_id, applied_at=int(self.clock().timestamp()))
        except DatabaseError as exc:
            raise recorded_later(exc, entry.offer_code.removeprefix("desk:"), entry.id) from exc
        self.last_entry = self.journal.get(entry.id) or entry
        return written

    def finish_interrupted(self) -> list[Action]:
        """Desk writes journaled but not marked applied (a crash, a full disk): sent again with their own key
        inside Stripe's 24-hour idempotency window (a replay writes nothing twice), else left failed."""
        done = []
        for entry in self.journal.in_state("pending"):
            if entry.kind != "desk":
                continue
            with self.locks.if_free(entry.subscription_id) as mine:
                if not mine:  # being sent right now by a live console
                    continue
                if self.clock().timestamp() - entry.created_at >= IDEMPOTENCY_WINDOW_S:
                    done.append(self.journal.update(entry, state="failed", error="Interrupted; not sent again after a day."))
                    continue
                self._send(entry)
                done.append(self.journal.get(entry.id) or entry)
        return done

    def _record(self, sub: Subscription) -> None:
        now = int(self.clock().timestamp())
        with self.cache.transaction():
            record_state(self.cache, [sub], now)  # the owner shows here at once, in other consoles at their next sync


def _who(sub: Subscription) -> str:
    return sub.customer_name or sub.customer_email or sub.id
