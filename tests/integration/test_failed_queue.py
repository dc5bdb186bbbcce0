"""The failed-payments queue (issue 33 §2) through the real SDK against the sandbox: every subscription whose open
invoice failed to charge is one row, recounted from Stripe's own objects; a new failure appears at the next sync with
its decline read once (docs.stripe.com/api/invoice-payment/object: the invoice's payments name its PaymentIntent
since 2025-03-31.basil); a paid invoice leaves; a key without PaymentIntents: Read still lists the rows; a read that
fails loses nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest

from console.domain import dunning
from console.domain.failed import FAILED_FIELDS
from console.sandbox.app import Sandbox
from console.sandbox.keys import ALL_PERMISSIONS
from tests.integration.conftest import cli_runner, client_for
from tests.integration.test_sandbox_payments import renew, subscribed

SHOWN = ("past_due", "unpaid", "paused")


def stripe_failures(sb: Sandbox) -> dict[str, dict]:
    """What Stripe holds, read with the account's secret key: each open, automatically charged invoice with a failed
    attempt whose subscription is still to win back, with its last decline from its InvoicePayment's PaymentIntent."""
    client = client_for(sb, sb.secret_key)
    found = {}
    for inv in client.v1.invoices.list({"status": "open", "limit": 100}).auto_paging_iter():
        sub_id = inv.parent.subscription_details.subscription if inv.parent else None
        if not sub_id or inv.attempt_count == 0 or inv.collection_method != "charge_automatically":
            continue
        if client.v1.subscriptions.retrieve(sub_id).status not in SHOWN:
            continue
        pays = client.v1.invoice_payments.list({"invoice": inv.id, "expand": ["data.payment.payment_intent"]}).data
        error = pays[0].payment.payment_intent.last_payment_error
        found[sub_id] = {
            "invoice": inv.id,
            "amount_due_minor": inv.amount_remaining,
            "attempts": inv.attempt_count,
            "decline_code": (error.decline_code or error.code) if error else None,
        }
    return found


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    with Sandbox(seed=29, customers=300) as sb:
        yield sb, tmp_path_factory.mktemp("failed-data")


@pytest.fixture
def run(account, monkeypatch, capsys, process_hooks):
    sb, data = account
    return cli_runner(sb, data, monkeypatch, capsys, "Robin (CS)")


@pytest.fixture
def fresh(tmp_path, monkeypatch, capsys, process_hooks):
    with Sandbox(seed=31, customers=20) as sb:
        yield cli_runner(sb, tmp_path, monkeypatch, capsys, "Robin (CS)")


def rows_of(run, *flags: str) -> list[dict]:
    code, out, err = run("failed", "--format", "json", *flags)
    assert code == 0, err
    return json.loads(out)


def test_every_failing_subscription_is_one_row_recounted_from_stripes_invoices_and_payment_intents(account, run):
    sb, _ = account
    code, out, _ = run("sync")
    assert code == 0, out
    rows = rows_of(run)
    expected = stripe_failures(sb)
    assert len(expected) >= 3, "the seeded account should have failures in their retry window"
    # the summary counts the rows the queue shows, not every open failing invoice (those of canceled ones are lost)
    assert f", {len(rows)} to win back." in out
    client = client_for(sb, sb.secret_key)
    lost = [
        inv.id
        for inv in client.v1.invoices.list({"status": "open", "limit": 100}).auto_paging_iter()
        if inv.attempt_count
        and inv.parent
        and client.v1.subscriptions.retrieve(inv.parent.subscription_details.subscription).status == "canceled"
    ]
    assert lost, "the seeded account should have open failing invoices of canceled subscriptions too"
    assert {
        r["subscription"]: {k: r[k] for k in ("invoice", "amount_due_minor", "attempts", "decline_code")} for r in rows
    } == expected
    assert all(tuple(r) == FAILED_FIELDS for r in rows)
    by_currency: dict[str, list[dict]] = {}
    for r in rows:  # one currency after another (never compared), each by MRR at stake, then the soonest end
        by_currency.setdefault(r["currency"], []).append(r)
    assert [r["currency"] for r in rows] == [c for c, group in by_currency.items() for _ in group]
    for group in by_currency.values():
        assert [(-r["mrr_minor"], r["ends_at"]) for r in group] == sorted((-r["mrr_minor"], r["ends_at"]) for r in group)
    from console.store import Cache

    [path] = list(run.data.glob("acct_*-test.sqlite3"))
    cache = Cache(path)  # the window shows the first rows before the rest: they are the whole queue's first rows
    assert [r.collection.invoice_id for r in cache.failed_rows(False, limit=3)] == [r["invoice"] for r in rows[:3]]
    cache.close()
    for r in rows:
        assert r["next_step"] in ("new_card", "wait", "retry", "contact")
        assert (r["next_attempt_at"] is None) == (not r["stripe_will_retry"])
        assert r["decline"].endswith(f"({r['decline_code']})")


def test_csv_table_and_each_filter_show_the_same_rows(account, run):
    run("sync")
    rows = rows_of(run)
    code, out, _ = run("failed", "--format", "csv")
    records = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and tuple(records[0]) == FAILED_FIELDS
    assert [r["invoice"] for r in records] == [r["invoice"] for r in rows]
    code, table, _ = run("failed")
    assert code == 0 and table.splitlines()[0].split()[:2] == ["Customer", "Due"]
    assert f"{len(rows)} failed payments" in table
    for step in ("new_card", "wait", "retry", "contact"):
        assert rows_of(run, "--step", step) == [r for r in rows if r["next_step"] == step]
    assert rows_of(run, "--unowned") == rows  # nobody has taken one yet
    assert rows_of(run, "--owner", "Someone Else") == []
    assert rows_of(run, "--mine") == []
    due = rows_of(run, "--due")
    assert {r["invoice"] for r in due} <= {r["invoice"] for r in rows}


def test_a_soft_decline_appears_at_the_next_sync_with_its_decline_read_once_and_leaves_when_stripes_retry_pays(fresh):
    sb = fresh.sb
    assert fresh("sync")[0] == 0
    client, customer, sub = subscribed(sb, "pm_card_visa")
    failing = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})  # 0341
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": failing.id}})
    invoice = renew(sb, client, sub)
    assert invoice.status == "open" and invoice.attempt_count == 1
    sb.clear_log()
    code, out, _ = fresh("sync")
    assert code == 0, out
    reads = [e.path for e in sb.log if e.path.startswith("/v1/invoice_payments")]
    assert reads == ["/v1/invoice_payments"]  # one read for the one new failure
    [row] = [r for r in rows_of(fresh) if r["subscription"] == sub.id]
    assert (row["invoice"], row["attempts"], row["decline_code"], row["next_step"]) == (invoice.id, 1, "generic_decline", "wait")
    assert row["card"].endswith("0341, 12/2034") and row["stripe_will_retry"]
    from console.store import Cache

    [path] = [p for p in fresh.data.glob("acct_*-test.sqlite3")]
    cache = Cache(path)
    assert [(e["kind"], e["detail"]["words"]) for e in cache.timeline(sub.id) if e["kind"] == "payment_failed"] == [
        ("payment_failed", "attempt 1")
    ]  # from its invoice.payment_failed event
    cache.close()
    sb.clear_log()
    fresh("sync")  # quiet: nothing read again
    assert not [e for e in sb.log if e.path.startswith("/v1/invoice_payments")]
    good = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": good.id}})
    sb.advance(client.v1.invoices.retrieve(invoice.id).next_payment_attempt - sb.state.clock.now() + 60)
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    fresh("sync")
    assert sub.id not in {r["subscription"] for r in rows_of(fresh)}


def test_a_hard_decline_asks_for_a_new_card_stripe_does_not_retry_it_and_the_new_card_pays(fresh):
    sb = fresh.sb
    client, customer, sub = subscribed(sb, "pm_card_visa")
    pm_id = client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    sb.state.get("payment_method", pm_id)["_fails"] = "lost_card"  # reported lost after it was attached
    invoice = renew(sb, client, sub)
    fresh("sync")
    [row] = [r for r in rows_of(fresh) if r["subscription"] == sub.id]
    assert row["decline_code"] == "lost_card" and row["next_step"] == "new_card"
    assert row["stripe_will_retry"] is False and row["next_attempt_at"] is None
    assert dunning.retry_refusal(dunning.Failure("open", "card_declined", "lost_card", True, False, None, 1), 0).startswith(
        "The card was reported lost"
    )
    new = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": new.id}})
    sb.advance(client.v1.invoices.retrieve(invoice.id).next_payment_attempt - sb.state.clock.now() + 60)
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    fresh("sync")
    assert sub.id not in {r["subscription"] for r in rows_of(fresh)}


def test_a_key_that_may_not_read_payment_intents_lists_the_rows_and_says_what_it_cannot_know(tmp_path, monkeypatch, capsys):
    with Sandbox(seed=29, customers=300) as sb:
        run = cli_runner(sb, tmp_path, monkeypatch, capsys, "Robin (CS)")
        monkeypatch.setenv("STRIPE_API_KEY", sb.make_key(ALL_PERMISSIONS - {"rak_payment_intent_read"}))
        code, out, _ = run("sync")
        assert code == 0 and "why payments failed" in out and "PaymentIntents: Read" in out
        rows = rows_of(run)
        assert {r["subscription"] for r in rows} == set(stripe_failures(sb))
        assert all(r["decline_code"] is None and "read at the next sync" in r["decline"] for r in rows)


def failing_renewal(sb: Sandbox):
    """A customer whose card (0341) now fails, and their renewal's open invoice: (subscription, invoice)."""
    client, customer, sub = subscribed(sb, "pm_card_visa")
    failing = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": failing.id}})
    return sub, renew(sb, client, sub)


def test_a_decline_read_that_fails_is_read_at_the_next_sync(fresh):
    sb = fresh.sb
    fresh("sync")
    sub, _ = failing_renewal(sb)
    for _ in range(5):  # every try of the read, the SDK's own retries included
        sb.mangle_next("html", "/v1/invoice_payments")
    code, _, err = fresh("sync")
    assert code != 0 and "churn-console" in err
    sb.clear_mangles()
    [row] = [r for r in rows_of(fresh) if r["subscription"] == sub.id]
    assert row["decline_code"] is None  # kept, and known to be unread
    assert fresh("sync")[0] == 0
    [row] = [r for r in rows_of(fresh) if r["subscription"] == sub.id]
    assert row["decline_code"] == "generic_decline"


@pytest.mark.parametrize("prefix", ["/v1/invoices?status=open&collection_method=charge_automatically", "/v1/invoice_payments"])
def test_a_first_sync_whose_invoice_reads_fail_lists_the_failures_at_the_next(tmp_path, monkeypatch, capsys, prefix):
    """A first sync's listing of open invoices fails, or its decline reads do: the next sync still ends with every
    failure Stripe holds, declines read (nothing was marked listed or read before it was stored)."""
    with Sandbox(seed=29, customers=300) as sb:
        run = cli_runner(sb, tmp_path, monkeypatch, capsys, "Robin (CS)")
        failing_renewal(sb)
        for _ in range(300):  # every try of every such read (8 in flight), the SDK's own retries included
            sb.mangle_next("html", prefix)
        code, _, err = run("sync")
        assert code != 0 and "churn-console" in err
        sb.clear_mangles()
        assert run("sync")[0] == 0
        rows = rows_of(run)
        assert {r["subscription"]: r["decline_code"] for r in rows} == {
            s: f["decline_code"] for s, f in stripe_failures(sb).items()
        }


def test_the_listing_read_beside_the_invoices_is_stored_after_their_older_events(tmp_path):
    """A sync that lists the open invoices reads the listing and its declines beside the saves' invoices (sync/engine.py:
    the bucket shared, a 2,000-customer first sync 5 s shorter), but stores them after the invoice events it read
    earlier: an invoice paid between the events and the listing is off the desk, never brought back by its older
    `invoice.payment_failed`. Real HTTP; the payment is made by the account as the listing is about to be read."""
    from console.services.workspace import Workspace
    from console.stripe_gateway import StripeGateway
    from console.sync.failures import LISTED

    with Sandbox(seed=37, customers=200) as sb:
        client, customer, sub = subscribed(sb, "pm_card_visa")
        failing = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})
        client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": failing.id}})
        end = min(i.current_period_end for i in sub["items"].data)
        sb.advance(end - sb.state.clock.now() - 120)  # two minutes before the renewal: the events cursor holds after
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        ws.sync()
        sb.advance(240)  # the renewal fails: its invoice.payment_failed is in the events the next sync reads first
        invoice = client.v1.invoices.list({"subscription": sub.id, "limit": 1}).data[0]
        assert invoice.status == "open" and invoice.attempt_count == 1
        ws.cache.set_meta(LISTED, None)  # a cache that never stored a listing: this sync lists every open invoice
        gateway, paid = ws.need_gateway(), []
        real = gateway.open_invoice_page

        def page_after_a_payment(after=None):
            if not paid:  # the customer pays with a new card, after the events were read, before the listing
                card = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
                paid.append(client.v1.invoices.pay(invoice.id, {"payment_method": card.id}).status)
            return real(after)

        gateway.open_invoice_page = page_after_a_payment
        report = ws.sync()
        assert report.kind == "incremental" and report.invoice_events >= 1  # the failure's event was applied
        assert paid == ["paid"] and ws.cache.get_meta(LISTED) is not None
        assert invoice.id not in {r.collection.invoice_id for r in ws.cache.failed_rows(False)}
        assert ws.cache.declines_due() == []  # each failing one's decline read, ahead
        assert {r.subscription_id: r.decline.decline_code or r.decline.code for r in ws.cache.failed_rows(False)} == {
            s: f["decline_code"] for s, f in stripe_failures(sb).items()
        }
        ws.close()
