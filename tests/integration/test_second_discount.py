"""The guardrail against a second discount, through the CLI against the sandbox: a customer saved with a coupon who
asks to cancel again is flagged in the queue, gets no discount from the playbook, and a coupon is refused unless
`--second-discount` says so; what Stripe then holds is checked each time."""

from __future__ import annotations

import json

import pytest

from console.sandbox.app import Sandbox
from tests.integration.conftest import cli_runner, client_for


@pytest.fixture
def run(tmp_path, monkeypatch, capsys, process_hooks):
    with Sandbox(seed=29, customers=160) as sb:
        yield cli_runner(sb, tmp_path, monkeypatch, capsys, "Casey")


def _row(run, sub_id):
    code, out, err = run("queue", "--format", "json")
    assert code == 0, err
    return next((r for r in json.loads(out) if r["subscription"] == sub_id), None)


def test_a_customer_saved_with_a_discount_who_asks_again_gets_none_unless_confirmed(run):
    client = client_for(run.sb, run.sb.secret_key)
    assert run("sync")[0] == 0
    code, out, _ = run("queue", "--format", "json", "--reason", "too_expensive")
    first = next(r for r in json.loads(out) if not r["discount"])
    sub_id = first["subscription"]
    assert first["discount_saved_at"] is None
    code, _, err = run("save", sub_id, "--coupon", "RETAIN25-3M", "--consent", "call")
    assert code == 0, err
    client.v1.subscriptions.update(sub_id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "too_expensive"}})
    assert run("sync")[0] == 0
    again = _row(run, sub_id)
    assert again is not None and again["discount_saved_at"]  # flagged in the queue: saved with a discount before
    before = client.v1.subscriptions.retrieve(sub_id, {"expand": ["discounts"]})
    code, _, err = run("save", sub_id, "--coupon", "RETAIN25-3M", "--consent", "call")
    assert code == 1 and "no second discount" in err and "second_discount" in err
    after = client.v1.subscriptions.retrieve(sub_id, {"expand": ["discounts"]})
    assert after.cancel_at_period_end and len(after.discounts) == len(before.discounts)  # nothing sent
    code, out, err = run("save", sub_id, "--consent", "call")  # the playbook's offer: not a discount now
    assert code == 0, err
    code, out, _ = run("journal", "--format", "json")
    latest = next(a for a in json.loads(out) if a["subscription_id"] == sub_id)
    assert latest["kind"] == "pause" or latest["offer_code"] == "desk:contact"  # a contact (no pause rule here) or a pause
    saved = client.v1.subscriptions.retrieve(sub_id, {"expand": ["discounts"]})
    assert len(saved.discounts) == len(before.discounts)  # no second discount either way


def test_a_second_discount_given_when_confirmed(run):
    client = client_for(run.sb, run.sb.secret_key)
    assert run("sync")[0] == 0
    code, out, _ = run("queue", "--format", "json")
    sub_id = next(r["subscription"] for r in json.loads(out) if not r["discount"])
    assert run("save", sub_id, "--percent", "20", "--months", "2", "--consent", "email")[0] == 0
    client.v1.subscriptions.update(sub_id, {"cancel_at_period_end": True})
    assert run("sync")[0] == 0
    code, _, err = run("save", sub_id, "--percent", "10", "--consent", "email", "--second-discount")
    assert code == 0, err
    live = client.v1.subscriptions.retrieve(sub_id, {"expand": ["discounts"]})
    assert not live.cancel_at_period_end and len(live.discounts) == 2
