"""StripeGateway: the console's reads and writes against one account, in domain terms."""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import stripe

if TYPE_CHECKING:  # the SDK's own parameter types (its generated TypedDicts)
    from stripe.params import CouponCreateParams, SubscriptionCreateParams
    from stripe.params.billing_portal import SessionCreateParams

from ..domain.events import SYNC_EVENT_TYPES, Change
from ..domain.feedback import FeedbackOption
from ..domain.models import Account, Coupon, Customer, PortalConfigSummary, Subscription
from ..domain.mrr import PriceTiers
from ..errors import InvalidRequest, NotFound, PermissionMissing
from . import convert
from .client import key_kind, key_mode, make_client
from .errors import call, readable, translate, translated
from .failed_calls import FailedCalls
from .invoice_calls import InvoiceCalls
from .pages import Paced, get_plain, unpaced

PAGE_SIZE = 100
PROBE_ID = "{}_churn_console_permission_probe"  # no object has it: a write to it changes nothing


class StripeGateway(FailedCalls, InvoiceCalls):
    """Wraps one StripeClient; every method returns domain objects or raises a ConsoleError."""

    def __init__(self, key: str, api_base: str | None = None, *, max_retries: int = 2) -> None:
        self._client = make_client(key, api_base, max_retries=max_retries)
        self.mode = key_mode(key) or "test"
        self.key_kind = key_kind(key)
        self.api_base = api_base
        # A stable stand-in id for an account Stripe would not name (never the key itself).
        self._local_account_id = "acct_local_" + hashlib.sha256(key.encode()).hexdigest()[:16]

    def __repr__(self) -> str:  # never show the key
        return f"StripeGateway(mode={self.mode!r}, api_base={self.api_base!r})"

    @property
    def livemode(self) -> bool:
        return self.mode == "live"

    # reads ---------------------------------------------------------------------
    def account(self, name_if_unreadable: str = "") -> Account:
        """Which account the key belongs to, without needing a permission the console does not ask for.

        Stripe refuses `GET /v1/account` to ordinary restricted keys with a 403 that names the account
        ("... on account 'acct_…'. Having the 'rak_accounts_kyc_id_numbers_read' permission would allow
        this request to continue": stripe-node issue 2246; dj-stripe PR 1131). The id then comes from
        that refusal and the name from `name_if_unreadable` (the profile's name). An older refusal that
        names no account (singer-io/tap-stripe issue 38) gives a local id derived from the key.
        """
        try:
            obj = self._client.v1.accounts.retrieve_current()
        except stripe.PermissionError as exc:
            return convert.account_from_refusal(
                exc.user_message or str(exc), self.livemode, name_if_unreadable, fallback_id=self._local_account_id
            )
        except stripe.StripeError as exc:
            raise translate(exc) from None
        return convert.account(convert.plain(obj), self.livemode)

    def answers_livemode(self) -> bool | None:
        """The `livemode` Stripe reports on this key's objects (None when it has none to show or may not read them)."""
        try:
            data = call(lambda: self._client.raw_request("get", "/v1/subscriptions", limit=1, status="all")).data
        except PermissionMissing:
            return None
        found, _ = convert.page(data)
        return convert.livemode(found[0]) if found else None

    def subscription_page(
        self, *, created: dict[str, int], starting_after: str | None = None, status: str | None = "all"
    ) -> tuple[list[Subscription], bool]:
        """One page of up to 100 subscriptions in a `created` range, read as plain JSON (no SDK objects:
        they cost milliseconds each). Returns the page and whether more follow. `status`: Stripe's list filter
        ("all", "ended", ...; None: Stripe's default, every subscription not canceled)."""
        params: dict[str, Any] = {
            "limit": PAGE_SIZE,
            "expand": ["data.customer", "data.discounts", "data.cancellation_details.feedback_option"],
            "created": created,
        }
        if status is not None:
            params["status"] = status
        if starting_after:
            params["starting_after"] = starting_after
        data = call(lambda: get_plain(self._client, "/v1/subscriptions", params))  # plain JSON (pages.py)
        found, more = convert.page(data)
        return [convert.subscription(obj) for obj in found], more

    def newest_event(self) -> tuple[str, int] | None:
        """The newest event of the types sync follows: where the next incremental sync starts."""
        page = call(lambda: self._client.v1.events.list(params={"limit": 1, "types": list(SYNC_EVENT_TYPES)}))
        return (page.data[0].id, page.data[0].created) if page.data else None

    def changes_after(self, event_id: str | None, since: int | None = None) -> list[Change]:
        """Every followed event newer than `event_id` (or created after `since`), oldest first.

        Read as plain JSON: each event carries a whole object, and SDK objects cost milliseconds each.
        """
        return [convert.change(e) for e in self._events_after(SYNC_EVENT_TYPES, event_id, since)]

    def _events_after(
        self, types: tuple[str, ...], event_id: str | None, since: int | None, paced: Paced = unpaced
    ) -> list[dict[str, Any]]:
        """Every event of `types` newer than `event_id` (or created after `since`), oldest first, as plain JSON; each
        page's request through `paced`."""
        params: dict[str, Any] = {"limit": PAGE_SIZE, "types": list(types)}
        if event_id:
            params["ending_before"] = event_id
        elif since is not None:
            params["created"] = {"gt": since}
        pages: list[list[dict[str, Any]]] = []
        while True:
            data = paced(lambda: call(lambda: get_plain(self._client, "/v1/events", params)))
            found, more = convert.page(data)
            pages.append(found)
            if not more or not found:
                break
            if event_id:  # walking toward newer events: the next page ends before this one's newest
                params["ending_before"] = convert.object_id(found[0])
            else:
                params["starting_after"] = convert.object_id(found[-1])
        ordered = [e for page in (reversed(pages) if event_id else pages) for e in page]
        return ordered[::-1]

    def events_in(self, created: dict[str, int], paced: Paced = unpaced) -> list[Change]:
        """Every followed event in a created range, newest first (for concurrent backfill), each page's request
        through `paced`.

        Each page is converted as it arrives, so its raw JSON is freed at once (a smaller heap for
        the garbage collector to walk while the window stays responsive).
        """
        params: dict[str, Any] = {"limit": PAGE_SIZE, "types": list(SYNC_EVENT_TYPES), "created": created}
        out: list[Change] = []
        while True:
            data = paced(lambda: call(lambda: get_plain(self._client, "/v1/events", params)))
            found, more = convert.page(data)
            out.extend(convert.change(e) for e in found)
            if not more or not found:
                return out
            params["starting_after"] = convert.object_id(found[-1])

    def customer(self, customer_id: str) -> Customer:
        """A customer, or its deleted stand-in: Stripe still answers for a deleted customer (`deleted: true`)."""
        return convert.customer(convert.plain(call(lambda: self._client.v1.customers.retrieve(customer_id))))

    def paid_invoices(self, customer_id: str) -> dict[str, tuple[int, int]]:
        """Amount paid and invoice count per currency, over every paid invoice of the customer."""
        out: dict[str, tuple[int, int]] = {}
        with translated():
            pages = self._client.v1.invoices.list(params={"customer": customer_id, "status": "paid", "limit": PAGE_SIZE})
            for inv in pages.auto_paging_iter():
                amount, n = out.get(inv.currency, (0, 0))
                out[inv.currency] = (amount + (inv.amount_paid or 0), n + 1)
        return out

    # customer portal -----------------------------------------------------------------
    def portal_configuration_objects(self) -> list[dict[str, Any]]:
        with translated():
            return [
                convert.plain(c)
                for c in self._client.v1.billing_portal.configurations.list(params={"limit": PAGE_SIZE}).auto_paging_iter()
            ]

    def portal_configuration_object(self, config_id: str) -> dict[str, Any]:
        return convert.plain(call(lambda: self._client.v1.billing_portal.configurations.retrieve(config_id)))

    def create_portal_configuration(self, params: dict[str, Any]) -> dict[str, Any]:
        return convert.plain(call(lambda: self._client.v1.billing_portal.configurations.create(params=params)))  # type: ignore[arg-type]

    def update_portal_configuration(self, config_id: str, params: dict[str, Any]) -> dict[str, Any]:
        return convert.plain(call(lambda: self._client.v1.billing_portal.configurations.update(config_id, params=params)))  # type: ignore[arg-type]

    def feedback_options(self) -> list[FeedbackOption]:
        """Every custom cancellation reason, active or not (a configuration may still name an inactive one)."""
        with translated():
            pages = self._client.v1.billing.feedback_options.list(params={"limit": PAGE_SIZE}).auto_paging_iter()
            return [convert.feedback_option(convert.plain(o)) for o in pages]

    def create_feedback_option(self, description: str) -> FeedbackOption:
        obj = call(lambda: self._client.v1.billing.feedback_options.create(params={"description": description}))
        return convert.feedback_option(convert.plain(obj))

    def update_feedback_option(self, option_id: str, description: str) -> FeedbackOption:
        obj = call(lambda: self._client.v1.billing.feedback_options.update(option_id, params={"description": description}))
        return convert.feedback_option(convert.plain(obj))

    def deactivate_feedback_option(self, option_id: str) -> FeedbackOption:
        return convert.feedback_option(
            convert.plain(call(lambda: self._client.v1.billing.feedback_options.deactivate(option_id)))
        )

    def catalog(self) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """Active products with their active recurring prices (for plan switching)."""
        with translated():
            products = [
                convert.plain(p)
                for p in self._client.v1.products.list(params={"limit": PAGE_SIZE, "active": True}).auto_paging_iter()
            ]
            prices = [
                convert.plain(p)
                for p in self._client.v1.prices.list(
                    params={"limit": PAGE_SIZE, "active": True, "type": "recurring"}
                ).auto_paging_iter()
            ]
        return [(p, [x for x in prices if x["product"] == p["id"]]) for p in products]

    def product_name(self, product_id: str) -> str | None:
        """A product's name (what its customers know it by), or None when it is gone."""
        try:
            return str(call(lambda: self._client.v1.products.retrieve(product_id)).name)
        except NotFound:
            return None

    def find_customer(self, text: str) -> Customer | None:
        """A customer by id (cus_…) or e-mail, or None (a deleted customer is found, and says so)."""
        text = text.strip()
        if text.startswith("cus_"):
            try:
                return self.customer(text)
            except NotFound:
                return None
        found = call(lambda: self._client.v1.customers.list(params={"email": text, "limit": 1})).data
        return convert.customer(convert.plain(found[0])) if found else None

    # permissions ---------------------------------------------------------------------
    def probe(self, permission: str) -> bool:
        """Whether the key has `permission`, with a request that changes nothing: a read with limit=1,
        or a write the API must refuse for its parameters (400 = allowed, 403 = not)."""
        v1 = self._client.v1
        probes = {
            "rak_subscription_write": lambda: v1.subscriptions.create(params=cast("SubscriptionCreateParams", {})),
            "rak_customer_read": lambda: v1.customers.list(params={"limit": 1}),
            "rak_coupon_write": lambda: v1.coupons.create(params={}),
            "rak_billing_portal_write": lambda: v1.billing_portal.configurations.create(params={}),  # type: ignore[typeddict-item]
            "rak_event_read": lambda: v1.events.list(params={"limit": 1}),
            "rak_invoice_write": lambda: v1.invoices.pay(PROBE_ID.format("in")),
            "rak_payment_intent_read": lambda: v1.payment_intents.retrieve(PROBE_ID.format("pi")),
            "rak_price_read": lambda: v1.prices.list(params={"limit": 1}),
            "rak_product_read": lambda: v1.products.list(params={"limit": 1}),
        }
        try:
            call(probes[permission])
        except PermissionMissing:
            return False
        except (InvalidRequest, NotFound):  # allowed, and refused for its parameters or an object that is not there
            return True
        return True

    # writes --------------------------------------------------------------------------
    def update_subscription(
        self, sub_id: str, params: dict[str, Any], idempotency_key: str
    ) -> tuple[Subscription, str | None, bool]:
        """Update with an idempotency key; returns the new state, Stripe's request id, and whether it was a replay."""
        return self._written(self._client.v1.subscriptions.update, sub_id, params, idempotency_key)

    def pause_subscription(
        self, sub_id: str, params: dict[str, Any], idempotency_key: str
    ) -> tuple[Subscription, str | None, bool]:
        """A real pause (status `paused`, API 2026-09-30): as update_subscription answers."""
        return self._written(self._client.v1.subscriptions.pause, sub_id, params, idempotency_key)

    def resume_subscription(
        self, sub_id: str, params: dict[str, Any], idempotency_key: str
    ) -> tuple[Subscription, str | None, bool]:
        """Resume a paused subscription: as update_subscription answers."""
        return self._written(self._client.v1.subscriptions.resume, sub_id, params, idempotency_key)

    def _written(
        self, method: Callable[..., Any], sub_id: str, params: dict[str, Any], idempotency_key: str
    ) -> tuple[Subscription, str | None, bool]:
        obj = call(lambda: method(sub_id, params=params, options={"idempotency_key": idempotency_key}))
        response = obj.last_response
        replayed = bool(response and response.headers.get("Idempotent-Replayed") == "true")
        return convert.subscription(convert.plain(obj)), (response.request_id if response else None), replayed

    def price_tiers(self) -> list[PriceTiers]:
        """Every tiered price's tiers, in one paged list (`expand[]=data.tiers`: Stripe sends tiers only when
        asked, and a subscription list cannot expand that deep)."""
        params = {"limit": PAGE_SIZE, "expand": ["data.tiers"]}
        with translated():
            pages = self._client.v1.prices.list(params=params).auto_paging_iter()  # type: ignore[arg-type]
            found = [convert.plain(p) for p in pages]
        return [convert.price_tiers(p) for p in found if p.get("billing_scheme") == "tiered"]

    def price_tiers_of(self, price_id: str) -> PriceTiers | None:
        """One price's tiers (a tiered price met after the full sync listed them)."""
        obj = convert.plain(call(lambda: self._client.v1.prices.retrieve(price_id, params={"expand": ["tiers"]})))
        return convert.price_tiers(obj) if obj.get("billing_scheme") == "tiered" else None

    def coupon(self, coupon_id: str) -> Coupon | None:
        try:
            return convert.coupon(convert.plain(call(lambda: self._client.v1.coupons.retrieve(coupon_id))))
        except NotFound:
            return None

    def create_coupon(self, params: dict[str, Any], idempotency_key: str) -> Coupon:
        typed = cast("CouponCreateParams", params)  # built and checked by domain.offers.CouponSpec.params()
        obj = call(lambda: self._client.v1.coupons.create(params=typed, options={"idempotency_key": idempotency_key}))
        return convert.coupon(convert.plain(obj))

    def portal_session(
        self,
        customer_id: str,
        *,
        configuration: str | None = None,
        return_url: str | None = None,
        flow: dict[str, Any] | None = None,
        lasting: bool = False,
    ) -> str:
        """A one-time customer portal URL; `lasting`: once expired, it lets the customer confirm their e-mail and get a
        new one (`after_expiration[type]=customer_login`, API 2026-10-28: a link read days later still leads there)."""
        params: dict[str, Any] = {"customer": customer_id}
        if lasting:
            params["after_expiration"] = {"type": "customer_login"}
        if configuration:
            params["configuration"] = configuration
        if return_url:
            params["return_url"] = return_url
        if flow:
            params["flow_data"] = flow
        return call(lambda: self._client.v1.billing_portal.sessions.create(params=cast("SessionCreateParams", params))).url

    def subscription(self, sub_id: str) -> Subscription:
        expand = ["customer", "discounts", "cancellation_details.feedback_option"]
        obj = call(lambda: self._client.v1.subscriptions.retrieve(sub_id, params={"expand": expand}))
        return convert.subscription(convert.plain(obj))

    def coupons(self) -> list[Coupon]:
        with translated():
            return [
                convert.coupon(convert.plain(c))
                for c in self._client.v1.coupons.list(params={"limit": PAGE_SIZE}).auto_paging_iter()
            ]

    def portal_configurations(self) -> list[PortalConfigSummary]:
        with translated():
            pages = self._client.v1.billing_portal.configurations.list(params={"limit": PAGE_SIZE})
            return [convert.portal_config(convert.plain(c)) for c in pages.auto_paging_iter()]


for _name, _fn in list(vars(StripeGateway).items()):
    if inspect.isfunction(_fn) and not _name.startswith("_"):
        setattr(StripeGateway, _name, readable(_fn))  # every answer read through the gateway fails as a ConsoleError
