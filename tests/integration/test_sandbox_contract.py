"""Every sandbox endpoint, through the real SDK: shapes match the SDK's declared fields and types."""

from __future__ import annotations

import json
from importlib import resources

import pytest
import stripe
from stripe._account import Account
from stripe._coupon import Coupon
from stripe._customer import Customer
from stripe._discount import Discount
from stripe._event import Event
from stripe._invoice import Invoice
from stripe._price import Price
from stripe._product import Product
from stripe._subscription import Subscription
from stripe._subscription_item import SubscriptionItem
from stripe.billing_portal._configuration import Configuration
from stripe.billing_portal._session import Session
from stripe.test_helpers._test_clock import TestClock as StripeTestClock

from tests.integration.conftest import client_for
from tests.support.sdk_types import shape_problems

SHAPES = json.loads(resources.files("console.sandbox").joinpath("shapes.json").read_text("utf-8"))


def check(obj, cls, example: str | None = None) -> None:
    """No undeclared keys, every value of its declared type, and every field Stripe's example has."""
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    assert shape_problems(data, cls, cls.__name__) == []
    if example:
        missing = set(SHAPES[example]) - set(data) - {"subscription"}  # invoice.subscription left the API in 2025
        assert missing == set(), f"{cls.__name__} lacks {sorted(missing)}"


def first_pending(client):
    for sub in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter():
        if sub.cancel_at_period_end:
            return sub
    raise AssertionError("the seed has pending cancellations")


def test_subscriptions_list_and_retrieve(shared_client):
    page = shared_client.v1.subscriptions.list({"limit": 5, "expand": ["data.customer"]})
    assert page.object == "list" and len(page.data) == 5
    for sub in page.data:
        check(sub, Subscription, "subscription")
        check(sub.customer, Customer, "customer")
        check(sub["items"].data[0], SubscriptionItem, "subscription_item")
        check(sub["items"].data[0].price, Price, "price")
    one = shared_client.v1.subscriptions.retrieve(page.data[0].id, {"expand": ["customer", "discounts", "latest_invoice"]})
    check(one, Subscription, "subscription")


def test_discounts_expand_to_discount_objects(shared_client):
    discounted = next(
        s for s in shared_client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter() if s.discounts
    )
    sub = shared_client.v1.subscriptions.retrieve(discounted.id, {"expand": ["discounts"]})
    for disc in sub.discounts:
        check(disc, Discount, "discount")
        assert disc.source.coupon


def test_customers(shared_client):
    page = shared_client.v1.customers.list({"limit": 3})
    for cust in page.data:
        check(cust, Customer, "customer")
    check(shared_client.v1.customers.retrieve(page.data[0].id), Customer, "customer")


def test_coupons(shared_client):
    page = shared_client.v1.coupons.list({"limit": 10})
    assert len(page.data) == 8
    for coupon in page.data:
        check(coupon, Coupon, "coupon")
    check(shared_client.v1.coupons.retrieve("RETAIN25-3M"), Coupon, "coupon")


def test_products_and_prices(shared_client):
    products = shared_client.v1.products.list({"limit": 10}).data
    assert len(products) == 10
    for product in products:
        check(product, Product, "product")
    prices = shared_client.v1.prices.list({"limit": 100}).data
    assert {p.currency for p in prices} == {"usd", "eur", "jpy"}
    assert {p.recurring.interval for p in prices} == {"month", "year", "week"}
    assert {p.billing_scheme for p in prices} == {"per_unit", "tiered"}
    assert {p.recurring.usage_type for p in prices} == {"licensed", "metered"}
    for price in prices:
        check(price, Price, "price")
        assert "tiers" not in price  # Stripe sends tiers only when they are expanded
    tiered = shared_client.v1.prices.list({"limit": 100, "expand": ["data.tiers"]}).data
    for price in tiered:
        check(price, Price, "price")
        assert (price.tiers is not None) == (price.billing_scheme == "tiered")
    one = next(p for p in tiered if p.billing_scheme == "tiered")
    assert shared_client.v1.prices.retrieve(one.id, {"expand": ["tiers"]}).tiers[-1].up_to is None


def test_invoices_hold_coherent_values_and_usage_lines(shared_client):
    """No fixture filler (amount_overpaid, last_finalization_error, due_date 1234567890); lines name their price."""
    invoices = list(shared_client.v1.invoices.list({"limit": 100}).auto_paging_iter())
    assert invoices
    for inv in invoices[:200]:
        check(inv, Invoice, "invoice")
        assert inv.amount_overpaid == 0 and inv.last_finalization_error is None and inv.due_date is None
        assert inv.subtotal == sum(line.amount for line in inv.lines.data)
        assert inv.total == inv.subtotal - sum(d.amount for d in inv.total_discount_amounts)
        for line in inv.lines.data:
            assert line.pricing.price_details.price.startswith("price_")


def test_portal_configurations(shared_client):
    configs = shared_client.v1.billing_portal.configurations.list().data
    assert len(configs) == 2
    default = next(c for c in configs if c.is_default)
    assert default.features.subscription_cancel.cancellation_reason.enabled
    for config in configs:
        check(config, Configuration, "billing_portal.configuration")
    check(shared_client.v1.billing_portal.configurations.retrieve(default.id), Configuration, "billing_portal.configuration")


def test_events_and_invoices(shared_client):
    events = shared_client.v1.events.list({"limit": 20}).data
    assert events
    for event in events:
        check(event, Event, "event")
    invoices = shared_client.v1.invoices.list({"limit": 10, "status": "paid"}).data
    assert invoices and all(i.status == "paid" for i in invoices)
    for invoice in invoices:
        check(invoice, Invoice, "invoice")
    sub_id = invoices[0].parent.subscription_details.subscription
    by_sub = shared_client.v1.invoices.list({"subscription": sub_id, "limit": 100}).data
    assert by_sub and all(i.parent.subscription_details.subscription == sub_id for i in by_sub)
    check(shared_client.v1.events.retrieve(events[0].id), Event, "event")


def test_account(shared_sandbox):
    account = client_for(shared_sandbox, shared_sandbox.secret_key).v1.accounts.retrieve_current()  # sk_ keys read it
    check(account, Account, "account")
    assert account.settings.dashboard.display_name == "Acme Analytics"


def test_test_clocks(sandbox, client):
    clocks = client.v1.test_helpers.test_clocks.list().data
    assert len(clocks) == 1
    check(clocks[0], StripeTestClock, "test_helpers.test_clock")


def test_mutations_return_declared_shapes(sandbox, client):
    pending = first_pending(client)
    updated = client.v1.subscriptions.update(pending.id, {"cancel_at_period_end": False, "discounts": [{"coupon": "HALF-1M"}]})
    check(updated, Subscription, "subscription")
    deleted = client.v1.subscriptions.delete_discount(pending.id)
    assert deleted.deleted is True and deleted.object == "discount"
    coupon = client.v1.coupons.create(
        {"percent_off": 15, "duration": "repeating", "duration_in_months": 2, "name": "15% off for 2 months"}
    )
    check(coupon, Coupon, "coupon")
    assert client.v1.coupons.delete(coupon.id).deleted is True
    customer = pending.customer
    session = client.v1.billing_portal.sessions.create({"customer": customer})
    check(session, Session, "billing_portal.session")
    config = client.v1.billing_portal.configurations.create({"features": {"invoice_history": {"enabled": True}}})
    check(config, Configuration, "billing_portal.configuration")
    config = client.v1.billing_portal.configurations.update(config.id, {"business_profile": {"headline": "Hi"}})
    check(config, Configuration, "billing_portal.configuration")
    canceled = client.v1.subscriptions.cancel(pending.id)
    check(canceled, Subscription, "subscription")
    assert canceled.status == "canceled"


@pytest.mark.parametrize(
    ("call", "status", "kind"),
    [
        (lambda c: c.v1.subscriptions.retrieve("sub_missing"), 404, stripe.InvalidRequestError),
        (lambda c: c.v1.customers.retrieve("cus_missing"), 404, stripe.InvalidRequestError),
        (lambda c: c.v1.coupons.retrieve("NOPE"), 404, stripe.InvalidRequestError),
        (lambda c: c.v1.billing_portal.configurations.retrieve("bpc_missing"), 404, stripe.InvalidRequestError),
        (lambda c: c.v1.events.retrieve("evt_missing"), 404, stripe.InvalidRequestError),
    ],
)
def test_unknown_ids_are_resource_missing(shared_client, call, status, kind):
    with pytest.raises(kind) as info:
        call(shared_client)
    err = info.value
    assert err.http_status == status
    assert err.code == "resource_missing"
    assert err.json_body["error"]["type"] == "invalid_request_error"
    assert "No such" in err.user_message


def test_create_subscription(sandbox, client):
    customer = client.v1.customers.list({"limit": 1}).data[0]
    price = next(p for p in client.v1.prices.list({"limit": 100}).data if p.currency == "eur" and p.recurring.interval == "month")
    sub = client.v1.subscriptions.create(
        {
            "customer": customer.id,
            "items": [{"price": price.id, "quantity": 3}],
            "metadata": {"source": "test"},
            "trial_period_days": 14,
        }
    )
    check(sub, Subscription, "subscription")
    assert sub.status == "trialing" and sub.currency == "eur"
    assert sub["items"].data[0].quantity == 3 and sub.metadata["source"] == "test"
    created = client.v1.events.list({"types": ["customer.subscription.created"], "limit": 5}).data
    assert created[0].data.object.id == sub.id
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": "price_missing"}]})
    assert info.value.param == "items[0][price]"
