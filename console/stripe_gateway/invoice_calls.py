"""The gateway's invoice reads behind the save ledger and metered usage: a subscription's invoices since a date, a
page of every invoice in a created range, the invoice events, and a subscription's latest invoice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import stripe

from ..domain.events import INVOICE_EVENT_TYPES, InvoiceChange
from ..domain.mrr import Usage
from ..domain.save_value import LedgerInvoice
from . import convert
from .errors import call
from .pages import Paced, get_plain, unpaced

PAGE_SIZE = 100


class InvoiceCalls:
    """Mixed into StripeGateway (which holds the client)."""

    _client: stripe.StripeClient
    _events_after: Callable[[tuple[str, ...], str | None, int | None], list[dict[str, Any]]]

    def invoices_since(
        self, sub_id: str, since: int, paced: Paced = unpaced
    ) -> tuple[list[LedgerInvoice], list[tuple[str, str]]]:
        """Every invoice of the subscription created from `since` on (any status: paid, open after a failed
        payment, void while paused), with the coupon behind each discount (expanded, so a discount that has
        since ended still names its coupon); each page's request through `paced`."""
        params: dict[str, Any] = {
            "subscription": sub_id,
            "created": {"gte": since},
            "limit": PAGE_SIZE,
            "expand": ["data.discounts"],
        }
        invoices: list[LedgerInvoice] = []
        coupons: list[tuple[str, str]] = []
        while True:
            found, more = convert.page(paced(lambda: call(lambda: get_plain(self._client, "/v1/invoices", params))))
            for inv in found:
                ledger, named = convert.ledger_invoice(inv, sub_id)
                invoices.append(ledger)
                coupons.extend(named)
            if not more or not found:
                return invoices, coupons
            params["starting_after"] = convert.object_id(found[-1])

    def invoice_page(
        self, *, created: dict[str, int], starting_after: str | None = None
    ) -> tuple[list[tuple[LedgerInvoice, list[tuple[str, str]]]], bool, tuple[str, int] | None]:
        """One page of up to 100 invoices of any subscription in a `created` range (plain JSON): those that bill a
        subscription, whether more follow, and the id and `created` of the page's last (the cursor, and where a
        range is split while it is read)."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, "created": created, "expand": ["data.discounts"]}
        if starting_after:
            params["starting_after"] = starting_after
        found, more = convert.page(call(lambda: get_plain(self._client, "/v1/invoices", params)))
        kept = [k for k in (convert.subscription_invoice(inv) for inv in found) if k is not None]
        return kept, more, (convert.object_id(found[-1]), int(found[-1]["created"])) if found else None

    def newest_invoice_event(self) -> tuple[str, int] | None:
        """The newest invoice event: where the invoice stream's next read starts."""
        params: dict[str, Any] = {"limit": 1, "types": list(INVOICE_EVENT_TYPES)}
        found, _ = convert.page(call(lambda: get_plain(self._client, "/v1/events", params)))
        return (convert.object_id(found[0]), int(found[0]["created"])) if found else None

    def invoice_changes_after(self, event_id: str | None, since: int) -> list[InvoiceChange]:
        """Every invoice event newer than `event_id` (or created after `since` when there is none), oldest first."""
        return [convert.invoice_change(e) for e in self._events_after(INVOICE_EVENT_TYPES, event_id, since)]

    def latest_usage(self, sub_id: str) -> list[Usage]:
        """What the subscription's latest invoice charged for each metered item (its lines carry the usage)."""
        data = call(lambda: self._client.raw_request("get", "/v1/invoices", subscription=sub_id, limit=1)).data
        invoices, _ = convert.page(data)
        return convert.usage_lines(invoices[0]) if invoices else []
