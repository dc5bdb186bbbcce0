"""A failed payment's subscription paused instead of lost (issue 33 §3), with the customer's consent, and its undo.

Stripe's real pause (`POST /v1/subscriptions/{id}/pause`, flexible billing mode) is documented for active
subscriptions; whether it takes a past-due one is not written down (sandbox/pausing.py refuses it: the stricter
side). Stripe does document what makes a past-due subscription active again: paying its latest invoice, or marking
it uncollectible (docs.stripe.com/billing/subscriptions/overview). So the pause is three steps, each with its own
idempotency key and each skipped when Stripe, re-read, shows it done (a crash between them is finished, never
repeated):

1. `POST /v1/invoices/{id}/mark_uncollectible`: Stripe stops retrying the invoice and the subscription turns
   active. The invoice is written off, not forgiven: it can still be paid later (Stripe allows paying an
   uncollectible invoice), which the operator is told;
2. the subscription's metadata records the action (`churn_console_failed_pause`: who, with what consent);
3. `POST /pause`.

The subscription is checked against every rule of the pause that the console knows before anything is sent, so a
write-off is never left without its pause for a reason the console could have seen. Undo is `POST /resume` on the
original billing cycle; the invoice stays uncollectible (Stripe cannot reopen it), and the undo says so.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain import pausing, stamp
from ..domain.action import FAILED_PAUSE, Action, Consent
from ..domain.failed import Collection, FailedRow
from ..domain.models import Subscription
from ..domain.money import format_money
from ..errors import ConsoleError, InvalidRequest
from ..store import Cache
from ..store.journal import Journal
from ..store.schema import DatabaseError
from ..sync.state import record as record_state
from . import requests, steps
from .checks import ActionRefused, check_consent
from .locks import SubscriptionLocks
from .outcomes import recorded_later
from .steps import attempt

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

UNDO = f"undo:{FAILED_PAUSE}"


class PauseLeftUndone(ConsoleError):
    """The invoice was written off and Stripe then refused the pause: said plainly, with what to do."""


class FailedPause:
    """Pauses and resumes failed payments' subscriptions in one account; `operator` is named in the journal."""

    def __init__(
        self, gateway: StripeGateway, cache: Cache, journal: Journal, operator: str, locks: SubscriptionLocks,
        row_of: Callable[[str], FailedRow], clock: Callable[[], float] = time.time,
    ) -> None:  # fmt: skip
        self.gateway, self.cache, self.journal, self.locks, self.clock = gateway, cache, journal, locks, clock
        self.operator, self.row_of = operator.strip(), row_of

    def pause(self, ref: str, consent: Consent | None) -> Action:
        """Pause the subscription of the failed-payments row `ref` names (an invoice or subscription id) instead of
        letting Stripe's last retry end it, with how the customer agreed."""
        check_consent(self.operator, consent, what="pausing their subscription")
        assert consent is not None  # check_consent refuses None when consent is required
        row = self.row_of(ref)
        with self.locks.held(row.subscription_id):
            invoice = self.gateway.invoice_collection(row.collection.invoice_id)
            if invoice.status != "open":
                self.cache.apply_collections([invoice])
                raise ActionRefused(
                    f"The invoice {invoice.invoice_id} is {invoice.status}: the payment no longer needs saving.",
                    "Nothing was sent.",
                )
            sub = self.gateway.subscription(row.subscription_id)
            if (why := _blocker(sub)) is not None:
                raise ActionRefused(why, "Nothing was sent.", {"pause": why})
            now = datetime.fromtimestamp(self.clock(), UTC)
            action_id = f"act_{uuid.uuid4().hex[:20]}"
            params = {
                "invoice": invoice.invoice_id,
                "update": {
                    "metadata": stamp.for_failed_pause(action_id, self.operator, consent.channel, now, invoice.invoice_id)
                },
                "pause": requests.pause_request(),
            }
            action = self._entry(action_id, sub, FAILED_PAUSE, consent, now, params, invoice)
            self.journal.add(action)  # the id and keys are durable before any request
            return self._send(action)

    def undo(self, original: Action) -> Action:
        """Resume a subscription this desk paused; the written-off invoice stays uncollectible."""
        if original.offer_code != FAILED_PAUSE or original.state != "applied":
            raise ActionRefused(f"Action {original.id} is {original.state}; only an applied pause can be undone.")
        check_consent(self.operator, None, required=False)
        with self.locks.held(original.subscription_id):
            sub = self.gateway.subscription(original.subscription_id)
            if sub.status != "paused":
                raise ActionRefused(f"The subscription is {sub.status.replace('_', ' ')}, no longer paused.", "Nothing was sent.")
            if stamp.failed_pause(sub.metadata) != original.id:
                raise ActionRefused("Another action paused it since.", "Review it in the Dashboard before resuming it.")
            now = datetime.fromtimestamp(self.clock(), UTC)
            undo_id = f"act_{uuid.uuid4().hex[:20]}"
            params = {"resume": requests.resume_request(), "update": {"metadata": {stamp.FAILED_PAUSE: ""}}}
            action = self._entry(undo_id, sub, UNDO, None, now, params, None, undo_of=original.id)
            self.journal.add(action)
            return self._send(action)

    def resend(self, action: Action) -> Action:
        """An interrupted or unanswered pause (or undo): what Stripe shows done is skipped, the rest sent with the same
        keys; after Stripe's 24 hours nothing is sent again and what Stripe shows is recorded."""
        return steps.resend(self.journal, self.locks, self.clock, action, self._send, self._settle)

    def _settle(self, action: Action) -> Action:
        sub = self.gateway.subscription(action.subscription_id)
        if _landed(action, sub):
            return self._record(action, sub, None)
        said = "Not sent again: Stripe's 24 hours to replay it are over. Look at the subscription in the Dashboard."
        return self.journal.update(action, state="refused", error=said, retryable=False)

    def recover(self) -> list[Action]:
        """After a crash: every pause (or undo) journaled but not answered, finished (see resend)."""
        return steps.finish_pending(self.journal, lambda a: a.offer_code in (FAILED_PAUSE, UNDO), self.resend)

    # internals ---------------------------------------------------------------------------------
    def _entry(
        self, action_id: str, sub: Subscription, code: str, consent: Consent | None, now: datetime,
        params: dict[str, Any], invoice: Collection | None, undo_of: str | None = None,
    ) -> Action:  # fmt: skip
        before = {"status": sub.status, "invoice": params.get("invoice")}
        if invoice is not None:
            before |= {"amount_due": invoice.amount_due, "attempts": invoice.attempt_count}
        return Action(
            id=action_id, created_at=int(now.timestamp()), operator=self.operator, subscription_id=sub.id,
            customer_id=sub.customer_id, customer_name=sub.customer_name, kind="undo" if undo_of else "pause",
            offer_code=code, consent_channel=consent.channel if consent else None,
            consent_note=consent.note if consent else None, idempotency_key=f"churn-console-{uuid.uuid4()}",
            livemode=self.gateway.livemode, mrr_minor=sub.mrr_minor, currency=sub.currency, params=params,
            before=before, undo_of=undo_of,
        )  # fmt: skip

    def _send(self, action: Action) -> Action:
        key, sub_id, params = action.idempotency_key, action.subscription_id, action.params
        with attempt(self.journal, action):
            if "resume" in params:
                sub = self.gateway.subscription(sub_id)
                if sub.status == "paused":
                    self.gateway.resume_subscription(sub_id, params["resume"], f"{key}:resume")
                sub = self.gateway.update_subscription(sub_id, params["update"], key)[0]
            else:
                if self.gateway.invoice_collection(params["invoice"]).status == "open":
                    self.gateway.mark_uncollectible(params["invoice"], f"{key}:invoice")
                sub = self.gateway.update_subscription(sub_id, params["update"], key)[0]
                if sub.status != "paused":
                    sub = self._pause(action, sub_id)
        try:
            return self._record(action, sub, self.gateway.invoice_collection(params["invoice"]) if "invoice" in params else None)
        except DatabaseError as exc:  # Stripe holds it: "nothing was changed" would be untrue
            raise recorded_later(exc, f"the subscription {sub_id}", action.id) from exc

    def _pause(self, action: Action, sub_id: str) -> Subscription:
        try:
            return self.gateway.pause_subscription(sub_id, action.params["pause"], f"{action.idempotency_key}:pause")[0]
        except InvalidRequest as exc:  # a refusal (anything else may have landed: retry sends it with the same key)
            amount = format_money(int(action.before.get("amount_due") or 0), action.currency)
            raise PauseLeftUndone(
                f"Stripe refused the pause: {exc.message} The invoice {action.params['invoice']} ({amount}) was already "
                "marked uncollectible, so Stripe no longer retries it and the subscription is active.",
                "Pause it in the Dashboard, or collect the invoice there (an uncollectible invoice can still be paid).",
                request_id=exc.request_id,
            ) from exc

    def _record(self, action: Action, sub: Subscription, invoice: Collection | None) -> Action:
        """The subscription and invoice as Stripe answered, a line on the row's timeline; the journal last."""
        now = int(self.clock())
        original = self.journal.get(action.undo_of) if action.undo_of else None
        with self.cache.transaction():
            if invoice is not None:
                self.cache.apply_collections([invoice])  # uncollectible: the row leaves the failed-payments queue
            record_state(self.cache, [sub], now)
            what = "resumed" if original else "paused instead of ending"
            detail = {"operator": action.operator, "what": action.offer_code, "words": f"{action.operator}: {what}"}
            self.cache.add_timeline(f"{sub.id}:failed_pause:{action.id}", sub.id, now, "failed_pause", detail)
        if original is not None and original.state != "undone":
            self.journal.update(original, state="undone", undone_by=action.id)
        return self.journal.update(action, state="applied", applied_at=now, error=None, retryable=False)


def _blocker(sub: Subscription) -> str | None:
    """Why this failed payment's subscription cannot be paused, or None: Stripe's rules for a pause (as for a save's),
    applied to the subscription as the write-off leaves it (a past-due subscription turns active)."""
    if sub.ended:
        return f"{sub.customer_name or sub.id}'s subscription has already ended."
    if sub.pending_cancellation:
        return "The customer also asked to cancel: save them from the churn queue (its pause revokes the cancellation)."
    if sub.status == "unpaid":
        return "Stripe pauses only active subscriptions; this one is unpaid (its retries are over). Collect the invoice instead."
    status = "active" if sub.status == "past_due" else sub.status
    return pausing.blocker(
        status=status, billing_mode=sub.billing_mode, schedule_id=sub.schedule_id,
        collection_method=sub.collection_method, collection_paused=sub.paused,
    )  # fmt: skip


def _landed(action: Action, sub: Subscription) -> bool:
    if action.offer_code == UNDO:
        return sub.status != "paused" and stamp.failed_pause(sub.metadata) is None
    return sub.status == "paused" and stamp.failed_pause(sub.metadata) == action.id
