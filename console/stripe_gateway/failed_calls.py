"""The gateway's reads and writes for failed payments: the open invoices Stripe charges, and each one's last decline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..domain.failed import Collection, LastDecline
from . import convert, convert_failed
from .errors import call
from .pages import get_plain

if TYPE_CHECKING:
    import stripe

PAGE_SIZE = 100


class FailedCalls:
    """Mixed into StripeGateway (which holds the client)."""

    _client: stripe.StripeClient

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
