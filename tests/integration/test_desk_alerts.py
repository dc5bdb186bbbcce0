"""services/alerts.py against the sandbox through the real SDK: what a sync tells the desk. New pending cancellations
above the MRR set, and for a row's owner: revoked by the customer, saved from another console, ended, taken by
another rep; nothing for the first sync, nothing for the owner's own save."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.domain import desk, stamp
from console.domain.money import to_major
from console.sandbox.app import Sandbox
from console.services.alerts import Watch
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for


@pytest.fixture
def account(tmp_path):
    with Sandbox(seed=23, customers=160) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, "Acme")
        yield sb, ws
        ws.close()


def test_what_each_sync_tells_the_desk(account):
    sb, ws = account
    client, watch, now = client_for(sb, sb.secret_key), Watch(), datetime.now(UTC)
    assert watch.after_sync(ws, ws.sync(), "Dana") == []  # the first: everything is new then, nothing is said
    rows = [r for r in ws.queue() if r.status == "active"]
    revoking, saved_elsewhere, ending, taken, own_save = (r.subscription_id for r in rows[:5])
    for sub_id in (revoking, saved_elsewhere, ending, taken, own_save):
        client.v1.subscriptions.update(sub_id, {"metadata": desk.for_take("Dana", now)})
    assert watch.after_sync(ws, ws.sync(), "Dana") == []  # Dana's own takes: nothing to tell
    assert set(watch.mine) == {revoking, saved_elsewhere, ending, taken, own_save}

    pending = {r.subscription_id for r in ws.queue()}
    fresh = [
        s
        for s in client.v1.subscriptions.list({"limit": 100}).data
        if s.id not in pending and s.status == "active" and not s.cancel_at_period_end and not s.cancel_at
    ][:2]
    for s in fresh:
        client.v1.subscriptions.update(s.id, {"cancel_at_period_end": True})
    client.v1.subscriptions.update(revoking, {"cancel_at_period_end": False})  # the customer stays, on their own
    client.v1.subscriptions.update(
        saved_elsewhere,
        {"cancel_at_period_end": False, "metadata": stamp.for_save("act_x", "revoke", "Sam", "call", None, now)},
    )
    client.v1.subscriptions.cancel(ending)
    client.v1.subscriptions.update(taken, {"metadata": desk.for_take("Sam", now)})
    client.v1.subscriptions.update(
        own_save, {"cancel_at_period_end": False, "metadata": stamp.for_save("act_y", "revoke", "Dana", "call", None, now)}
    )
    alerts = watch.after_sync(ws, ws.sync(), "Dana")
    kinds = {a.subscription_id: a.kind for a in alerts}
    assert kinds == {
        **{s.id: "new" for s in fresh},
        revoking: "revoked",
        saved_elsewhere: "saved_elsewhere",
        ending: "ended",
        taken: "taken",
    }  # and nothing for Dana's own save
    new = [a for a in alerts if a.kind == "new"]
    assert all("/mo at stake" in a.text for a in new)
    assert next(a for a in alerts if a.kind == "saved_elsewhere").title.endswith("was saved by Sam")
    assert next(a for a in alerts if a.kind == "taken").title.startswith("Sam took ")
    assert taken not in watch.mine and revoking not in watch.mine  # what Dana owns now

    # a threshold keeps only the rows at or above it (in each subscription's own currency)
    for s in fresh:
        client.v1.subscriptions.update(s.id, {"cancel_at_period_end": False})
    ws.sync()
    watch.after_sync(ws, ws.sync(), "Dana")
    for s in fresh:
        client.v1.subscriptions.update(s.id, {"cancel_at_period_end": True})
    report = ws.sync()
    subs = ws.cache.subscriptions([s.id for s in fresh])
    cut = max(float(to_major(s.mrr_minor, s.currency)) for s in subs.values())
    kept = watch.after_sync(ws, report, "Dana", min_mrr=cut)
    assert {a.subscription_id for a in kept} == {s.id for s in subs.values() if float(to_major(s.mrr_minor, s.currency)) >= cut}
    assert len(kept) < len(fresh) or len({s.mrr_minor for s in subs.values()}) == 1


def test_a_new_failed_payment_is_told_above_the_mrr_set_and_its_owner_hears_when_it_is_paid(account):
    from tests.integration.test_failed_actions import failing

    sb, ws = account
    watch = Watch()
    watch.after_sync(ws, ws.sync(), "Dana")  # the first: nothing said
    client, customer, sub, invoice = failing(sb)
    alerts = watch.after_sync(ws, ws.sync(), "Dana")
    failed = next(a for a in alerts if a.kind == "failed" and a.subscription_id == sub.id)  # (a month passed: others too)
    assert failed.title == "Payment failed: Dunning Test"
    assert "due" in failed.text and "generic_decline" in failed.text
    assert not [a for a in watch.after_sync(ws, ws.sync(), "Dana") if a.subscription_id == sub.id]  # told once
    row = next(r for r in ws.cache.failed_rows(False) if r.subscription_id == sub.id)
    above = Watch()
    above.failing = {r.subscription_id for r in ws.cache.failed_rows(False)} - {sub.id}  # ours alone is new to it
    assert above._failures(ws, to_major(row.mrr_minor, row.collection.currency) + 1) == []  # under the MRR the user set
    client.v1.subscriptions.update(sub.id, {"metadata": desk.for_take("Dana", datetime.now(UTC))})
    watch.after_sync(ws, ws.sync(), "Dana")
    assert watch.mine_failing == {sub.id: "Dunning Test"}
    new = client.v1.payment_methods.attach("pm_card_visa", {"customer": customer.id})  # the customer, in the portal
    client.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": new.id}})
    alerts = watch.after_sync(ws, ws.sync(), "Dana")
    assert [(a.kind, a.title) for a in alerts] == [("card_updated", "Dunning Test has a new card on file")]
    assert not watch.after_sync(ws, ws.sync(), "Dana")  # told once
    client.v1.invoices.pay(invoice.id, {"payment_method": new.id})
    alerts = watch.after_sync(ws, ws.sync(), "Dana")
    assert [(a.kind, a.title) for a in alerts] == [("recovered", "Dunning Test paid")]
