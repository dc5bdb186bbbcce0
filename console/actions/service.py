"""Actions: journal first (id + idempotency key), then Stripe, then the journal again. Never twice."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain import stamp
from ..domain.action import KIND_OF_OFFER, UNDOABLE, Action, ActionKind, Consent
from ..domain.models import Subscription
from ..domain.offers import CONSENT_CHANNELS, Offer, action_words, retention_flow
from ..errors import ConsoleError
from ..store import Cache
from ..store.journal import Journal
from ..store.schema import DatabaseError
from ..sync.state import record as record_state
from . import requests, steps
from .checks import ActionRefused as ActionRefused  # re-exported: every surface says why an action was refused
from .checks import check_consent, coupon_for, reread
from .desk import DeskWriter
from .locks import SubscriptionLocks
from .outcomes import read_back, recorded_later

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
RETRYABLE = steps.RETRYABLE
IDEMPOTENCY_WINDOW_S = steps.IDEMPOTENCY_WINDOW_S
RACE_S = 3600  # two consoles acting on one pending cancellation act within this of each other


class Actions:
    """Applies offers to one account. `operator` is the person named in the journal and the metadata."""

    def __init__(
        self,
        gateway: StripeGateway,
        cache: Cache,
        journal: Journal,
        operator: str,
        clock: Callable[[], float] = time.time,
        guard: Callable[[str], str | None] = lambda _sub_id: None,
        assign: Callable[[str], str | None] = lambda _sub_id: None,
    ) -> None:
        self.guard = guard  # why a second discount is not given to this subscription, or None (Workspace.guard)
        self.assign = assign  # the experiment variant a save records for the row (Workspace.variant_of), or None
        self.gateway = gateway
        self.cache = cache
        self.journal = journal
        self.operator = operator.strip()
        self.clock = clock
        self.locks = SubscriptionLocks(journal.path.parent / "locks")

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    # the actions ---------------------------------------------------------------------------
    def apply(self, sub_id: str, offer: Offer, consent: Consent | None, *, second_discount: bool = False) -> Action:
        """Revoke the pending cancellation with this offer, in one Stripe request. A discount for a customer the
        desk saved with one lately is refused unless `second_discount` (the playbook's guardrail)."""
        if offer.kind == "coupon" and not second_discount and (why := self.guard(sub_id)):
            raise ActionRefused(
                why, "Offer a pause or a contact instead, or confirm a second discount.", {"second_discount": why}
            )
        now = self._now()
        if problems := offer.problems(now):
            raise ActionRefused("This offer cannot be sent as it is.", "Correct each field listed, then try again.", problems)
        kind = KIND_OF_OFFER[offer.kind]
        self._check_consent(consent, required=kind != "contact")  # a contact changes nothing, but is journaled
        if kind == "contact":
            return self._record_contact(sub_id, consent)
        with self.locks.held(sub_id):  # another console on this machine finishes first; then this one re-reads
            action = self._apply(sub_id, offer, consent, kind, now)
            if action.kind in UNDOABLE and action.state == "applied":
                return read_back(self.gateway, self.cache, self.journal, action, self.clock)
            return action

    def _apply(self, sub_id: str, offer: Offer, consent: Consent | None, kind: ActionKind, now: datetime) -> Action:
        sub = self._reread(sub_id)
        action_id = f"act_{uuid.uuid4().hex[:20]}"
        if offer.pauses_subscription and (why := sub.pause_blocker):
            raise ActionRefused(why, "Nothing was sent.", {"pause": why})
        coupon_id, coupon_params = coupon_for(self.gateway, offer, sub, action_id)
        channel = consent.channel if consent else None
        metadata = requests.metadata_for(action_id, offer, self.operator, channel, sub, now, self.assign(sub_id))
        params = {"coupon": coupon_params, "update": requests.save_update(sub, offer, coupon_id, metadata, now)}
        if offer.pauses_subscription:
            params["pause"] = requests.pause_request()
        code = offer.code if offer.kind != "coupon" else f"coupon:{coupon_id}"
        action = self._entry(action_id, sub, kind, code, consent, now, params)
        return self._journal_and_send(action, sub)  # the id and key are durable before any request

    def undo(self, action_id: str) -> Action:
        """Restore the cancellation and remove the discount or pause the action added."""
        original = self.journal.get(action_id)
        if original is None:
            raise ActionRefused(
                f"There is no action {action_id} in this account's journal.", "`churn-console journal` lists them."
            )
        if original.kind not in UNDOABLE or original.state != "applied" or original.failed_desk:
            raise ActionRefused(
                f"Action {action_id} is {original.state} ({original.kind}); only applied saves, pauses and revokes can be undone."
            )
        with self.locks.held(original.subscription_id):
            return self._undo(original)

    def _undo(self, original: Action) -> Action:
        now = self._now()
        sub = self.gateway.subscription(original.subscription_id)
        if sub.ended:
            raise ActionRefused("The subscription has ended; there is nothing to undo.")
        if sub.pending_cancellation:
            raise ActionRefused("The subscription is already set to cancel again.", "Nothing was changed.")
        if not stamp.names(sub.metadata, original.id):
            raise ActionRefused(
                "The subscription was changed by another action since.", "Review it in the Dashboard before undoing."
            )
        undo_id = f"act_{uuid.uuid4().hex[:20]}"
        update = requests.undo_update(
            sub, original.before, original.before.get("added_discounts", []), original.kind, undo_id, now
        )
        params: dict[str, Any] = {"coupon": None, "update": update}
        if sub.status == "paused" and "pause" in original.params:
            params["resume"] = requests.resume_request()  # first: Stripe will not set a paused subscription to cancel
        action = self._entry(undo_id, sub, "undo", f"undo:{original.offer_code}", None, now, params, undo_of=original.id)
        return self._journal_and_send(action, sub)  # _applied marks the original undone

    def retry(self, action_id: str) -> Action:
        """Send a failed (or interrupted) action again with the same key and params."""
        action = self.journal.get(action_id)
        if action is None:
            raise ActionRefused(f"There is no action {action_id} in this account's journal.")
        if action.state == "applied":
            return action
        if action.failed_desk:  # a failed payment's charge or pause: its own way, never a second charge (Recovery)
            raise ActionRefused(f"Action {action_id} is the failed-payments desk's: it sends it again.")
        if action.state not in ("pending", "failed"):
            raise ActionRefused(f"Action {action_id} is {action.state}; only failed or interrupted actions are retried.")
        with self.locks.held(action.subscription_id):
            return self._resume(self.journal.get(action_id) or action)

    def recover(self) -> list[Action]:
        """After a crash: finish or report every action that was journaled but not recorded as done."""
        done = []
        for action in self.journal.in_state("pending"):
            if action.kind == "desk" or action.failed_desk:  # DeskWriter.finish_interrupted; Recovery, FailedPause
                continue
            with self.locks.if_free(action.subscription_id) as mine:
                if not mine:  # being sent right now by a live console (this process's window, or another one)
                    continue
                current = self.journal.get(action.id) or action
                if current.state != "pending":  # finished while this one waited for the lock
                    continue
                try:
                    done.append(self._resume(current))
                except ConsoleError as exc:
                    log.warning("could not finish interrupted action %s: %s", action.id, exc)
                    done.append(self.journal.get(action.id) or action)
        done.extend(self._reconcile_failed())
        return done

    def portal_link(
        self,
        customer_id: str,
        *,
        configuration: str | None = None,
        retention_coupon: str | None = None,
        subscription: str | None = None,
    ) -> str:
        """A one-time portal URL; with a retention coupon, a deep link to the cancel flow that offers it."""
        flow = None
        if retention_coupon:
            if not subscription:
                raise ActionRefused("A retention offer needs the subscription it is for.", problems={"subscription": "required"})
            flow = retention_flow(subscription, retention_coupon)
        return self.gateway.portal_session(customer_id, configuration=configuration, flow=flow)

    # internals -----------------------------------------------------------------------------------
    def _check_consent(self, consent: Consent | None, *, required: bool = True) -> None:
        check_consent(self.operator, consent, required=required)

    def _reread(self, sub_id: str) -> Subscription:
        """The subscription as Stripe holds it now, refused unless still set to cancel (actions/checks.py)."""
        return reread(self.gateway, sub_id)

    def _entry(
        self,
        action_id: str,
        sub: Subscription,
        kind: ActionKind,
        code: str,
        consent: Consent | None,
        now: datetime,
        params: dict[str, Any],
        **extra: Any,
    ) -> Action:
        """A journal entry with a fresh idempotency key, and what undo will need to put back."""
        return Action(
            id=action_id,
            created_at=int(now.timestamp()),
            operator=self.operator,
            subscription_id=sub.id,
            customer_id=sub.customer_id,
            customer_name=sub.customer_name,
            kind=kind,
            offer_code=code,
            consent_channel=consent.channel if consent else None,
            consent_note=consent.note if consent else None,
            idempotency_key=f"churn-console-{uuid.uuid4()}",
            livemode=self.gateway.livemode,
            mrr_minor=sub.mrr_minor,
            currency=sub.currency,
            params=params,
            before=requests.before_of(sub),
            **extra,
        )

    def _record_contact(self, sub_id: str, consent: Consent | None) -> Action:
        """A contact, whichever path records it (the offer "Contact the customer", the desk's Contacted, an e-mail
        written): the save desk's one use case (DeskWriter.contacted), so the row's desk state, last contact and
        timeline move the same way, and the journal holds it once."""
        if consent is None:
            raise ActionRefused(
                "Say how you reached the customer.", f"One of: {', '.join(CONSENT_CHANNELS)}.", {"consent": "required"}
            )
        writer = DeskWriter(self.gateway, self.cache, self.journal, self.operator, self.locks)
        writer.contacted(sub_id, consent.channel, note=consent.note)
        assert writer.last_entry is not None  # contacted() journals its write
        return writer.last_entry

    def _resume(self, action: Action) -> Action:
        """Look at Stripe before sending again, so nothing applies twice.

        Already applied (its metadata is there): inside Stripe's 24-hour idempotency window, send the
        same request with the same key to get the original response back (Stripe replays it and changes
        nothing); after it, just record it. Not applied, and the state moved: refuse. Else send.
        """
        sub = self.gateway.subscription(action.subscription_id)
        if steps.landed(action, sub):
            return self._confirm(action, sub)
        if action.kind != "undo" and not sub.pending_cancellation and not steps.half_done(action, sub):
            return self.journal.update(action, state="refused", error="No longer set to cancel: not sent again.", retryable=False)
        return self._send(action, sub)

    def _confirm(self, action: Action, sub: Subscription) -> Action:
        """An action Stripe holds: inside the 24-hour idempotency window, the same request with the same key
        gets the original response back (a replay changes nothing); after it, it is just recorded."""
        if self.clock() - action.created_at < IDEMPOTENCY_WINDOW_S:
            return self._send(action, sub)
        return self._applied(action, sub, None)

    def reconcile_overridden(self, since_s: float = 7 * 86400) -> list[Action]:
        """Saves another console replaced right after (two operators, two machines, one customer): the cache,
        just synced, names the other action on the subscription. Each is marked `overridden`, saying who saved."""
        out = []
        for action in self.journal.in_state("applied"):
            if action.kind not in UNDOABLE or action.created_at < self.clock() - since_s:
                continue
            sub = self.cache.subscription(action.subscription_id)
            other = stamp.read(sub.metadata) if sub else None
            if other is None or other.action_id == action.id or other.at is None:
                continue
            # Stripe keeps the last write, so another action named there landed after this one, even when it was
            # created a little earlier (its console was slower to send): within RACE_S of this one, or after it.
            if other.at.timestamp() >= action.created_at - RACE_S:
                note = f"Another console's save replaced it: {other.saved_by()}."
                out.append(self.journal.update(action, state="overridden", error=note))
        return out

    def unsettled_failures(self) -> list[Action]:
        """Failures with no answer inside Stripe's 24-hour idempotency window: they may yet show as applied."""
        horizon = self.clock() - IDEMPOTENCY_WINDOW_S
        return [a for a in self.journal.in_state("failed") if a.retryable and a.created_at >= horizon and not a.failed_desk]

    def _reconcile_failed(self) -> list[Action]:
        """A failure with no answer (offline, 5xx, dropped) may still have been applied by Stripe: re-read,
        and record what landed. What did not land stays failed (retrying is the operator's choice)."""
        out = []
        for action in self.unsettled_failures():
            with self.locks.if_free(action.subscription_id) as mine:
                if not mine:
                    continue
                try:
                    sub = self.gateway.subscription(action.subscription_id)
                    if steps.landed(action, sub):
                        out.append(self._confirm(action, sub))
                except ConsoleError as exc:
                    log.warning("could not check failed action %s: %s", action.id, exc)
        return out

    def _journal_and_send(self, action: Action, sub: Subscription) -> Action:
        """Called with the subscription's lock held: recover() in any process leaves the action alone meanwhile."""
        self.journal.add(action)
        return self._send(action, sub)

    def _send(self, action: Action, sub: Subscription) -> Action:
        with steps.attempt(self.journal, action):
            sub, request_id, replayed = steps.send(self.gateway, action, sub, self._now, self.cache.upsert_coupon)
        if replayed:
            log.info("action %s: Stripe replayed the first response (already applied)", action.id)
        try:
            return self._applied(action, sub, request_id)
        except DatabaseError as exc:  # Stripe holds it: "nothing was changed" would be untrue
            raise recorded_later(exc, action_words(action.kind, action.offer_code, {}), action.id) from exc

    def _applied(self, action: Action, sub: Subscription, request_id: str | None) -> Action:
        """Stripe holds the action: the cache first, the journal last. A write that fails here (disk full, a lock)
        leaves the journal's entry pending, so the next start finishes it (Stripe replays the same key) and writes
        the cache again (every write below is idempotent): nothing is lost and nothing is sent twice."""
        before = dict(action.before)
        before["added_discounts"] = [d for d in sub.discount_ids if d not in before.get("discount_ids", [])]
        now = int(self.clock())
        original = self.journal.get(action.undo_of) if action.undo_of else None
        self._record_applied(action, original, sub, now)
        if original is not None and original.state != "undone":  # also when an undo is finished by recover()
            self.journal.update(original, state="undone", undone_by=action.id)  # before the undo's own entry: see above
        self.journal.update(
            action,
            state="applied",
            request_id=request_id,
            applied_at=now,
            error=None,
            retryable=False,
            before=before,
        )
        return self.journal.get(action.id) or action

    def _record_applied(self, action: Action, original: Action | None, sub: Subscription, now: int) -> None:
        with self.cache.transaction():
            if original is not None:  # the customer's ask stands again, from when they asked, not from the undo
                for intent in self.cache.intents_for(sub.id):
                    if intent["action_id"] == original.id:
                        self.cache.reopen_intent(intent["id"])
                what = action_words(original.kind, original.offer_code, {c.id: c for c in self.cache.coupons()}).lower()
                detail = {"operator": action.operator, "what": what}
                self.cache.add_timeline(f"{sub.id}:undone:{action.id}", sub.id, now, "save_undone", detail)
            record_state(self.cache, [sub], now)  # the new state, as sync records it
