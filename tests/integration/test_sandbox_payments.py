"""The sandbox charges invoices as Stripe documents it (issue 33 §1), through the real SDK: test cards
(docs.stripe.com/testing), failed renewals with their PaymentIntent's decline, Smart Retries on the account's schedule
(docs.stripe.com/billing/revenue-recovery/smart-retries), what a subscription becomes when they run out, and
`invoices.pay` (docs.stripe.com/api/invoices/pay)."""

from __future__ import annotations

import pytest
import stripe

from console.sandbox.app import Sandbox
from console.sandbox.charges import DEFAULT_RETRIES, slots
from console.sandbox.keys import ALL_PERMISSIONS
from tests.integration.conftest import client_for

DAY = 86400


@pytest.fixture
def sb():
    with Sandbox(seed=23, customers=10) as sandbox:
        yield sandbox


def subscribed(sb: Sandbox, card: str):
    """A new customer with test PaymentMethod `card` as its default, on a monthly plan: (client, customer, subscription)."""
    client = client_for(sb, sb.secret_key)  # the account owner sets customers up (the console's key may not)
    customer = client.v1.customers.create({"name": "Dunning Test", "email": "dunning@example.com"})
    pm = client.v1.payment_methods.attach(card, {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    price = next(p for p in client.v1.prices.list({"limit": 100}).data if p.currency == "usd" and p.recurring.interval == "month")
    sub = client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
    return client, customer, sub


def renew(sb: Sandbox, client, sub):
    """Sandbox time past the subscription's period end: its renewal invoice, charged."""
    end = min(i.current_period_end for i in sub["items"].data)
    sb.advance(end - sb.state.clock.now() + 60)
    return client.v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]


def test_a_card_that_declines_is_refused_when_attached_and_0341_attaches_then_fails(sb):
    """docs.stripe.com/testing: 4000 0000 0000 0341 "attaching this card to a Customer object succeeds, but attempts to
    charge the customer fail"; the decline cards are refused by the attach's check (the stricter reading)."""
    client = client_for(sb, sb.secret_key)  # the account owner sets customers up (the console's key may not)
    customer = client.v1.customers.create({"name": "Card Test"})
    with pytest.raises(stripe.CardError) as info:
        client.v1.payment_methods.attach("pm_card_chargeDeclinedInsufficientFunds", {"customer": customer.id})
    assert info.value.code == "card_declined" and info.value.error.decline_code == "insufficient_funds"
    pm = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})
    assert pm.card.last4 == "0341" and pm.customer == customer.id
    assert [m.id for m in client.v1.customers.payment_methods.list(customer.id).data] == [pm.id]
    attached = client.v1.events.list({"types": ["payment_method.attached"], "limit": 1}).data[0]
    assert attached.data.object.id == pm.id
    with pytest.raises(stripe.InvalidRequestError) as refused:  # another customer's card cannot be made a default
        other = client.v1.customers.create({"name": "Other"})
        client.v1.customers.update(other.id, {"invoice_settings": {"default_payment_method": pm.id}})
    assert refused.value.code == "resource_missing"


def test_a_renewal_on_a_good_card_is_paid_with_its_invoice_payment_and_payment_intent(sb):
    client, _customer, sub = subscribed(sb, "pm_card_visa")
    invoice = renew(sb, client, sub)
    assert invoice.status == "paid" and invoice.amount_paid == invoice.amount_due > 0 and invoice.attempt_count == 1
    payments = client.v1.invoice_payments.list({"invoice": invoice.id, "expand": ["data.payment.payment_intent"]}).data
    assert len(payments) == 1 and payments[0].status == "paid" and payments[0].amount_paid == invoice.amount_due
    intent = payments[0].payment.payment_intent
    assert intent.status == "succeeded" and intent.last_payment_error is None
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_a_soft_decline_is_retried_on_schedule_and_a_new_card_lets_the_next_retry_pay(sb):
    """A declined renewal: open, past_due, the decline on its PaymentIntent, `invoice.payment_failed`; Stripe retries
    on its schedule, charging the customer's default card, so a new card on file is what the next retry charges."""
    client, customer, sub = subscribed(sb, "pm_card_chargeCustomerFail")
    invoice = renew(sb, client, sub)
    assert invoice.status == "open" and invoice.attempt_count == 1 and invoice.next_payment_attempt > invoice.created
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    pay = client.v1.invoice_payments.list({"invoice": invoice.id, "expand": ["data.payment.payment_intent"]}).data[0]
    error = pay.payment.payment_intent.last_payment_error
    assert (error.code, error.decline_code, pay.status) == ("card_declined", "generic_decline", "open")
    failed = client.v1.events.list({"types": ["invoice.payment_failed"], "limit": 1}).data[0]
    assert failed.data.object.id == invoice.id
    sb.advance(invoice.next_payment_attempt - sb.state.clock.now() + 60)  # the first retry: the same card, declined
    again = client.v1.invoices.retrieve(invoice.id)
    assert again.status == "open" and again.attempt_count == 2 and again.next_payment_attempt > invoice.next_payment_attempt
    card = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": card.id}})
    sb.advance(again.next_payment_attempt - sb.state.clock.now() + 60)
    paid = client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.attempt_count == 3 and paid.next_payment_attempt is None
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    types = [e.type for e in client.v1.events.list({"limit": 6}).data]
    assert {"invoice.paid", "invoice_payment.paid", "customer.subscription.updated"} <= set(types)


def test_a_hard_decline_is_not_retried_without_a_new_card_and_the_last_slot_cancels_the_subscription(sb):
    """ "No retry after a hard decline … after an unretryable decline retries run only if a new payment method
    arrives": the schedule runs out with one attempt; then the account's setting (Stripe's default: cancel) ends it."""
    client, _customer, sub = subscribed(sb, "pm_card_authenticationRequired")
    invoice = renew(sb, client, sub)
    assert invoice.status == "open" and invoice.attempt_count == 1
    required = client.v1.events.list({"types": ["invoice.payment_action_required"], "limit": 1}).data
    assert required and required[0].data.object.id == invoice.id
    last = slots(invoice.created, DEFAULT_RETRIES)[-1]
    sb.advance(last - sb.state.clock.now() + 60)
    after = client.v1.invoices.retrieve(invoice.id)
    assert after.attempt_count == 1 and after.next_payment_attempt is None and after.status == "open"
    ended = client.v1.subscriptions.retrieve(sub.id)
    assert ended.status == "canceled" and ended.cancellation_details.reason == "payment_failed"


def test_retries_that_all_fail_count_every_attempt_and_end_as_the_account_says(sb):
    sb.state.account["_retries"] = {"end": "unpaid"}  # Dashboard → Revenue recovery: "mark the subscription unpaid"
    client, _customer, sub = subscribed(sb, "pm_card_chargeCustomerFail")
    invoice = renew(sb, client, sub)
    sb.advance(slots(invoice.created, DEFAULT_RETRIES)[-1] - sb.state.clock.now() + 60)
    after = client.v1.invoices.retrieve(invoice.id)
    assert after.attempt_count == DEFAULT_RETRIES["attempts"] and after.next_payment_attempt is None
    assert client.v1.subscriptions.retrieve(sub.id).status == "unpaid"
    failures = client.v1.events.list({"types": ["invoice.payment_failed"], "limit": 100}).data
    assert sum(e.data.object.id == invoice.id for e in failures) == DEFAULT_RETRIES["attempts"]


def test_pay_now_declines_as_the_card_does_leaves_the_schedule_and_refuses_a_paid_invoice(sb):
    client, customer, sub = subscribed(sb, "pm_card_chargeCustomerFail")
    invoice = renew(sb, client, sub)
    with pytest.raises(stripe.CardError) as info:
        client.v1.invoices.pay(invoice.id, options={"idempotency_key": "pay-1"})
    assert info.value.code == "card_declined" and info.value.error.decline_code == "generic_decline"
    with pytest.raises(stripe.CardError):  # the same key: the same answer, not a second charge
        client.v1.invoices.pay(invoice.id, options={"idempotency_key": "pay-1"})
    tried = client.v1.invoices.retrieve(invoice.id)
    assert tried.attempt_count == 2 and tried.next_payment_attempt == invoice.next_payment_attempt  # schedule kept
    card = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    paid = client.v1.invoices.pay(invoice.id, {"payment_method": card.id})
    assert paid.status == "paid" and paid.amount_paid == invoice.amount_due
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.invoices.pay(invoice.id)
    assert "paid" in refused.value.user_message


def test_paid_out_of_band_marks_it_paid_with_no_charge(sb):
    client, _customer, sub = subscribed(sb, "pm_card_chargeCustomerFail")
    invoice = renew(sb, client, sub)
    marked = client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    assert marked.status == "paid" and marked.attempt_count == 1 and marked.amount_remaining == 0
    own = client.v1.invoice_payments.list({"invoice": invoice.id}).data
    assert [p.status for p in own] == ["canceled"]  # no charge paid it (basil has no paid_out_of_band on the invoice)
    paid = client.v1.events.list({"types": ["invoice.paid"], "limit": 1}).data[0]
    assert paid.data.object.id == invoice.id  # "…or an invoice is marked as paid out-of-band" (event types)
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_marking_uncollectible_stops_the_retries_and_a_past_due_subscription_turns_active(sb):
    """docs.stripe.com/billing/subscriptions/overview: "For past_due subscriptions, paying the latest associated invoice
    or marking it uncollectible transitions the subscription to active"; event `invoice.marked_uncollectible`
    (docs.stripe.com/api/events/types); only an open invoice can be written off; it can still be paid later."""
    client, customer, sub = subscribed(sb, "pm_card_chargeCustomerFail")
    invoice = renew(sb, client, sub)
    assert client.v1.subscriptions.retrieve(sub.id).status == "past_due"
    marked = client.v1.invoices.mark_uncollectible(invoice.id)
    assert marked.status == "uncollectible" and marked.next_payment_attempt is None
    assert marked.status_transitions.marked_uncollectible_at is not None
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    event = client.v1.events.list({"types": ["invoice.marked_uncollectible"], "limit": 1}).data[0]
    assert event.data.object.id == invoice.id
    sb.advance(20 * 86400)  # Stripe's schedule would have run out: no retry, no end
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 1
    with pytest.raises(stripe.InvalidRequestError, match="Only open invoices"):
        client.v1.invoices.mark_uncollectible(invoice.id)


@pytest.mark.parametrize(
    ("permission", "call"),
    [
        ("rak_invoice_write", lambda c: c.v1.invoices.pay("in_x", {"bogus": "1"})),
        ("rak_invoice_write", lambda c: c.v1.invoices.mark_uncollectible("in_x")),
        ("rak_payment_intent_read", lambda c: c.v1.payment_intents.retrieve("pi_x")),
        ("rak_payment_method_write", lambda c: c.v1.payment_methods.retrieve("pm_x")),
    ],
)
def test_each_payment_endpoint_needs_its_permission(sb, permission, call):
    key = sb.make_key(ALL_PERMISSIONS - {permission})
    with pytest.raises(stripe.PermissionError) as info:
        call(client_for(sb, key))
    assert info.value.http_status == 403 and permission.replace("_write", "_") in info.value.user_message


def test_the_seed_gives_every_customer_a_card_and_its_failures_run_through_stripes_attempts():
    """The demo account as a real one has it: every customer a card on file; past-due subscriptions' open invoices
    declined with a real decline and still being retried; others lost when their retries ran out (canceled for
    payment_failed); an expired card's own date is past."""
    with Sandbox(seed=29, customers=300) as sb:
        _seeded_failures(sb)


def _seeded_failures(sb: Sandbox) -> None:
    import datetime as dt

    now = dt.datetime.fromtimestamp(sb.state.clock.now(), dt.UTC)
    client = client_for(sb)  # the console's restricted key reads all of it
    subs = list(client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter())
    for customer in client.v1.customers.list({"limit": 100}).auto_paging_iter():
        assert customer.invoice_settings.default_payment_method, customer.id
    lost = [s for s in subs if s.status == "canceled" and s.cancellation_details.reason == "payment_failed"]
    failing = [s for s in subs if s.status == "past_due" and s.latest_invoice]
    assert lost and failing
    seen_codes = set()
    for sub in failing:
        invoice = client.v1.invoices.retrieve(sub.latest_invoice)
        if invoice.status != "open":
            continue
        assert invoice.attempt_count >= 1 and (invoice.next_payment_attempt or 0) > sb.state.clock.now() - 60
        pay = client.v1.invoice_payments.list({"invoice": invoice.id, "expand": ["data.payment.payment_intent"]}).data[0]
        error = pay.payment.payment_intent.last_payment_error
        seen_codes.add(error.decline_code)
        customer = client.v1.customers.retrieve(invoice.customer)
        card = client.v1.payment_methods.retrieve(customer.invoice_settings.default_payment_method).card
        if error.code == "expired_card":
            assert (card.exp_year, card.exp_month) < (now.year, now.month)
    assert seen_codes and seen_codes <= {"insufficient_funds", "generic_decline", "expired_card", "lost_card"}


def test_a_renewal_with_no_card_on_file_fails_and_waits_for_one(sb):
    """No payment method: the renewal's payment fails with nothing declined (no `last_payment_error`), and Smart
    Retries do not run "without a payment method"; the first retry after a card arrives charges it."""
    client = client_for(sb, sb.secret_key)
    customer = client.v1.customers.create({"name": "No Card"})
    price = next(p for p in client.v1.prices.list({"limit": 100}).data if p.currency == "usd" and p.recurring.interval == "month")
    sub = client.v1.subscriptions.create({"customer": customer.id, "items": [{"price": price.id}]})
    invoice = renew(sb, client, sub)
    assert invoice.status == "open" and invoice.attempt_count == 1
    pay = client.v1.invoice_payments.list({"invoice": invoice.id, "expand": ["data.payment.payment_intent"]}).data[0]
    assert pay.payment.payment_intent.last_payment_error is None
    sb.advance(invoice.next_payment_attempt - sb.state.clock.now() + 60)
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 1  # not retried: there is nothing to charge
    card = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.subscriptions.update(sub.id, {"default_payment_method": card.id})  # the subscription's own card
    waiting = client.v1.invoices.retrieve(invoice.id)
    sb.advance(waiting.next_payment_attempt - sb.state.clock.now() + 60)
    paid = client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid" and paid.attempt_count == 2


def test_a_card_update_link_is_a_portal_session_deep_linked_to_the_payment_method_that_outlives_its_expiry(sb):
    """docs.stripe.com/customer-management/portal-deep-links (`flow_data[type]=payment_method_update`) and
    2026-10-28.endive's `after_expiration` (an expired session lets the customer confirm their e-mail for a new one).
    A configuration without the feature refuses the deep link (the stricter reading)."""
    client = client_for(sb)
    customer = client.v1.customers.list({"limit": 1}).data[0]
    configs = client.v1.billing_portal.configurations.list().data
    enabled = next(c for c in configs if c.features.payment_method_update.enabled)
    session = client.v1.billing_portal.sessions.create(
        {"customer": customer.id, "configuration": enabled.id, "flow_data": {"type": "payment_method_update"},
         "after_expiration": {"type": "customer_login"}}
    )  # fmt: skip
    assert session.flow.type == "payment_method_update" and session.url.startswith(sb.url)
    assert session.after_expiration.type == "customer_login" and session.after_expiration.customer_login.expires_at is None
    owner = client_for(sb, sb.secret_key)
    bare = owner.v1.billing_portal.configurations.create(
        {"features": {"payment_method_update": {"enabled": False}, "invoice_history": {"enabled": True}}}
    )
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.billing_portal.sessions.create(
            {"customer": customer.id, "configuration": bare.id, "flow_data": {"type": "payment_method_update"}}
        )
    assert refused.value.param == "flow_data[type]"
