"""Customers come and go (Stripe API reference: create, update and delete a customer; customer.* events)."""

from __future__ import annotations

import pytest
import stripe

from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for


@pytest.fixture
def admin(sandbox) -> stripe.StripeClient:
    """What the business's own code (signup, portal) does: a secret key."""
    return client_for(sandbox, sandbox.secret_key)


@pytest.fixture
def workspace(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path, "Acme")
    ws.sync()
    yield ws
    ws.close()


def a_price(admin) -> str:
    return next(p.id for p in admin.v1.prices.list({"limit": 100}).auto_paging_iter() if p.currency == "usd")


def test_sandbox_deleted_customer_reads_and_expands_as_stripes_deleted_object(sandbox, admin):
    cust = admin.v1.customers.create({"name": "Gone Soon", "email": "gone@example.com"})
    sub = admin.v1.subscriptions.create({"customer": cust.id, "items": [{"price": a_price(admin)}]})
    deleted = admin.v1.customers.delete(cust.id)
    assert deleted.deleted is True and deleted.id == cust.id
    again = admin.v1.customers.retrieve(cust.id).to_dict()
    assert again == {"id": cust.id, "object": "customer", "deleted": True}
    # "also immediately cancels any active subscriptions on the customer" (API reference)
    ended = admin.v1.subscriptions.retrieve(sub.id, {"expand": ["customer"]})
    assert ended.status == "canceled" and ended.customer.to_dict()["deleted"] is True
    with pytest.raises(stripe.InvalidRequestError):
        admin.v1.customers.update(cust.id, {"name": "x"})
    assert cust.id not in {c.id for c in admin.v1.customers.list({"limit": 100}).auto_paging_iter()}
    types = [e.type for e in admin.v1.events.list({"limit": 10}).data]
    assert "customer.deleted" in types and "customer.subscription.deleted" in types


def test_a_new_signups_pending_subscription_arrives_by_incremental_sync(sandbox, admin, workspace):
    cust = admin.v1.customers.create({"name": "Brand New", "email": "new@example.com"})
    sub = admin.v1.subscriptions.create({"customer": cust.id, "items": [{"price": a_price(admin)}]})
    admin.v1.subscriptions.update(
        sub.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "unused", "comment": "Just testing"}}
    )
    report = workspace.sync()
    assert report.kind == "incremental"
    row = next(r for r in workspace.queue() if r.subscription_id == sub.id)
    assert row.customer_name == "Brand New" and row.email == "new@example.com" and row.feedback == "unused"
    # and the next sync keeps going
    assert workspace.sync().kind == "incremental"


def test_a_customers_own_edit_reaches_the_queue(sandbox, admin, workspace):
    row = workspace.queue()[0]
    admin.v1.customers.update(row.customer_id, {"name": "Renamed Person", "email": "renamed@example.com"})
    workspace.sync()
    after = next(r for r in workspace.queue() if r.subscription_id == row.subscription_id)
    assert (after.customer_name, after.email) == ("Renamed Person", "renamed@example.com")


def test_a_deleted_customer_leaves_the_queue_and_says_so(sandbox, admin, workspace):
    row = workspace.queue()[0]
    admin.v1.customers.delete(row.customer_id)
    workspace.sync()
    assert row.subscription_id not in {r.subscription_id for r in workspace.queue()}
    sub = workspace.cache.subscription(row.subscription_id)
    assert sub is not None and sub.ended and sub.customer_deleted
    kinds = [t["kind"] for t in workspace.timeline(row.subscription_id)]
    assert "customer_deleted" in kinds
    # a full sync reads the deleted customer expanded as Stripe's deleted object, and keeps the flag
    workspace.sync(full=True)
    assert workspace.cache.subscription(row.subscription_id).customer_deleted
