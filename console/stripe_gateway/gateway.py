"""StripeGateway: the console's reads and writes against one account, in domain terms."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..domain.models import Account, Coupon, PortalConfigSummary, Subscription
from . import convert
from .client import key_kind, key_mode, make_client
from .errors import call, translated

PAGE_SIZE = 100


class StripeGateway:
    """Wraps one StripeClient; every method returns domain objects or raises a ConsoleError."""

    def __init__(self, key: str, api_base: str | None = None, *, max_retries: int = 2) -> None:
        self._client = make_client(key, api_base, max_retries=max_retries)
        self.mode = key_mode(key) or "test"
        self.key_kind = key_kind(key)
        self.api_base = api_base

    def __repr__(self) -> str:  # never show the key
        return f"StripeGateway(mode={self.mode!r}, api_base={self.api_base!r})"

    @property
    def livemode(self) -> bool:
        return self.mode == "live"

    # reads ---------------------------------------------------------------------
    def account(self) -> Account:
        obj = call(lambda: self._client.v1.accounts.retrieve_current())
        return convert.account(obj.to_dict(), self.livemode)

    def iter_subscriptions(self, *, status: str | None = None, created: dict[str, int] | None = None) -> Iterator[Subscription]:
        """Every subscription matching the filters, customers inlined (one request per 100)."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, "expand": ["data.customer"]}
        if status:
            params["status"] = status
        if created:
            params["created"] = created
        with translated():
            for obj in self._client.v1.subscriptions.list(params=params).auto_paging_iter():
                yield convert.subscription(obj.to_dict())

    def subscription(self, sub_id: str) -> Subscription:
        obj = call(lambda: self._client.v1.subscriptions.retrieve(sub_id, params={"expand": ["customer", "discounts"]}))
        return convert.subscription(obj.to_dict())

    def coupons(self) -> list[Coupon]:
        with translated():
            return [
                convert.coupon(c.to_dict()) for c in self._client.v1.coupons.list(params={"limit": PAGE_SIZE}).auto_paging_iter()
            ]

    def portal_configurations(self) -> list[PortalConfigSummary]:
        with translated():
            pages = self._client.v1.billing_portal.configurations.list(params={"limit": PAGE_SIZE})
            return [convert.portal_config(c.to_dict()) for c in pages.auto_paging_iter()]
