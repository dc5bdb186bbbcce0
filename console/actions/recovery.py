"""The failed-payments desk's charges: "retry now" (one charge, never two for one click) and "paid another way",
each journaled before it is sent with its own idempotency key, decided on the invoice as Stripe holds it now (another
console, or Stripe's own retry, may have moved it), and recorded in the cache as Stripe answered (issue 33 §3)."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..domain import dunning, stamp
from ..domain.action import Action
from ..domain.failed import FailedRow, LastDecline
from ..domain.money import format_money
from ..errors import ConsoleError
from ..store import Cache
from ..store.journal import Journal
from ..store.schema import DatabaseError
from . import steps
from .checks import ActionRefused
from .locks import SubscriptionLocks
from .outcomes import recorded_later
from .steps import attempt

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway
    from ..stripe_gateway.failed_calls import Paid

log = logging.getLogger(__name__)
NOTE_LIMIT = 500


def failed_row(cache: Cache, ref: str) -> FailedRow:
    """The failed-payments row an invoice or subscription id names (from the cache), or why there is none: one left to
    Stripe alone (the hold-out) is refused, so no rep's action spoils the comparison."""
    ref = ref.strip()
    found = cache.failed_rows(cache.livemode, ref=ref)
    if not found and cache.failed_rows(cache.livemode, ref=ref, holdout=True):
        raise ActionRefused(
            f"{ref} is left to Stripe alone: the hold-out measures what the desk adds, and acting on it would spoil that.",
            "Nothing was sent. Its row is in the hold-out's view (`churn-console failed --holdout`), for reading only.",
            {"holdout": "left to Stripe"},
        )
    if not found:
        raise ActionRefused(
            f"{ref or 'That'} is not in the failed-payments queue.",
            "Give an invoice (in_…) or subscription (sub_…) id that `churn-console failed` lists; sync first if it failed just now.",
        )
    return found[0]


class Recovery:
    """Charges on one account's failed invoices; `operator` is named in the journal."""

    def __init__(
        self, gateway: StripeGateway, cache: Cache, journal: Journal, operator: str, locks: SubscriptionLocks,
        clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.gateway, self.cache, self.journal, self.locks, self.clock = gateway, cache, journal, locks, clock
        self.operator = operator.strip()

    def row(self, ref: str) -> FailedRow:
        """The failed-payments row an invoice or subscription id names (from the cache), or why there is none."""
        return failed_row(self.cache, ref)

    def retry_now(self, ref: str) -> Action:
        """Charge the invoice's card now: refused for a closed invoice, a hard decline with no new card, or within an
        hour of Stripe's own retry (dunning.retry_refusal), decided on the invoice as just re-read."""
        self._need_operator()
        row = self.row(ref)
        with self.locks.held(row.subscription_id):
            now = int(self.clock())
            current = dataclasses.replace(row, collection=self.gateway.invoice_collection(row.collection.invoice_id))
            current, use = self._card_now(current)
            if (why := dunning.retry_refusal(current.failure(), now)) is not None:
                self._keep(current)  # what the re-read found stays known, whatever it said
                raise ActionRefused(why, "Nothing was charged.", {"retry": why})
            action = self._entry(current, "charge:retry", now, card=use)
            self.journal.add(action)  # the id and key are durable before the charge
            return self._send(action)

    def _card_now(self, row: FailedRow) -> tuple[FailedRow, str | None]:
        """Which card a charge now would take, read from Stripe (a retry takes the subscription's own card first, then
        the customer's default: docs.stripe.com/billing/revenue-recovery/smart-retries), and whether it is another
        than the declined one. When the subscription's own card is the declined one and the customer has since made
        a new card their default, that new card is the one to charge (returned: sent as the charge's payment_method,
        then made the subscription's own, so its next renewals take it too)."""
        sub_card, customer_card = self.gateway.cards_on_file(row.subscription_id, row.customer_id)
        tried = row.decline.payment_method if row.decline else None
        use = customer_card if sub_card and customer_card and sub_card != customer_card and sub_card == tried else None
        charged = use or sub_card or customer_card
        return dataclasses.replace(row, card_changed=charged is not None and charged != tried), use

    def paid_outside(self, ref: str, note: str) -> Action:
        """Mark the invoice paid outside Stripe (`paid_out_of_band`): a cheque, a bank transfer. Nothing is charged;
        the note says how it was paid, for the journal."""
        self._need_operator()
        note = note.strip()
        if not note or len(note) > NOTE_LIMIT:
            raise ActionRefused(
                "Say how the customer paid.",
                f"A note of 1 to {NOTE_LIMIT} characters (a transfer's reference).",
                {"note": "required"},
            )
        row = self.row(ref)
        with self.locks.held(row.subscription_id):
            now = int(self.clock())
            current = dataclasses.replace(row, collection=self.gateway.invoice_collection(row.collection.invoice_id))
            if current.collection.status != "open":
                self._keep(current)
                why = f"The invoice is {current.collection.status}: there is nothing left to pay."
                raise ActionRefused(why, "Nothing was changed.", {"invoice": why})
            action = self._entry(current, "charge:outside", now, note=note)
            self.journal.add(action)
            return self._send(action)

    def resend(self, action: Action) -> Action:
        """A charge that failed with no answer, or was interrupted: the same request with the same key inside Stripe's
        24 hours (Stripe replays the first answer: never a second charge); after them, the invoice is re-read and what
        it says is recorded, never charged again."""
        return steps.resend(self.journal, self.locks, self.clock, action, self._send, self._settle)

    def _settle(self, action: Action) -> Action:
        after = self.gateway.invoice_collection(action.params["invoice"])
        self.cache.apply_collections([after])
        if after.status == "paid":
            return self.journal.update(action, state="applied", applied_at=int(self.clock()), error=None, retryable=False)
        said = "Not sent again: Stripe's 24 hours to replay it are over; the invoice is still unpaid."
        return self.journal.update(action, state="refused", error=said, retryable=False)

    def recover(self) -> list[Action]:
        """After a crash: every charge journaled but not answered, sent again under its own key (see resend)."""
        return steps.finish_pending(self.journal, lambda a: a.kind == "charge", self.resend)

    # internals ---------------------------------------------------------------------------------
    def _need_operator(self) -> None:
        if not self.operator:
            raise ActionRefused(
                "Your name is not set.", "Set it in Preferences (or --operator) so the journal says who acted.",
                {"operator": "required"},
            )  # fmt: skip

    def _keep(self, row: FailedRow) -> None:
        try:
            self.cache.apply_collections([row.collection])
        except DatabaseError as exc:  # only a copy of what Stripe holds: the next sync writes it
            log.warning("could not keep invoice %s as just read: %s", row.collection.invoice_id, exc)

    def _entry(self, row: FailedRow, code: str, now: int, note: str | None = None, card: str | None = None) -> Action:
        c = row.collection
        return Action(
            id=f"act_{uuid.uuid4().hex[:20]}", created_at=now, operator=self.operator, subscription_id=c.subscription_id,
            customer_id=c.customer_id, customer_name=row.customer_name or row.email, kind="charge", offer_code=code,
            consent_channel=None, consent_note=note, idempotency_key=f"churn-console-{uuid.uuid4()}",
            livemode=self.gateway.livemode, mrr_minor=row.mrr_minor, currency=c.currency,
            params={"invoice": c.invoice_id, "out_of_band": code == "charge:outside", "payment_method": card},
            before={"amount_due": c.amount_due, "attempts": c.attempt_count, "next_attempt": c.next_attempt},
        )  # fmt: skip

    def _send(self, action: Action) -> Action:
        invoice = action.params["invoice"]
        card = action.params.get("payment_method")
        with attempt(self.journal, action):
            paid = self.gateway.pay_invoice(
                invoice, action.idempotency_key, out_of_band=bool(action.params["out_of_band"]), payment_method=card
            )
        action.error = None  # answered: an earlier attempt's failure is over
        if paid.decline is None and not action.params["out_of_band"]:
            self._after_paid(action, card)
        try:
            return self._record(action, paid)
        except DatabaseError as exc:  # Stripe holds it: "nothing was changed" would be untrue
            raise recorded_later(exc, f"the invoice {invoice}", action.id) from exc

    def _after_paid(self, action: Action, card: str | None) -> None:
        """The charge paid: the subscription's metadata says which rep's Retry now did (so every console's recovery
        report credits them), and a new card becomes the subscription's own, so its renewals take it too."""
        paid_at = datetime.fromtimestamp(self.clock(), UTC)
        stamped = stamp.for_retried(action.params["invoice"], action.operator, paid_at)
        try:
            self.gateway.after_charge(action.subscription_id, stamped, card, f"{action.idempotency_key}:after")
        except ConsoleError as exc:  # paid all the same: said on the journal entry
            what = (
                "The subscription's own card could not be changed to the new one, nor who retried it recorded for the "
                "other consoles" if card
                else "The subscription could not be marked with who retried it, so other consoles will not credit you"
            )  # fmt: skip
            action.error = f"{what} ({exc.message.rstrip('.')})."

    def _record(self, action: Action, paid: Paid) -> Action:
        """The invoice as Stripe answered, its decline, a line on the row's timeline; the journal last (a write that
        fails before it leaves the entry pending, finished at the next start by the same key)."""
        now = int(self.clock())
        amount = format_money(int(action.before["amount_due"]), action.currency)
        with self.cache.transaction():
            self.cache.apply_collections([paid.collection])
            if paid.decline is not None:
                self.cache.put_declines([(paid.collection.invoice_id, paid.decline)])
            kind = "charge_declined" if paid.decline else "charge_paid"
            words = _decline_words(paid.decline) if paid.decline else f"{amount} collected"
            detail = {"operator": action.operator, "what": action.offer_code, "words": f"{action.operator}: {words}"}
            self.cache.add_timeline(f"{action.subscription_id}:charge:{action.id}", action.subscription_id, now, kind, detail)
        if paid.decline is not None:
            return self.journal.update(
                action, state="declined", request_id=paid.request_id, applied_at=now, retryable=False,
                error=_decline_words(paid.decline),
            )  # fmt: skip
        return self.journal.update(
            action, state="applied", request_id=paid.request_id, applied_at=now, error=action.error, retryable=False
        )


def _decline_words(decline: LastDecline) -> str:
    return dunning.words(decline.code, decline.decline_code, has_card=decline.has_card)
