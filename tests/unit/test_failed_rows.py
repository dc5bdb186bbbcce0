"""A failed payment's row from Stripe's JSON (issue 33): the collection state of an invoice in the current and in an
older API version's shape, the last decline from an InvoicePayment's PaymentIntent, the card in words, when Stripe's
retries run out, and the settings that say so (desk.json) refused when they cannot be right."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from console.domain.failed import Collection, FailedRow, LastDecline
from console.errors import ConsoleError
from console.services.desk_settings import DeskSettings
from console.stripe_gateway.convert_failed import collection, last_decline

BASIL = {  # https://docs.stripe.com/api/invoices/object as of 2025-03-31.basil: the subscription under `parent`
    "id": "in_1", "object": "invoice", "customer": "cus_1", "currency": "usd", "status": "open", "amount_due": 5000,
    "amount_remaining": 3000, "attempt_count": 2, "next_payment_attempt": 1_800_000_000, "created": 1_799_000_000,
    "collection_method": "charge_automatically", "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/x",
    "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_1"}},
}  # fmt: skip


def test_an_open_invoice_with_a_failed_attempt_is_failing_in_either_api_versions_shape():
    now = collection(BASIL)
    assert now is not None and now.failing and now.amount_due == 3000 and now.next_attempt == 1_800_000_000
    older = {k: v for k, v in BASIL.items() if k not in ("parent", "amount_remaining")} | {"subscription": "sub_1"}
    was = collection(older)  # an event kept in an older version: `subscription` at the top, no amount_remaining
    assert was is not None and was.subscription_id == "sub_1" and was.amount_due == 5000
    assert collection({**BASIL, "parent": None}) is None  # a one-off invoice: not a subscription's
    assert not collection({**BASIL, "collection_method": "send_invoice"}).failing  # the customer pays it: no retries
    assert not collection({**BASIL, "attempt_count": 0}).failing  # not attempted yet
    assert not collection({**BASIL, "status": "paid"}).failing


def test_the_last_decline_is_the_default_payments_intent_error_with_the_card_it_tried():
    card = {"id": "pm_1", "card": {"brand": "visa", "last4": "9995", "exp_month": 3, "exp_year": 2027}}
    error = {"code": "card_declined", "decline_code": "insufficient_funds", "advice_code": "try_again_later",
             "message": "Your card has insufficient funds.", "payment_method": card}  # fmt: skip
    payments = [
        {"is_default": False, "payment": {"payment_intent": {"last_payment_error": None}}},
        {"is_default": True, "payment": {"payment_intent": {"last_payment_error": error, "payment_method": "pm_1"}}},
    ]
    found = last_decline(payments, 2)
    assert (found.attempt, found.decline_code, found.payment_method) == (2, "insufficient_funds", "pm_1")
    assert found.card() == "Visa •••• 9995, 03/2027"
    nothing = last_decline([{"is_default": True, "payment": {"payment_intent": {"last_payment_error": None}}}], 1)
    assert not nothing.has_card and nothing.card() == ""  # no card on file: nothing was declined
    assert last_decline([], 1).decline_code is None  # no payment listed (a key that sees none)


def row(next_attempt: int | None, created: int = 1_799_000_000) -> FailedRow:
    c = Collection("in_1", "sub_1", "cus_1", "usd", 3000, "open", 2, next_attempt, True, created)
    return FailedRow(
        c, LastDecline(2, "card_declined", "lost_card", payment_method="pm_1"), "Ann", None, "Team", "past_due", 3000
    )


def test_the_end_is_the_retry_window_from_the_first_attempt_or_stripes_later_attempt():
    assert row(None).ends_at(14) == datetime.fromtimestamp(1_799_000_000 + 14 * 86400, UTC)
    late = 1_799_000_000 + 20 * 86400
    assert row(late).ends_at(14) == datetime.fromtimestamp(late, UTC)
    assert row(None).next_step(1_799_000_000) == "new_card" and not row(1_800_000_000).will_retry()  # a hard decline


@pytest.mark.parametrize(
    "given,problem",
    [({"retry_days": 0}, "retry_days"), ({"retry_days": "14"}, "retry_days"), ({"retry_end": "delete"}, "retry_end")],
)
def test_retry_settings_that_cannot_be_stripes_are_refused_and_the_file_kept(tmp_path, given, problem):
    (tmp_path / "desk.json").write_text(json.dumps(given), "utf-8")
    with pytest.raises(ConsoleError, match=problem):
        DeskSettings.load(tmp_path)
    assert json.loads((tmp_path / "desk.json").read_text("utf-8")) == given


def test_retry_settings_are_written_and_read_back_and_default_to_stripes_recommendation(tmp_path):
    assert (DeskSettings.load(tmp_path).retry_days, DeskSettings.load(tmp_path).retry_end) == (14, "cancel")
    DeskSettings(retry_days=21, retry_end="unpaid").save(tmp_path)
    back = DeskSettings.load(tmp_path)
    assert (back.retry_days, back.retry_end) == (21, "unpaid")


def test_the_preferences_offer_every_end_stripe_has():
    from console.domain.failed import END_ACTIONS
    from console.ui.preferences import END_CHOICES

    assert tuple(END_CHOICES) == END_ACTIONS


def test_a_failure_follows_its_subscriptions_status_and_mrr_as_they_are_written(tmp_path):
    """Schema v9 keeps each failure's MRR and status beside it (the queue is ordered from that table alone): every
    write of the subscription moves them, and a subscription no longer past due leaves the queue at once."""
    import dataclasses
    import random

    from console.store import Cache
    from tests.benchmarks.synthetic import subscriptions

    cache = Cache(tmp_path / "acct-test.sqlite3")
    sub = dataclasses.replace(next(subscriptions(1, 0, random.Random(1))), status="past_due")
    cache.upsert_subscriptions([sub], 1)
    created = int(datetime.now(UTC).timestamp()) - 86400
    with cache.transaction():
        cache.apply_collections([Collection("in_1", sub.id, sub.customer_id, sub.currency, 500, "open", 1, None, True, created)])
    [row] = cache.failed_rows(False)
    assert row.status == "past_due" and row.mrr_minor > 0
    bigger = dataclasses.replace(sub, items=(dataclasses.replace(sub.items[0], quantity=3),))
    cache.upsert_subscriptions([bigger], 2)
    [again] = cache.failed_rows(False)
    assert again.mrr_minor == 3 * row.mrr_minor  # the subscription's new MRR, beside its failure
    cache.upsert_subscriptions([dataclasses.replace(bigger, status="canceled")], 3)
    assert cache.failed_rows(False) == []  # canceled: lost, no longer on the desk
    cache.close()


def test_a_subscription_with_two_failing_invoices_is_one_row_its_newest_in_the_queues_order(tmp_path):
    """A renewal that fails again before the last one was paid leaves two open invoices: the row is the newest one
    (store/failures.py), the currencies come most rows first, then MRR at stake; the first rows of a limited read are
    the whole read's first rows, and a read by id finds the row by either invoice's subscription."""
    import dataclasses
    import random

    from console.store import Cache
    from tests.benchmarks.synthetic import subscriptions

    cache = Cache(tmp_path / "acct-test.sqlite3")
    made = [dataclasses.replace(s, status="past_due") for s in subscriptions(5, 0, random.Random(3))]
    made = [dataclasses.replace(s, currency="eur" if i == 4 else "usd") for i, s in enumerate(made)]
    cache.upsert_subscriptions(made, 1)
    created = int(datetime.now(UTC).timestamp()) - 40 * 86400

    def failing(invoice: str, sub, at: int) -> Collection:
        return Collection(invoice, sub.id, sub.customer_id, sub.currency, 500, "open", 1, None, True, at)

    with cache.transaction():
        cache.apply_collections([failing(f"in_{i}", s, created) for i, s in enumerate(made)])
        cache.apply_collections([failing("in_again", made[0], created + 30 * 86400)])  # made[0]'s next renewal failed too
    rows = cache.failed_rows(False)
    assert len(rows) == 5 and {r.subscription_id for r in rows} == {s.id for s in made}
    assert next(r for r in rows if r.subscription_id == made[0].id).collection.invoice_id == "in_again"
    assert [r.collection.currency for r in rows] == ["usd"] * 4 + ["eur"]  # the currency with the most rows first
    usd = [r.mrr_minor for r in rows[:4]]
    assert usd == sorted(usd, reverse=True)
    assert cache.failed_rows(False, limit=2) == rows[:2]
    assert [r.collection.invoice_id for r in cache.failed_rows(False, ref="in_0")] == []  # not the row's invoice
    assert [r.collection.invoice_id for r in cache.failed_rows(False, ref=made[0].id)] == ["in_again"]
    cache.close()


@pytest.mark.parametrize(
    ("brand", "words"),
    [("amex", "American Express"), ("jcb", "JCB"), ("unionpay", "UnionPay"), ("eftpos_au", "eftpos"),
     ("unknown", "Card"), (None, "Card"), ("new_brand", "New Brand")],
)  # fmt: skip
def test_a_cards_brand_is_written_as_people_write_it(brand, words):
    """The SDK's brand codes (PaymentMethod.Card.brand); a code Stripe adds later is still readable."""
    shown = LastDecline(1, brand=brand, last4="0005", exp_month=12, exp_year=2030).card()
    assert shown == f"{words} •••• 0005, 12/2030"
