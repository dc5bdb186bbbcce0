"""The failed-payments desk's charges (issue 33 §3) through the real SDK against the sandbox: "retry now" refused for
a hard decline with no new card, within an hour of Stripe's retry (no racing it: docs.stripe.com/billing/revenue-
recovery/smart-retries) and for an invoice no longer open; one that pays; one the bank declines; never two charges for
one click (the same idempotency key after a lost answer or a crash: docs.stripe.com/api/idempotent_requests); and
"paid another way" (`paid_out_of_band`: docs.stripe.com/api/invoices/pay). The window's buttons call the same use
cases (tests/ui/test_failed_tab.py)."""

from __future__ import annotations

import json

import pytest

from console.actions import ActionRefused
from console.services import operations
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import cli_runner, client_for
from tests.integration.test_sandbox_payments import renew, subscribed


@pytest.fixture
def run(sandbox, tmp_path, monkeypatch, capsys, process_hooks):
    return cli_runner(sandbox, tmp_path, monkeypatch, capsys, "Robin (CS)")


def failing(sb, card: str = "pm_card_chargeCustomerFail", *, hard: str | None = None, new_card: bool = False):
    """A subscription whose renewal failed: (client, customer, subscription, invoice). `hard`: the card on file was
    since reported so (lost_card, …) and declines with that code; `new_card`: the customer has added a good card since."""
    client, customer, sub = subscribed(sb, "pm_card_visa")
    pm = client.v1.payment_methods.attach(card, {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    if hard:
        sb.state.get("payment_method", pm.id)["_fails"] = hard
    invoice = renew(sb, client, sub)
    if new_card:
        new = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
        client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": new.id}})
    return client, customer, sub, invoice


def charges(sb, invoice_id: str) -> list:
    return [e for e in sb.log if e.method == "POST" and e.path == f"/v1/invoices/{invoice_id}/pay"]


def journal(run) -> list[dict]:
    code, out, _ = run("journal", "--format", "json")
    assert code == 0
    return json.loads(out)


def test_retry_now_is_refused_for_a_hard_decline_and_nothing_is_charged(sandbox, run):
    _, _, sub, invoice = failing(sandbox, hard="lost_card")
    run("sync")
    code, _, err = run("retry", invoice.id)
    assert code == 1 and "reported lost" in err and "card-update link" in err
    assert charges(sandbox, invoice.id) == []
    assert [a for a in journal(run) if a["kind"] == "charge"] == []  # refused before anything was journaled


def test_a_new_card_since_the_decline_lets_the_retry_charge_it_and_the_row_leaves(sandbox, run):
    client, customer, sub, invoice = failing(sandbox, new_card=True)  # a soft decline (0341), then a new card
    run("sync")
    code, out, err = run("retry", sub.id)  # by subscription: its failing invoice
    assert code == 0, err
    assert out.startswith("Paid: Retried the payment") and invoice.id in out
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    assert len(charges(sandbox, invoice.id)) == 1
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    code, out, _ = run("failed", "--format", "json")
    assert sub.id not in {r["subscription"] for r in json.loads(out)}  # gone at once, not at the next sync
    [entry] = [a for a in journal(run) if a["kind"] == "charge"]
    assert entry["state"] == "applied" and entry["operator"] == "Robin (CS)"


def test_a_retry_the_bank_declines_says_why_counts_the_attempt_and_keeps_the_row(sandbox, run):
    client, _, sub, invoice = failing(sandbox)
    run("sync")
    code, _, err = run("retry", invoice.id)
    assert code == 1 and "declined" in err and "generic_decline" in err
    assert client.v1.invoices.retrieve(invoice.id).attempt_count == 2
    code, out, _ = run("failed", "--format", "json")
    [row] = [r for r in json.loads(out) if r["subscription"] == sub.id]
    assert row["attempts"] == 2 and row["decline_code"] == "generic_decline"  # the new decline, read from the answer
    [entry] = [a for a in journal(run) if a["kind"] == "charge"]
    assert entry["state"] == "declined"


def test_retry_now_is_refused_within_an_hour_of_stripes_own_retry(sandbox, tmp_path):
    client, customer, sub, invoice = failing(sandbox, new_card=True)
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    ws.sync()
    recovery = ws.recovery("Robin (CS)")
    recovery.clock = lambda: invoice.next_payment_attempt - 20 * 60  # 20 minutes before Stripe's retry
    with pytest.raises(ActionRefused, match="Stripe retries this invoice in 20 min"):
        recovery.retry_now(invoice.id)
    assert charges(sandbox, invoice.id) == []
    recovery.clock = lambda: invoice.next_payment_attempt - 2 * 3600  # two hours before: allowed
    assert recovery.retry_now(invoice.id).state == "applied"
    ws.close()


def test_an_invoice_paid_since_the_last_sync_is_refused_from_stripes_answer_not_the_cache(sandbox, run):
    client, customer, sub, invoice = failing(sandbox)
    run("sync")
    other = client_for(sandbox, sandbox.secret_key)  # another console, or the customer, paid it meanwhile
    new = other.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    other.v1.invoices.pay(invoice.id, {"payment_method": new.id})
    sandbox.clear_log()
    code, _, err = run("retry", invoice.id)
    assert code == 1 and "The invoice is paid" in err
    assert charges(sandbox, invoice.id) == []
    code, out, _ = run("failed", "--format", "json")
    assert sub.id not in {r["subscription"] for r in json.loads(out)}  # what the re-read found is kept


def test_a_lost_answer_is_sent_again_with_the_same_key_and_charges_once(sandbox, tmp_path):
    client, customer, sub, invoice = failing(sandbox, new_card=True)
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    ws.sync()
    sandbox.mangle_next("html", f"/v1/invoices/{invoice.id}/pay")  # Stripe charges the card; a proxy's 502 comes back
    with pytest.raises(Exception) as lost:
        operations.retry_payment(ws, "Robin (CS)", invoice.id)
    action_id = lost.value.action_id
    assert ws.journal.get(action_id).state == "failed"
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"  # it landed
    done = operations.retry(ws, "Robin (CS)", action_id).result  # the CLI's `retry act_…`, the window's Retry
    assert done.state == "applied"
    keys = {e.idempotency_key for e in charges(sandbox, invoice.id)}
    assert len(keys) == 1 and client.v1.invoices.retrieve(invoice.id).amount_paid == invoice.amount_due
    ws.close()


def test_a_retry_that_paid_marks_who_on_the_subscription_and_a_failed_mark_is_said_not_undone(
    sandbox, tmp_path, run, monkeypatch
):
    """After the charge paid, the subscription's metadata names the rep (every console's recovery report reads it:
    stamp.RETRIED). When Stripe answers that write with an error, the charge stands: the entry is applied and says the
    team's consoles will not credit the rep; nothing is charged again."""
    made = []
    for _ in range(2):  # two customers whose renewals (at the same time) fail, each with a good card added since
        client, customer, sub = subscribed(sandbox, "pm_card_visa")
        pm = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})
        client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
        made.append((client, customer, sub))
    renew(sandbox, made[0][0], made[0][2])
    for client, customer, _ in made:
        good = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
        client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": good.id}})
    first, second = ((c, cu, s, c.v1.invoices.list({"subscription": s.id, "limit": 1}).data[0]) for c, cu, s in made)
    assert first[3].status == second[3].status == "open"
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    ws.sync()
    done = operations.retry_payment(ws, "Robin (CS)", first[3].id).result
    assert done.state == "applied" and done.error is None
    mark = first[0].v1.subscriptions.retrieve(first[2].id).metadata["churn_console_retried"]
    assert mark.startswith(f"{first[3].id}|Robin (CS)|")
    ws.close()
    pay = StripeGateway.pay_invoice

    def then_fail(self, *args, **kw):  # Stripe answers the charge, then a 500 to the next request (the mark)
        paid = pay(self, *args, **kw)
        sandbox.configure_faults(fail_next=3)  # more than the CLI's client retries
        return paid

    monkeypatch.setattr(StripeGateway, "pay_invoice", then_fail)
    code, out, err = run("retry", second[3].id)  # the CLI, on the same data
    assert code == 0 and out.startswith("Paid:") and "other consoles will not credit you" in err
    entries = [a for a in journal(run) if a["kind"] == "charge"]
    assert [a["state"] for a in entries] == ["applied", "applied"]
    assert sum("other consoles will not credit you" in (a.get("error") or "") for a in entries) == 1
    assert second[0].v1.invoices.retrieve(second[3].id).status == "paid" and len(charges(sandbox, second[3].id)) == 1
    assert "churn_console_retried" not in second[0].v1.subscriptions.retrieve(second[2].id).metadata


def test_a_crash_before_the_answer_is_finished_at_the_next_start_with_the_same_key(sandbox, tmp_path):
    client, customer, sub, invoice = failing(sandbox, new_card=True)
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    ws.sync()
    recovery = ws.recovery("Robin (CS)")
    row = recovery.row(invoice.id)
    action = recovery._entry(row, "charge:retry", int(recovery.clock()))  # journaled, then the process died
    ws.journal.add(action)
    finished = ws.finish_interrupted()
    assert [a.state for a in finished if a.id == action.id] == ["applied"]
    assert {e.idempotency_key for e in charges(sandbox, invoice.id)} == {action.idempotency_key}
    assert ws.finish_interrupted() == []  # nothing left: never sent twice
    ws.close()


def test_paid_outside_marks_it_paid_with_no_charge_and_needs_a_note(sandbox, run):
    client, _, sub, invoice = failing(sandbox)
    run("sync")
    code, _, err = run("paid-outside", invoice.id, "--note", "   ")
    assert code == 1 and "Say how the customer paid" in err
    code, out, err = run("paid-outside", invoice.id, "--note", "Bank transfer ref 2026-118")
    assert code == 0, err
    assert "Marked paid outside Stripe" in out
    paid = client.v1.invoices.retrieve(invoice.id)
    assert paid.status == "paid"
    pays = client.v1.invoice_payments.list({"invoice": invoice.id}).data
    assert [p.status for p in pays] == ["canceled"]  # nothing was charged (the basil shape of paid_out_of_band)
    [entry] = [a for a in journal(run) if a["kind"] == "charge"]
    assert entry["consent_note"] == "Bank transfer ref 2026-118"
    code, _, err = run("paid-outside", invoice.id, "--note", "again")
    assert code == 1 and "not in the failed-payments queue" in err


def test_card_link_prints_a_lasting_deep_link_its_email_and_records_it_sent(sandbox, run):
    client, customer, sub, invoice = failing(sandbox, hard="expired_card")
    run("sync")
    code, out, err = run("card-link", sub.id)
    assert code == 0, err
    url = out.strip()
    session = next(s for s in sandbox.state.ordered("billing_portal.session") if s["url"] == url)
    assert session["customer"] == customer.id and session["flow"]["type"] == "payment_method_update"
    assert session["after_expiration"]["type"] == "customer_login"  # a link read days later still leads there
    assert run("card-link", sub.id, "--copy")[1].strip().startswith(sandbox.url)  # the same, said
    code, out, _ = run("card-link", invoice.id, "--mailto")  # by invoice: the same row
    assert code == 0 and out.startswith("mailto:dunning@example.com?subject=")
    from urllib.parse import unquote

    body = unquote(out)
    assert "can no longer be charged" in body and "$" in body and "/p/session/" in body  # the hard decline's template
    code, out, err = run("card-link", sub.id, "--sent")
    assert code == 0 and out.strip().startswith(sandbox.url) and "contacted by email" in err
    meta = client.v1.subscriptions.retrieve(sub.id).metadata
    assert meta["churn_console_desk_state"] == "contacted" and "Card-update link sent" in meta["churn_console_desk_note"]
    assert any(a["kind"] == "desk" and a["offer_code"] == "desk:contact" for a in journal(run))


def test_card_link_is_refused_with_what_to_do_when_the_portal_cannot_update_cards(sandbox, run):
    client, customer, sub, invoice = failing(sandbox)
    run("sync")
    admin = client_for(sandbox, sandbox.secret_key)
    for config in admin.v1.billing_portal.configurations.list({"limit": 100}).data:
        admin.v1.billing_portal.configurations.update(config.id, {"features": {"payment_method_update": {"enabled": False}}})
    code, out, err = run("card-link", sub.id)
    assert code == 1 and out == "" and "Payment methods" in err and "Portal tab" in err
    code, _, err = run("card-link", "sub_doesnotexist")
    assert code == 1 and "not in the failed-payments queue" in err


def customer_enters(url: str, number: str) -> str:
    """The customer opens the link and saves a card on the portal's page (the sandbox's stand-in for it)."""
    from urllib.parse import urlencode
    from urllib.request import urlopen

    with urlopen(url, timeout=10) as page:
        assert "Update your payment method" in page.read().decode()
    with urlopen(url, data=urlencode({"number": number}).encode(), timeout=10) as saved:
        return saved.read().decode()


def test_a_hard_decline_the_reps_link_brings_a_new_card_and_stripes_next_retry_pays(sandbox, run):
    client, customer, sub, invoice = failing(sandbox, hard="lost_card")
    run("sync")
    url = run("card-link", sub.id, "--sent")[1].strip()
    assert "Your card was declined" in customer_enters(url, "4000000000000002")  # a card refused at attach
    assert "Saved: Visa ending 4242" in customer_enters(url, "4242 4242 4242 4242")
    after = client.v1.customers.retrieve(customer.id)
    assert client.v1.payment_methods.retrieve(after.invoice_settings.default_payment_method).card.last4 == "4242"
    assert client.v1.invoices.retrieve(invoice.id).status == "open"  # Stripe's next retry charges it, not the save
    sandbox.advance(client.v1.invoices.retrieve(invoice.id).next_payment_attempt - sandbox.state.clock.now() + 60)
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    run("sync")
    code, out, _ = run("failed", "--format", "json")
    assert sub.id not in {r["subscription"] for r in json.loads(out)}


def test_with_the_retry_on_a_new_card_setting_the_saved_card_is_charged_at_once(sandbox, run):
    sandbox.state.account["_retries"] = {"on_new_card": True}
    client, customer, sub, invoice = failing(sandbox, hard="expired_card")
    run("sync")
    url = run("card-link", sub.id)[1].strip()
    customer_enters(url, "5555555555554444")
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"


def test_after_a_hard_decline_a_new_card_turns_the_next_step_to_retry_now_and_it_pays(sandbox, run):
    client, customer, sub, invoice = failing(sandbox, hard="lost_card")
    run("sync")
    [row] = [r for r in json.loads(run("failed", "--format", "json")[1]) if r["subscription"] == sub.id]
    assert row["next_step"] == "new_card"
    new = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})  # the customer, in the portal
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": new.id}})
    run("sync")  # customer.updated says the new default
    [row] = [r for r in json.loads(run("failed", "--format", "json")[1]) if r["subscription"] == sub.id]
    assert row["next_step"] == "retry" and row["stripe_will_retry"] is True
    code, out, err = run("retry", sub.id)
    assert code == 0, err
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"


def test_a_subscriptions_own_declined_card_gives_way_to_the_customers_new_one_which_it_then_keeps(sandbox, run):
    """Stripe's retries charge the subscription's own default_payment_method before the customer's
    (docs.stripe.com/billing/revenue-recovery/smart-retries): the customer's new card alone would not be used."""
    client, customer, sub = subscribed(sandbox, "pm_card_visa")
    bad = client.v1.payment_methods.attach("pm_card_chargeCustomerFail", {"customer": customer.id})
    client.v1.subscriptions.update(sub.id, {"default_payment_method": bad.id})
    invoice = renew(sandbox, client, sub)
    new = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": new.id}})
    run("sync")
    code, _, err = run("retry", invoice.id)
    assert code == 0, err
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    pays = client.v1.invoice_payments.list({"invoice": invoice.id, "expand": ["data.payment.payment_intent"]}).data
    assert pays[0].payment.payment_intent.payment_method == new.id  # the new card was charged, not the declined one
    assert client.v1.subscriptions.retrieve(sub.id).default_payment_method == new.id  # and its renewals take it now


def test_with_pause_on_payment_failure_the_last_retry_pauses_it_and_paying_the_invoice_resumes_it(sandbox, run):
    """docs.stripe.com/billing/revenue-recovery/smart-retries/pause-on-payment-failure: after the last retry an eligible
    (flexible billing mode) subscription is paused, the invoice stays collectible, and paying it resumes the subscription."""
    sandbox.state.account["_retries"] = {"end": "pause"}
    client, customer, sub, invoice = failing(sandbox)
    sandbox.advance(15 * 86400)  # past the 2-week schedule
    paused = client.v1.subscriptions.retrieve(sub.id)
    assert paused.status == "paused" and paused.status_details.paused.subscription.type == "final_payment_failure"
    assert client.v1.invoices.retrieve(invoice.id).status == "open"
    run("sync")
    [row] = [r for r in json.loads(run("failed", "--format", "json")[1]) if r["subscription"] == sub.id]
    assert row["status"] == "paused" and row["next_attempt_at"] is None
    new = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": new.id}})
    run("sync")
    code, _, err = run("retry", sub.id)
    assert code == 0, err
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
