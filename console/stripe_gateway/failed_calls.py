"""The gateway's reads and writes for failed payments: the open invoices Stripe charges, and each one's last decline."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

import stripe

if TYPE_CHECKING:  # the SDK's own parameter types (its generated TypedDicts)
    from stripe.params import InvoicePayParams, SubscriptionUpdateParams

from ..domain.events import InvoiceChange
from ..domain.failed import Collection, LastDecline
from ..errors import NotFound
from . import convert, convert_failed
from .errors import call, translate
from .pages import Paced, get_plain, unpaced

PAGE_SIZE = 100
# What the recovery ledger reads once, 30 days back (sync/recovery_backfill.py): rare events (failures are a few percent
# of invoices), not `invoice.paid` (one per invoice paid): a failed invoice's payment is read on its own after.
FAILURE_EVENT_TYPES = (
    "invoice.payment_failed",
    "invoice.marked_uncollectible",
    "invoice.voided",
    "payment_method.automatically_updated",
)


class Paid(NamedTuple):
    """What a charge (or a payment marked outside Stripe) left: the invoice after it, the decline if the card was
    declined, and Stripe's request id."""

    collection: Collection
    decline: LastDecline | None
    request_id: str | None


class FailedCalls:
    """Mixed into StripeGateway (which holds the client)."""

    _client: stripe.StripeClient
    _events_after: Callable[[tuple[str, ...], str | None, int | None, Paced], list[dict[str, Any]]]

    def open_invoice_page(self, starting_after: str | None = None) -> tuple[list[Collection], bool, str | None]:
        """One page of the account's open invoices that Stripe charges (`status=open`,
        `collection_method=charge_automatically`: https://docs.stripe.com/api/invoices/list), those billing a
        subscription; whether more follow, and the page's last id (the next page's cursor)."""
        params: dict[str, Any] = {"status": "open", "collection_method": "charge_automatically", "limit": PAGE_SIZE}
        if starting_after:
            params["starting_after"] = starting_after
        found, more = convert.page(call(lambda: get_plain(self._client, "/v1/invoices", params)))
        kept = [c for c in (convert_failed.collection(i) for i in found) if c is not None]
        return kept, more, convert.object_id(found[-1]) if found else None

    def last_decline(self, invoice_id: str, attempt: int) -> LastDecline:
        """The invoice's last decline and the card it tried: its InvoicePayments with their PaymentIntents expanded
        (one request; Invoices and PaymentIntents: Read)."""
        params = {"invoice": invoice_id, "limit": 10, "expand": ["data.payment.payment_intent"]}
        found, _ = convert.page(call(lambda: get_plain(self._client, "/v1/invoice_payments", params)))
        return convert_failed.last_decline(found, attempt)

    def invoice_collection(self, invoice_id: str) -> Collection:
        """One invoice's collection state as Stripe holds it now (re-read before an action decides on it)."""
        found = convert_failed.collection(convert.plain(call(lambda: self._client.v1.invoices.retrieve(invoice_id))))
        if found is None:
            raise NotFound(f"Invoice {invoice_id} does not bill a subscription.", "Pick a row of the failed-payments queue.")
        return found

    def pay_invoice(
        self, invoice_id: str, idempotency_key: str, *, out_of_band: bool = False, payment_method: str | None = None
    ) -> Paid:
        """`POST /v1/invoices/{id}/pay` (https://docs.stripe.com/api/invoices/pay): charge the card on file now
        (`off_session`: the customer is not here), or mark it paid outside Stripe (`paid_out_of_band`). A decline is an
        answer, not a fault: the invoice after it and the decline are returned (the same key replays either answer)."""
        params: InvoicePayParams = {"paid_out_of_band": True} if out_of_band else {"off_session": True}
        if payment_method and not out_of_band:
            params["payment_method"] = payment_method  # this card, not the subscription's own
        options: Any = {"idempotency_key": idempotency_key}
        try:
            obj = self._client.v1.invoices.pay(invoice_id, params=params, options=options)
        except stripe.CardError as exc:
            body: dict[str, Any] = exc.json_body if isinstance(exc.json_body, dict) else {}
            error: dict[str, Any] = dict(body.get("error") or {})
            intent = error.get("payment_intent")
            last = (intent.get("last_payment_error") if isinstance(intent, dict) else None) or {}
            error.setdefault("payment_method", last.get("payment_method"))
            payments = [{"is_default": True, "payment": {"payment_intent": {"last_payment_error": error}}}]
            after = self.invoice_collection(invoice_id)
            return Paid(after, convert_failed.last_decline(payments, after.attempt_count), exc.request_id)
        except stripe.StripeError as exc:
            raise translate(exc) from None
        found = convert_failed.collection(convert.plain(obj))
        if found is None:
            raise NotFound(f"Invoice {invoice_id} does not bill a subscription.", "Pick a row of the failed-payments queue.")
        response = obj.last_response
        return Paid(found, None, response.request_id if response else None)

    def cards_on_file(self, sub_id: str, customer_id: str) -> tuple[str | None, str | None]:
        """The subscription's own `default_payment_method` and the customer's `invoice_settings.default_payment_method`
        as Stripe holds them now (two reads): a retry charges the subscription's first, then the customer's."""
        sub = call(lambda: get_plain(self._client, f"/v1/subscriptions/{sub_id}", {}))
        customer = call(lambda: get_plain(self._client, f"/v1/customers/{customer_id}", {}))
        return convert_failed.id_of(sub.get("default_payment_method")), convert_failed.id_of(
            (customer.get("invoice_settings") or {}).get("default_payment_method")
        )

    def after_charge(self, sub_id: str, metadata: dict[str, str], payment_method: str | None, idempotency_key: str) -> None:
        """After a rep's charge paid: the subscription's metadata records who (stamp.RETRIED, read by every console),
        and `payment_method`, when given, becomes the subscription's own default (its renewals and retries charge it
        first). One update (Subscriptions: Write)."""
        params: SubscriptionUpdateParams = {"metadata": metadata}
        if payment_method:
            params["default_payment_method"] = payment_method
        call(lambda: self._client.v1.subscriptions.update(sub_id, params=params, options={"idempotency_key": idempotency_key}))

    def mark_uncollectible(self, invoice_id: str, idempotency_key: str) -> Collection:
        """`POST /v1/invoices/{id}/mark_uncollectible` (https://docs.stripe.com/api/invoices/mark_uncollectible): Stripe
        stops retrying the invoice, and its past-due subscription turns active; the invoice can still be paid later."""
        options: Any = {"idempotency_key": idempotency_key}
        obj = call(lambda: self._client.v1.invoices.mark_uncollectible(invoice_id, options=options))
        found = convert_failed.collection(convert.plain(obj))
        if found is None:
            raise NotFound(f"Invoice {invoice_id} does not bill a subscription.", "Pick a row of the failed-payments queue.")
        return found

    def failure_changes_since(self, since: int, paced: Paced = unpaced) -> list[InvoiceChange]:
        """The failures and their rarer endings since `since` (Stripe keeps 30 days of events), oldest first: each
        attempt that failed, each invoice written off or voided, each card the card updater changed; each page's
        request through `paced`."""
        return [convert.invoice_change(e) for e in self._events_after(FAILURE_EVENT_TYPES, None, since, paced)]

    def payment_outcome(self, invoice_id: str) -> tuple[int, bool] | None:
        """When and how a paid invoice was paid, from its InvoicePayments (one request): by a charge (a paid payment),
        or outside Stripe (its payment canceled, none paid: docs.stripe.com/api/invoice-payment/object); None when
        neither says it was paid."""
        found, _ = convert.page(
            call(lambda: get_plain(self._client, "/v1/invoice_payments", {"invoice": invoice_id, "limit": 10}))
        )
        paid = [p for p in found if p.get("status") == "paid"]
        if paid:
            return int((paid[0].get("status_transitions") or {}).get("paid_at") or 0), True
        canceled = [p for p in found if p.get("status") == "canceled"]
        if canceled:
            return int((canceled[0].get("status_transitions") or {}).get("canceled_at") or 0), False
        return None

    def set_invoice_metadata(self, invoice_id: str, metadata: dict[str, str], idempotency_key: str) -> str | None:
        """Write metadata on an invoice (`POST /v1/invoices/{id}`: metadata can be changed on any invoice); returns
        what the invoice then holds under the hold-out's key (another console's group, if it wrote first)."""

        options: Any = {"idempotency_key": idempotency_key}
        obj = call(lambda: self._client.v1.invoices.update(invoice_id, params={"metadata": metadata}, options=options))
        found = convert_failed.collection(convert.plain(obj))
        return found.holdout if found is not None else None
