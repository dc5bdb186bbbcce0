"""`churn-console report --recovery` (issue 34) recounted from Stripe's own objects through the SDK: each failed invoice
made to end a known way in the sandbox (a Stripe retry on the same card, the customer's new card, a rep's Retry now,
a rep's link then a new card, a rep's pause then a payment, a payment outside Stripe, a hard decline lost at the last
attempt, one still in progress), then the report's reasons, rates and sums checked against what Stripe holds."""

from __future__ import annotations

import csv
import io
import json

import pytest

from console.sandbox.app import Sandbox
from tests.integration.conftest import cli_runner, client_for
from tests.integration.test_sandbox_payments import renew, subscribed

DAY = 86400


@pytest.fixture
def sandbox():
    """An account with its catalog and no customers yet: the report's every figure is this test's own."""
    with Sandbox(seed=11, customers=0) as sb:
        yield sb


@pytest.fixture
def run(sandbox, tmp_path, monkeypatch, capsys, process_hooks):
    return cli_runner(sandbox, tmp_path, monkeypatch, capsys, "Robin (CS)")


def on_card(sb, card="pm_card_visa", *, fails: str | None = None, until: int | None = None):
    """A customer on a monthly plan whose card declines with `fails` (until `until`, when given)."""
    client, customer, sub = subscribed(sb, "pm_card_visa")
    pm = client.v1.payment_methods.attach(card, {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": pm.id}})
    if fails:
        sb.state.get("payment_method", pm.id)["_fails"] = fails
        if until is not None:
            sb.state.get("payment_method", pm.id)["_fails_until"] = until
    return client, customer, sub


def new_card(client, customer) -> None:
    good = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": good.id}})


def recovery(run, *extra) -> dict:
    """The JSON report over a span that holds the sandbox's clock (it runs ahead of the wall clock in these tests)."""
    span = ("--since", "2026-01-01", "--until", "2030-12-31")
    code, out, err = run("report", "--recovery", "--format", "json", *span, *extra)
    assert code == 0, err
    return json.loads(out)


def test_each_way_a_failed_payment_ends_is_credited_once_and_the_sums_hold(sandbox, run, monkeypatch):
    from console.services import card_link

    monkeypatch.setattr(card_link, "clock", sandbox.state.clock.now)  # the link and the card change on one clock
    made = {
        "stripe_retry": on_card(sandbox, fails="insufficient_funds"),
        "customer_card": on_card(sandbox, "pm_card_chargeCustomerFail"),
        "rep_retry": on_card(sandbox, fails="insufficient_funds"),
        "rep_link": on_card(sandbox, "pm_card_chargeCustomerFail"),
        "rep_pause": on_card(sandbox, "pm_card_chargeCustomerFail"),
        "out_of_band": on_card(sandbox, "pm_card_chargeCustomerFail"),
        "lost": on_card(sandbox, fails="lost_card"),
    }
    ends = {min(i.current_period_end for i in s["items"].data) for _, _, s in made.values()}
    assert max(ends) - min(ends) < 60  # one renewal for all (made within the same minute, not always the same second)
    end = max(ends)
    for key, until in (("stripe_retry", end + 3 * DAY), ("rep_retry", end + 3600)):  # when the funds come
        customer = made[key][1]
        pm = made[key][0].v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
        sandbox.state.get("payment_method", pm)["_fails_until"] = until
    assert run("sync")[0] == 0  # the console follows the account from before the failures
    client = made["lost"][0]
    renew(sandbox, client, made["lost"][2])  # every subscription renews at the same time: each first failure
    invoices = {k: client.v1.invoices.list({"subscription": s.id, "limit": 1}).data[0] for k, (_, _, s) in made.items()}
    assert {i.status for i in invoices.values()} == {"open"}
    amount = {k: i.amount_due for k, i in invoices.items()}
    run("sync")
    new_card(client, made["customer_card"][1])  # on their own
    assert run("card-link", made["rep_link"][2].id, "--sent")[0] == 0
    new_card(client, made["rep_link"][1])  # after the rep's link
    assert run("paid-outside", invoices["out_of_band"].id, "--note", "wire 118")[0] == 0
    assert run("pause", invoices["rep_pause"].id, "--subscription", "--consent", "call")[0] == 0
    sandbox.advance(2 * 3600)  # the funds for rep_retry's card came; Stripe's next try is days away
    code, _, err = run("retry", invoices["rep_retry"].id)
    assert code == 0, err
    run("sync")
    early = recovery(run)["currencies"]["usd"]
    waiting = ("stripe_retry", "customer_card", "rep_link", "lost")  # Stripe has not tried them again yet
    assert early["in_progress_minor"] == sum(amount[k] for k in waiting)
    assert early["recovered_minor"] == amount["rep_retry"] + amount["out_of_band"]
    assert early["lost_minor"] == amount["rep_pause"]  # written off by the pause: lost, until it is paid
    assert early["rate"] == pytest.approx(early["recovered_minor"] / (early["recovered_minor"] + early["lost_minor"]))

    sandbox.advance(16 * DAY)  # Stripe's schedule runs: retries pay, the hard decline's subscription is canceled
    card = client.v1.payment_methods.attach("pm_card_visa", {"customer": made["rep_pause"][1].id})  # not made the default
    client.v1.invoices.pay(invoices["rep_pause"].id, {"payment_method": card.id})  # paid after the pause
    run("sync")
    report = recovery(run)
    statuses = {k: client.v1.invoices.retrieve(i.id).status for k, i in invoices.items()}
    usd = report["currencies"]["usd"]
    for reason in ("stripe_retry", "customer_card", "rep_retry", "rep_link", "rep_pause", "out_of_band"):
        assert statuses[reason] == "paid", reason
        assert usd["by_reason"][reason] == {"recovered_minor": amount[reason], "invoices": 1}, reason
    assert usd["by_reason"]["card_updater"] == {"recovered_minor": 0, "invoices": 0}
    assert sum(r["recovered_minor"] for r in usd["by_reason"].values()) == usd["recovered_minor"]
    assert usd["recovered_minor"] + usd["lost_minor"] + usd["in_progress_minor"] == usd["failed_minor"]
    assert client.v1.subscriptions.retrieve(made["lost"][2].id).status == "canceled"
    assert usd["lost_by"] == {"canceled": amount["lost"]} and usd["by_decline_code"]["lost_card"]["rate"] == 0.0
    assert usd["by_rep"] == {"Robin (CS)": amount["rep_retry"] + amount["rep_link"] + amount["rep_pause"]}
    assert report["attribution"]["order"][0] == "stripe_retry" and report["attribution"]["link_window_days"] == 7


def test_the_table_and_csv_say_the_same_and_an_empty_period_says_so(sandbox, run):
    client, customer, sub = on_card(sandbox, "pm_card_chargeCustomerFail")
    run("sync")
    invoice = renew(sandbox, client, sub)
    run("sync")
    assert run("paid-outside", invoice.id, "--note", "cheque")[0] == 0
    run("sync")
    span = ("--since", "2026-01-01", "--until", "2030-12-31")
    code, out, _ = run("report", "--recovery", *span)
    assert code == 0 and "Paid outside Stripe" in out and "rate 100.0%" in out
    assert "Recovered by: day 7 —, day 14 —, day 30 —, day 60 —." in out  # failed today: no day's cohort yet
    code, out, _ = run("report", "--recovery", "--format", "csv", *span)
    rows = list(csv.DictReader(io.StringIO(out)))
    total = next(r for r in rows if r["reason"] == "total")
    assert total["recovered_minor"] == str(invoice.amount_due) and total["rate"] == "1.0000"
    assert next(r for r in rows if r["reason"] == "out_of_band")["recovered_minor"] == str(invoice.amount_due)
    code, out, _ = run("report", "--recovery", "--since", "2020-01-01", "--until", "2020-01-31")
    assert code == 0 and "No payment failed in this period" in out
    code, _, err = run("report", "--recovery", "--value")
    assert code == 2 and "--recovery goes with" in err


def test_a_card_the_card_updater_refreshed_is_credited_to_it(sandbox, run):
    """An expired card (a hard decline, docs.stripe.com/declines/codes) refreshed by Stripe's card updater
    (`payment_method.automatically_updated`): Stripe's next retry charges it, and the report credits the updater."""
    client, customer, sub = on_card(sandbox)
    pm = client.v1.customers.retrieve(customer.id).invoice_settings.default_payment_method
    sandbox.state.get("payment_method", pm)["card"]["exp_year"] = 2020  # expired before the renewal
    run("sync")
    invoice = renew(sandbox, client, sub)
    assert invoice.status == "open"
    run("sync")
    sandbox.card_updated(pm)
    sandbox.advance(3 * 86400)
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    run("sync")
    usd = recovery(run)["currencies"]["usd"]
    assert usd["by_reason"]["card_updater"] == {"recovered_minor": invoice.amount_due, "invoices": 1}
    assert usd["by_decline_code"]["expired_card"]["recovered_minor"] == invoice.amount_due


def test_the_first_sync_reads_the_last_30_days_and_every_figure_recounts_from_stripe(tmp_path, monkeypatch, capsys):
    """The demo's kind of account (failures recovered by retries, the card updater and customers, and some lost, in the
    30 days before the console first syncs): the report's figures recounted from Stripe's events and invoices."""
    with Sandbox(seed=5, customers=400) as sb:
        run = cli_runner(sb, tmp_path, monkeypatch, capsys, "Robin (CS)")
        assert run("sync")[0] == 0
        report = recovery(run)
        admin = client_for(sb, sb.secret_key)
        failed = admin.v1.events.list({"types": ["invoice.payment_failed"], "limit": 100})
        first: dict[str, tuple[int, object]] = {}
        for event in failed.auto_paging_iter():  # newest first: the last one seen is the first failure
            first[event.data.object.id] = (event.created, event.data.object)
        listing = {"status": "open", "collection_method": "charge_automatically", "limit": 100}
        for invoice in admin.v1.invoices.list(listing).auto_paging_iter():  # failing now, first failed before the events
            if invoice.attempt_count > 0 and invoice.id not in first:
                first[invoice.id] = (invoice.created, invoice)
        expected: dict[str, dict[str, int]] = {}
        for invoice_id, (_, at_failure) in first.items():
            now = admin.v1.invoices.retrieve(invoice_id)
            sub = admin.v1.subscriptions.retrieve(now.parent.subscription_details.subscription)
            if now.status == "paid":
                kind = "recovered_minor"
            elif now.status in ("uncollectible", "void") or sub.status == "canceled":
                kind = "lost_minor"
            else:
                kind = "in_progress_minor"
            totals = expected.setdefault(
                at_failure.currency, dict.fromkeys(("failed_minor", "recovered_minor", "lost_minor", "in_progress_minor"), 0)
            )
            totals["failed_minor"] += at_failure.amount_due
            totals[kind] += at_failure.amount_due
        assert expected, "the seed has failures in its last 30 days"
        assert set(report["currencies"]) == set(expected)
        for currency, totals in expected.items():
            got = report["currencies"][currency]
            assert {k: got[k] for k in totals} == totals, currency
            assert sum(r["recovered_minor"] for r in got["by_reason"].values()) == got["recovered_minor"]
        reasons = {r for c in report["currencies"].values() for r, v in c["by_reason"].items() if v["invoices"]}
        assert {"stripe_retry", "customer_card"} <= reasons  # the seed's mix, read back (the updater is rare in it:
        # its own test is test_a_card_the_card_updater_refreshed_is_credited_to_it)


def test_the_playbooks_attribution_order_decides_between_two_reasons_and_the_report_says_it(sandbox, run):
    from console.domain.playbook import Playbook
    from console.domain.recovery import REASONS

    client, customer, sub = on_card(sandbox, fails="insufficient_funds")
    run("sync")
    invoice = renew(sandbox, client, sub)
    run("sync")
    new_card(client, customer)  # the customer changes the card on their own…
    assert client.v1.invoices.retrieve(invoice.id).status == "open"  # Stripe's next try is days away
    code, _, err = run("retry", invoice.id)  # …and a rep's Retry now charges it
    assert code == 0, err
    assert client.v1.invoices.retrieve(invoice.id).status == "paid"
    run("sync")
    first = recovery(run)
    rep_first = ("rep_retry", *(r for r in REASONS if r != "rep_retry"))
    Playbook(attribution_order=rep_first).save(run.data / "playbook.json")
    then = recovery(run)
    usd, usd_then = first["currencies"]["usd"], then["currencies"]["usd"]
    assert first["attribution"]["order"] == list(REASONS) and then["attribution"]["order"] == list(rep_first)
    assert usd["by_reason"]["customer_card"]["recovered_minor"] == invoice.amount_due and usd["by_rep"] == {}
    assert usd_then["by_reason"]["rep_retry"]["recovered_minor"] == invoice.amount_due
    assert usd_then["by_rep"] == {"Robin (CS)": invoice.amount_due}
    assert usd_then["recovered_minor"] == usd["recovered_minor"] == invoice.amount_due  # the total never moves
    code, out, _ = run("report", "--recovery", "--since", "2026-01-01", "--until", "2030-12-31")
    assert "A rep's Retry now → Stripe's retry, same card" in out  # the table says the order it used


def test_another_console_credits_the_rep_who_acted_from_what_stripe_holds(sandbox, run, tmp_path, monkeypatch, capsys):
    """Robin works the desk on one console; Sam's console, on another data dir (another machine), never sees Robin's
    journal or timeline: it reads who retried, who sent the link and who paused from Stripe at its syncs, and its
    report credits Robin the same as Robin's own. A third console that first syncs afterwards still credits the retry
    and the pause (their marks stay on Stripe) and counts the written-off invoice paid later as recovered."""
    from console.cli import main
    from console.services import card_link

    monkeypatch.setattr(card_link, "clock", sandbox.state.clock.now)  # the link and the card change on one clock
    span = ("--since", "2026-01-01", "--until", "2030-12-31")

    def console(name: str):
        base = ["--data-dir", str(tmp_path / name), "--api-base", sandbox.url]  # it only reads: nobody acts on it

        def report() -> dict:
            capsys.readouterr()
            assert main([*base, "report", "--recovery", "--format", "json", *span]) == 0
            return json.loads(capsys.readouterr().out)["currencies"]["usd"]

        return lambda: main([*base, "sync"]), report

    made = {
        "rep_retry": on_card(sandbox, fails="insufficient_funds"),
        "rep_link": on_card(sandbox, "pm_card_chargeCustomerFail"),
        "rep_pause": on_card(sandbox, "pm_card_chargeCustomerFail"),
    }
    end = max(min(i.current_period_end for i in s["items"].data) for _, _, s in made.values())
    pm = made["rep_retry"][0].v1.customers.retrieve(made["rep_retry"][1].id).invoice_settings.default_payment_method
    sandbox.state.get("payment_method", pm)["_fails_until"] = end + 3600
    sams_sync, sams_report = console("sams-machine")
    assert run("sync")[0] == 0 and sams_sync() == 0  # both follow the account from before the failures
    client = made["rep_retry"][0]
    renew(sandbox, client, made["rep_retry"][2])
    invoices = {k: client.v1.invoices.list({"subscription": s.id, "limit": 1}).data[0] for k, (_, _, s) in made.items()}
    assert run("sync")[0] == 0 and sams_sync() == 0  # each console syncs on its own (Stripe keeps 30 days of events)
    assert run("card-link", made["rep_link"][2].id, "--sent")[0] == 0
    new_card(client, made["rep_link"][1])
    assert run("pause", invoices["rep_pause"].id, "--subscription", "--consent", "call")[0] == 0
    sandbox.advance(2 * 3600)
    assert run("retry", invoices["rep_retry"].id)[0] == 0
    sandbox.advance(16 * DAY)  # Stripe's retry charges the linked customer's new card
    card = client.v1.payment_methods.attach("pm_card_visa", {"customer": made["rep_pause"][1].id})
    client.v1.invoices.pay(invoices["rep_pause"].id, {"payment_method": card.id})  # written off by the pause, paid now
    assert {client.v1.invoices.retrieve(i.id).status for i in invoices.values()} == {"paid"}
    metadata = client.v1.subscriptions.retrieve(made["rep_retry"][2].id).metadata.to_dict()
    assert metadata["churn_console_retried"].startswith(f"{invoices['rep_retry'].id}|Robin (CS)|")  # on Stripe
    run("sync")
    robins = recovery(run)["currencies"]["usd"]
    assert sams_sync() == 0
    sams = sams_report()
    total = sum(i.amount_due for i in invoices.values())
    for reason in ("rep_retry", "rep_link", "rep_pause"):
        want = {"recovered_minor": invoices[reason].amount_due, "invoices": 1}
        assert robins["by_reason"][reason] == sams["by_reason"][reason] == want, reason
    assert sams["by_rep"] == robins["by_rep"] == {"Robin (CS)": total}

    late_sync, late_report = console("new-machine")
    assert late_sync() == 0  # its first sync: 30 days of failures read back, then how each ended
    late = late_report()
    assert late["recovered_minor"] == total and late["lost_minor"] == 0  # the written-off one was paid later
    assert late["by_reason"]["rep_retry"] == robins["by_reason"]["rep_retry"]
    assert late["by_reason"]["rep_pause"] == robins["by_reason"]["rep_pause"]
    # the customer's card change came before it followed the account (no event read back for it): Stripe's retry
    assert late["by_reason"]["stripe_retry"]["invoices"] == 1
    assert late["by_rep"] == {"Robin (CS)": invoices["rep_retry"].amount_due + invoices["rep_pause"].amount_due}


def test_the_first_sync_reads_each_ended_failures_outcome_once_beside_the_invoices_and_stores_what_a_later_read_would(
    tmp_path, monkeypatch
):
    """sync/recovery_backfill.read_ahead: with the open invoices' listing read beside the saves' invoices, the outcome
    of each failure of the last 30 days that is no longer open is read there too, before anything of the failed
    payments is stored, each once; the ledger stored is the one a console reading them after the listing stores."""
    from console.services.workspace import Workspace
    from console.store.failures import Failures
    from console.stripe_gateway import StripeGateway
    from console.sync import recovery_backfill

    with Sandbox(seed=5, customers=400) as sb:
        calls: list[tuple[str, str]] = []
        read_outcome, replace = StripeGateway.payment_outcome, Failures.replace_failures

        def counted_outcome(self, invoice_id):
            calls.append(("outcome", invoice_id))
            return read_outcome(self, invoice_id)

        def counted_replace(self, found):
            calls.append(("listing stored", ""))
            return replace(self, found)

        monkeypatch.setattr(StripeGateway, "payment_outcome", counted_outcome)
        monkeypatch.setattr(Failures, "replace_failures", counted_replace)
        ahead = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "ahead")
        ahead.sync()
        read = [i for kind, i in calls if kind == "outcome"]
        assert read and len(read) == len(set(read))  # each once
        assert calls.index(("listing stored", "")) == len(read)  # every one read before the listing was stored

        calls.clear()  # a console that reads them only after the listing is stored (the read-ahead left out)
        real = recovery_backfill.read_ahead
        monkeypatch.setattr(recovery_backfill, "read_ahead", lambda *a, **k: real(*a, **{**k, "listing": None}))
        after = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "after")
        after.sync()
        later = [i for kind, i in calls if kind == "outcome"]
        assert calls.index(("listing stored", "")) < calls.index(("outcome", later[0]))
        assert sorted(later) == sorted(read)  # the same failures asked about
        assert after.cache.recovery_rows(0, 2**40) == ahead.cache.recovery_rows(0, 2**40)
