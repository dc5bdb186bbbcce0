"""stripe_gateway/convert.py: Stripe's JSON read into the console's records. Each case starts from Stripe's own
example object (the shapes the sandbox serves, taken from Stripe's OpenAPI fixtures) with the fields at stake set
as Stripe documents them; a field the console cannot do without, missing or of another type, raises."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from console.sandbox.state import example
from console.stripe_gateway import convert

T0 = 1_764_000_000


def stripe_subscription(**fields) -> dict:
    obj = copy.deepcopy(example("subscription"))
    obj.update(
        id="sub_1", customer="cus_1", status="active", currency="eur", created=T0, cancel_at=None, canceled_at=None,
        ended_at=None, cancel_at_period_end=False, discounts=[], metadata={}, pause_collection=None, schedule=None,
        trial_end=None, cancellation_details={"comment": None, "feedback": None, "reason": None},
    )  # fmt: skip
    item = obj["items"]["data"][0]
    item.update(id="si_1", quantity=3, current_period_end=T0 + 30 * 86400)
    item["price"].update(id="price_team", nickname="Team", unit_amount=1100, currency="eur", transform_quantity=None)
    obj.update(fields)
    return obj


def test_a_subscription_with_its_customer_id_items_and_period_on_the_item():
    sub = convert.subscription(stripe_subscription())
    assert (sub.id, sub.customer_id, sub.customer_name, sub.currency) == ("sub_1", "cus_1", None, "eur")
    assert sub.created == datetime.fromtimestamp(T0, UTC) and not sub.pending_cancellation
    [item] = sub.items
    assert (item.price_id, item.quantity, item.unit_amount, item.interval, item.item_id) == (
        "price_team",
        3,
        1100,
        "month",
        "si_1",
    )
    assert item.current_period_end == datetime.fromtimestamp(T0 + 30 * 86400, UTC) and item.mrr_minor == 3300
    assert sub.billing_mode == "classic" and sub.collection_method == "charge_automatically"


def test_an_event_in_an_api_version_before_2025_03_31_has_the_period_on_the_subscription():
    obj = stripe_subscription(current_period_end=T0 + 86400)
    del obj["items"]["data"][0]["current_period_end"]
    assert convert.subscription(obj).items[0].current_period_end == datetime.fromtimestamp(T0 + 86400, UTC)
    del obj["current_period_end"]
    assert convert.subscription(obj).items[0].current_period_end is None  # unknown, never "now"


def test_a_pending_cancellation_with_the_survey_a_custom_reason_and_an_expanded_deleted_customer():
    obj = stripe_subscription(
        cancel_at_period_end=True, canceled_at=T0 + 5,
        customer={"id": "cus_1", "object": "customer", "deleted": True},
        cancellation_details={"comment": "Too pricey", "feedback": "too_expensive", "reason": "cancellation_requested",
                              "feedback_option": {"id": "fo_1", "object": "billing.feedback_option", "description": "Budget"}},
    )  # fmt: skip
    sub = convert.subscription(obj)
    assert sub.pending_cancellation and sub.customer_deleted and sub.comment == "Too pricey"
    assert (sub.feedback, sub.feedback_option, sub.feedback_text, sub.cancel_reason) == (
        "too_expensive", "fo_1", "Budget", "cancellation_requested",
    )  # fmt: skip
    obj["cancellation_details"]["feedback_option"] = "fo_1"  # not expanded: the id only
    assert convert.subscription(obj).feedback_option == "fo_1" and convert.subscription(obj).feedback_text is None


def test_discounts_as_ids_or_expanded_objects_pauses_schedules_and_billing_mode():
    discount = {**example("discount"), "id": "di_1", "end": T0 + 99, "source": {"coupon": {"id": "HALF"}, "type": "coupon"}}
    obj = stripe_subscription(
        discounts=[discount], pause_collection={"behavior": "void", "resumes_at": T0 + 50},
        schedule={"id": "sub_sched_1"}, billing_mode={"type": "flexible"}, collection_method="send_invoice",
    )  # fmt: skip
    sub = convert.subscription(obj)
    assert (
        sub.discount_ids == ("di_1",)
        and sub.coupon_ids == ("HALF",)
        and sub.discount_ends == (datetime.fromtimestamp(T0 + 99, UTC),)
    )
    assert sub.paused and sub.pause_resumes_at == datetime.fromtimestamp(T0 + 50, UTC)
    assert (sub.schedule_id, sub.billing_mode, sub.collection_method) == ("sub_sched_1", "flexible", "send_invoice")
    ids_only = convert.subscription(stripe_subscription(discounts=["di_1", "di_2"], schedule="sub_sched_2"))
    assert ids_only.discount_ids == ("di_1", "di_2") and ids_only.coupon_ids == () and ids_only.discount_ends == ()
    assert ids_only.schedule_id == "sub_sched_2"


def test_a_real_pause_says_when_it_began():
    obj = stripe_subscription(
        status="paused", status_details={"paused": {"transitioned_at": T0 + 7, "reason": "pause_requested"}}
    )
    sub = convert.subscription(obj)
    assert sub.status == "paused" and sub.paused_at == datetime.fromtimestamp(T0 + 7, UTC)


def test_metered_tiered_and_per_1000_prices_keep_what_values_them():
    obj = stripe_subscription()
    price = obj["items"]["data"][0]["price"]
    price["recurring"]["usage_type"] = "metered"
    price.update(billing_scheme="tiered", tiers_mode="graduated", unit_amount=None, unit_amount_decimal="0.5",
                 transform_quantity={"divide_by": 1000, "round": "up"})  # fmt: skip
    item = convert.subscription(obj).items[0]
    assert (item.usage_type, item.quantity, item.billing_scheme, item.tiers_mode) == ("metered", 0, "tiered", "graduated")
    assert (item.unit_amount, item.unit_amount_decimal, item.transform_divide_by, item.transform_round) == (0, "0.5", 1000, "up")


@pytest.mark.parametrize(
    "break_it",
    [
        lambda o: o.update(currency=None),
        lambda o: o.update(created="yesterday"),
        lambda o: o["items"]["data"][0].update(price=None),
        lambda o: o["items"]["data"][0]["price"].update(recurring=None),
        lambda o: o.update(customer={"object": "customer"}),
        lambda o: o.update(items={"data": "si_1"}),
    ],
    ids=["currency", "created", "price", "recurring", "customer id", "items"],
)
def test_a_field_the_console_needs_missing_or_of_another_type_raises_never_a_silent_zero(break_it):
    obj = stripe_subscription()
    break_it(obj)
    with pytest.raises((TypeError, KeyError)):
        convert.subscription(obj)


def test_tiers_with_decimal_strings_and_an_unbounded_last_tier():
    tiers = convert.price_tiers(
        {"id": "price_t", "tiers_mode": "volume", "tiers": [
            {"up_to": 10, "unit_amount": 500, "flat_amount": None},
            {"up_to": None, "unit_amount": None, "unit_amount_decimal": "412.5", "flat_amount_decimal": "100"},
        ]}
    )  # fmt: skip
    assert tiers.mode == "volume" and [(t.up_to, t.unit, t.flat) for t in tiers.tiers] == [
        (10, Decimal(500), Decimal(0)), (None, Decimal("412.5"), Decimal(100)),
    ]  # fmt: skip


def test_usage_is_read_from_metered_invoice_lines_and_prorations_are_left_out():
    invoice = copy.deepcopy(example("invoice"))
    invoice["id"] = "in_1"
    [line] = invoice["lines"]["data"]
    line.update(amount=1234, quantity=20, period={"start": T0, "end": T0 + 10})
    line["parent"]["subscription_item_details"].update(subscription_item="si_1", proration=False)
    line["pricing"]["price_details"] = {"price": "price_metered", "product": "prod_1"}
    proration = copy.deepcopy(line)
    proration["parent"]["subscription_item_details"]["proration"] = True
    invoice["lines"]["data"] = [line, proration]
    [usage] = convert.usage_lines(invoice)
    assert (usage.item_id, usage.price_id, usage.amount_minor, usage.quantity, usage.invoice_id, usage.period_end) == (
        "si_1", "price_metered", 1234, 20, "in_1", T0 + 10,
    )  # fmt: skip


def test_coupons_portal_configurations_feedback_options_and_accounts():
    coupon = convert.coupon(
        {**example("coupon"), "id": "HALF", "percent_off": 50, "duration": "repeating", "duration_in_months": 3}
    )
    assert (coupon.id, coupon.percent_off, coupon.duration_in_months, coupon.valid) == ("HALF", 50, 3, True)
    config = convert.portal_config({**example("billing_portal.configuration"), "id": "bpc_1", "updated": T0})
    assert config.id == "bpc_1" and config.updated == datetime.fromtimestamp(T0, UTC)
    assert all(isinstance(f, str) for f in config.features_on)
    option = convert.feedback_option(
        {"id": "fo_1", "object": "billing.feedback_option", "description": "Budget", "status": "inactive"}
    )
    assert (option.id, option.description, option.active) == ("fo_1", "Budget", False)
    account = convert.account({**example("account"), "id": "acct_1", "settings": {"dashboard": {"display_name": "Acme"}}}, True)
    assert (account.id, account.name, account.livemode, account.readable) == ("acct_1", "Acme", True, True)
    refused = convert.account_from_refusal(
        "The provided key 'rk_test_…' does not have the required permissions for this endpoint on account 'acct_9Z'.",
        False, "Acme profile", fallback_id="acct_unknown",
    )  # fmt: skip
    assert (refused.id, refused.name, refused.readable) == ("acct_9Z", "Acme profile", False)


def test_an_event_is_read_as_the_change_of_its_object():
    event = copy.deepcopy(example("event"))
    event.update(id="evt_1", type="customer.subscription.updated", created=T0)
    event["data"] = {
        "object": stripe_subscription(cancel_at_period_end=True),
        "previous_attributes": {"cancel_at_period_end": False},
    }
    change = convert.change(event)
    assert change.subscription.id == "sub_1" and change.previous == {"cancel_at_period_end": False}
    event.update(type="customer.deleted")
    event["data"] = {"object": {"id": "cus_1", "object": "customer", "deleted": True}}
    assert convert.change(event).customer.deleted
    event.update(type="customer.discount.created")
    event["data"] = {"object": {**example("discount"), "id": "di_1", "subscription": "sub_1", "end": None,
                                "source": {"coupon": "HALF", "type": "coupon"}}}  # fmt: skip
    assert convert.change(event).discount == ("di_1", "HALF", "sub_1", None)


def test_a_list_answer_must_be_a_list():
    assert convert.page({"object": "list", "data": [{"id": "x"}], "has_more": True}) == ([{"id": "x"}], True)
    with pytest.raises(TypeError):
        convert.page("<html>")
    with pytest.raises(TypeError):
        convert.page({"data": None, "has_more": False})


def test_invoice_events_name_their_subscription_in_either_api_versions_shape():
    """Since 2025-03-31.basil an invoice names its subscription at `parent.subscription_details.subscription`; an
    event made on an older version has it at the top (`subscription`, id or expanded). An invoice that bills no
    subscription is nobody's save; `invoice_payment.paid` names its invoice and the amount paid."""
    from console.stripe_gateway.convert import invoice_change

    base = {"id": "in_1", "object": "invoice", "created": 1_790_000_000, "currency": "usd", "status": "paid",
            "amount_paid": 900, "total": 1000, "attempt_count": 1,
            "total_discount_amounts": [{"discount": "di_1", "amount": 100}],
            "discounts": [{"id": "di_1", "source": {"coupon": {"id": "TEN"}}}]}  # fmt: skip
    current = {**base, "parent": {"subscription_details": {"subscription": "sub_new"}}}
    older = {**base, "subscription": {"id": "sub_old", "object": "subscription"}}
    for invoice, sub in ((current, "sub_new"), (older, "sub_old")):
        change = invoice_change({"id": "evt_1", "type": "invoice.paid", "created": 1_790_000_001, "data": {"object": invoice}})
        assert change.invoice is not None and change.invoice.subscription_id == sub
        assert change.invoice.discounts == (("di_1", 100),) and change.coupons == (("di_1", "TEN"),)
    alone = invoice_change({"id": "evt_2", "type": "invoice.created", "created": 1, "data": {"object": {**base, "parent": None}}})
    assert alone.invoice is None
    payment = {"id": "inpay_1", "object": "invoice_payment", "invoice": "in_1", "amount_paid": 900}
    paid = invoice_change({"id": "evt_3", "type": "invoice_payment.paid", "created": 2, "data": {"object": payment}})
    assert paid.paid == ("in_1", 900) and paid.invoice is None
