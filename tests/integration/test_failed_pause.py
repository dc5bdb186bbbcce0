"""A failed payment's subscription paused instead of lost (issue 33 §3), through the real SDK against the sandbox.

Stripe documents the real pause for active subscriptions (docs.stripe.com/billing/subscriptions/pause); the sandbox
refuses a past-due one (the stricter reading). Marking the latest invoice uncollectible makes a past-due subscription
active (docs.stripe.com/billing/subscriptions/overview), so the desk writes the invoice off, then pauses; undo resumes.
"""

from __future__ import annotations

import json

import pytest

from console.actions import ActionRefused
from console.actions.failed_pause import PauseLeftUndone
from console.domain.action import Consent
from console.errors import ConsoleError
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import cli_runner
from tests.integration.test_failed_actions import failing, journal


@pytest.fixture
def run(sandbox, tmp_path, monkeypatch, capsys, process_hooks):
    return cli_runner(sandbox, tmp_path, monkeypatch, capsys, "Robin (CS)")


def synced(sb, data) -> Workspace:
    """A console on the sandbox, synced (its failed-payments queue filled)."""
    ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), data)
    ws.sync()
    return ws


def posts(sb, path_end: str) -> list:
    return [e for e in sb.log if e.method == "POST" and e.path.endswith(path_end)]


def test_a_pause_at_the_last_attempt_writes_the_invoice_off_pauses_and_stripe_no_longer_ends_it(sandbox, run):
    client, customer, sub, invoice = failing(sandbox)
    sandbox.advance(12 * 86400)  # most of Stripe's 2-week schedule gone: the last attempts are near
    run("sync")
    [row] = [r for r in json.loads(run("failed", "--format", "json")[1]) if r["subscription"] == sub.id]
    assert row["ends"].startswith("cancel")
    code, out, err = run("pause", invoice.id, "--subscription", "--consent", "call", "--note", "asked on the phone")
    assert code == 0, err
    assert "Paused instead of ending (failed payment)" in out and "marked uncollectible" in out
    assert client.v1.invoices.retrieve(invoice.id).status == "uncollectible"
    paused = client.v1.subscriptions.retrieve(sub.id)
    assert paused.status == "paused" and paused.metadata["churn_console_failed_pause"].startswith("act_")
    assert "Robin (CS)|call|" in paused.metadata["churn_console_failed_pause"]
    assert "churn_console_action" not in paused.metadata  # not a save: no churn intent is made of it
    sandbox.clear_log()
    sandbox.advance(5 * 86400)  # past the schedule's end: Stripe neither retries nor cancels it
    assert posts(sandbox, f"/v1/invoices/{invoice.id}/pay") == []
    assert client.v1.subscriptions.retrieve(sub.id).status == "paused"
    assert sub.id not in {r["subscription"] for r in json.loads(run("failed", "--format", "json")[1])}
    [entry] = [a for a in journal(run) if a["offer_code"] == "pause:failed"]
    assert entry["state"] == "applied" and entry["kind"] == "pause" and entry["consent_channel"] == "call"
    assert entry["operator"] == "Robin (CS)"
    code, out, _ = run("sync")
    assert code == 0
    assert sub.id not in {r["subscription"] for r in json.loads(run("queue", "--format", "json")[1])}


def test_undo_resumes_it_and_says_the_invoice_stays_written_off(sandbox, run):
    client, _, sub, invoice = failing(sandbox)
    run("sync")
    assert run("pause", sub.id, "--subscription", "--consent", "email")[0] == 0
    [entry] = [a for a in journal(run) if a["offer_code"] == "pause:failed"]
    code, out, err = run("undo", entry["id"])
    assert code == 0, err
    assert out.startswith("Resumed") and "stays uncollectible" in out
    resumed = client.v1.subscriptions.retrieve(sub.id)
    assert resumed.status == "active" and "churn_console_failed_pause" not in resumed.metadata
    assert client.v1.invoices.retrieve(invoice.id).status == "uncollectible"
    states = {a["offer_code"]: a["state"] for a in journal(run)}
    assert states["pause:failed"] == "undone" and states["undo:pause:failed"] == "applied"
    code, _, err = run("undo", entry["id"])  # twice: refused, nothing sent
    assert code == 1 and "undone" in err


def test_a_pause_of_collection_is_refused_for_a_failed_payment_and_nothing_is_sent(sandbox, run):
    client, _, sub, invoice = failing(sandbox)
    run("sync")
    sandbox.clear_log()
    code, _, err = run("pause", sub.id, "--months", "2", "--consent", "call")
    assert code == 1 and "is a failed payment" in err and "--subscription" in err
    assert [e for e in sandbox.log if e.method == "POST"] == []


def test_a_classic_billing_subscription_is_refused_before_its_invoice_is_written_off(sandbox, run):
    client, _, sub, invoice = failing(sandbox)
    sandbox.state.get("subscription", sub.id)["billing_mode"] = {"type": "classic"}
    run("sync")
    sandbox.clear_log()
    code, _, err = run("pause", invoice.id, "--subscription", "--consent", "call")
    assert code == 1 and "flexible billing mode" in err
    assert [e for e in sandbox.log if e.method == "POST"] == []
    assert client.v1.invoices.retrieve(invoice.id).status == "open"


def test_an_invoice_paid_since_the_sync_is_refused_and_leaves_the_queue(sandbox, run):
    client, customer, sub, invoice = failing(sandbox)
    run("sync")
    client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    code, _, err = run("pause", invoice.id, "--subscription", "--consent", "call")
    assert code == 1 and "is paid" in err
    assert client.v1.subscriptions.retrieve(sub.id).status == "active"
    assert sub.id not in {r["subscription"] for r in json.loads(run("failed", "--format", "json")[1])}


def test_a_lost_answer_is_finished_by_retry_each_step_once(sandbox, tmp_path):
    client, _, sub, invoice = failing(sandbox)
    ws = synced(sandbox, tmp_path)
    sandbox.mangle_next("html", f"/v1/subscriptions/{sub.id}/pause")  # the pause ran; its answer is lost
    with pytest.raises(ConsoleError) as info:
        ws.failed_pause("Robin (CS)").pause(invoice.id, Consent("call"))
    assert not isinstance(info.value, PauseLeftUndone)  # an unreadable answer is not a refusal: it may have landed
    [failed] = [a for a in ws.journal.in_state("failed") if a.offer_code == "pause:failed"]
    from console.services import operations

    done = operations.retry(ws, "Robin (CS)", failed.id).result
    assert done.state == "applied"
    assert len(posts(sandbox, f"/v1/invoices/{invoice.id}/mark_uncollectible")) == 1  # not written off twice
    assert {e.idempotency_key for e in posts(sandbox, "/pause")} == {f"{failed.idempotency_key}:pause"}
    assert client.v1.subscriptions.retrieve(sub.id).status == "paused"
    ws.close()


def test_a_crash_after_journaling_is_finished_at_the_next_start(sandbox, tmp_path):
    client, _, sub, invoice = failing(sandbox)
    ws = synced(sandbox, tmp_path)
    pauser = ws.failed_pause("Robin (CS)")
    sent = pauser._send
    pauser._send = lambda action: action  # journaled, then the process died before any request
    pending = pauser.pause(invoice.id, Consent("chat"))
    pauser._send = sent
    assert ws.journal.get(pending.id).state == "pending"
    finished = ws.finish_interrupted()
    assert [a.state for a in finished if a.id == pending.id] == ["applied"]
    assert client.v1.subscriptions.retrieve(sub.id).status == "paused"
    assert ws.finish_interrupted() == []
    ws.close()


def test_a_pause_stripe_refuses_after_the_write_off_says_so_and_what_to_do(sandbox, tmp_path):
    client, _, sub, invoice = failing(sandbox)
    ws = synced(sandbox, tmp_path)
    pauser = ws.failed_pause("Robin (CS)")
    write_off = pauser.gateway.mark_uncollectible

    def then_another_console_attaches_a_schedule(invoice_id, key):  # between the write-off and the pause
        done = write_off(invoice_id, key)
        sandbox.state.get("subscription", sub.id)["schedule"] = "sub_sched_other"
        return done

    pauser.gateway.mark_uncollectible = then_another_console_attaches_a_schedule
    with pytest.raises(PauseLeftUndone) as info:
        pauser.pause(invoice.id, Consent("call"))
    assert "schedules" in info.value.message and "marked uncollectible" in info.value.message
    assert "Dashboard" in info.value.hint
    [failed] = [a for a in ws.journal.in_state("failed") if a.offer_code == "pause:failed"]
    assert not failed.retryable
    ws.close()


def test_an_unpaid_subscription_is_refused_with_why(sandbox, tmp_path):
    client, _, sub, invoice = failing(sandbox)
    sandbox.state.account["_retries"] = {"end": "unpaid"}
    sandbox.advance(15 * 86400)
    ws = synced(sandbox, tmp_path)
    with pytest.raises(ActionRefused, match="unpaid"):
        ws.failed_pause("Robin (CS)").pause(sub.id, Consent("call"))
    assert client.v1.invoices.retrieve(invoice.id).status == "open"
    ws.close()


def test_no_consent_or_no_name_is_refused_before_anything_is_read(sandbox, tmp_path):
    failing(sandbox)
    ws = synced(sandbox, tmp_path)
    sandbox.clear_log()
    with pytest.raises(ActionRefused, match="how the customer agreed before pausing"):
        ws.failed_pause("Robin (CS)").pause("in_x", None)
    with pytest.raises(ActionRefused, match="Your name is not set"):
        ws.failed_pause("  ").pause("in_x", Consent("call"))
    assert sandbox.log == []
    ws.close()
