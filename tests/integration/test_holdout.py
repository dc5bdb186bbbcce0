"""The hold-out through the real SDK (issue 34 §3): new failures get a group by a stable hash, recorded on the invoice's
metadata on Stripe before the console keeps it; the held-out ones leave the reps' queue for a read-only view and refuse
every action; a second console with another share keeps the groups Stripe records; the report compares the groups."""

from __future__ import annotations

import json

import pytest

from console.domain.holdout import KEY, STRIPE, group_of
from console.domain.playbook import Playbook
from console.sandbox.app import Sandbox
from tests.integration.conftest import cli_runner, client_for
from tests.integration.test_recovery_report import on_card
from tests.integration.test_sandbox_payments import renew


@pytest.fixture
def sandbox():
    with Sandbox(seed=11, customers=0) as sb:
        yield sb


def held(run, share: int, since: int) -> None:
    run.data.mkdir(parents=True, exist_ok=True)
    Playbook().with_holdout(share, since).save(run.data / "playbook.json")


def test_new_failures_are_assigned_recorded_on_stripe_and_kept_out_of_the_queue(sandbox, tmp_path, monkeypatch, capsys):
    run = cli_runner(sandbox, tmp_path / "one", monkeypatch, capsys, "Robin (CS)")
    made = [on_card(sandbox, "pm_card_chargeCustomerFail") for _ in range(10)]
    assert run("sync")[0] == 0
    held(run, 50, sandbox.state.clock.now())
    client = made[0][0]
    renew(sandbox, client, made[0][2])
    invoices = [client.v1.invoices.list({"subscription": s.id, "limit": 1}).data[0].id for _, _, s in made]
    code, out, err = run("sync")
    assert code == 0, err
    assert "assigned to the hold-out's groups" in out
    admin = client_for(sandbox, sandbox.secret_key)
    recorded = {i: admin.v1.invoices.retrieve(i).metadata[KEY] for i in invoices}
    assert recorded == {i: group_of(i, 50) for i in invoices}  # on Stripe, as the hash says
    stripe_only = {i for i, g in recorded.items() if g == STRIPE}
    assert 0 < len(stripe_only) < len(invoices)
    queue = {r["invoice"] for r in json.loads(run("failed", "--format", "json")[1])}
    view = {r["invoice"] for r in json.loads(run("failed", "--holdout", "--format", "json")[1])}
    assert queue == set(invoices) - stripe_only and view == stripe_only
    sandbox.clear_log()
    one = sorted(stripe_only)[0]
    for argv in (("retry", one), ("paid-outside", one, "--note", "x"), ("pause", one, "--subscription", "--consent", "call")):
        code, _, err = run(*argv)
        assert code == 1 and "left to Stripe alone" in err, argv
    assert [e for e in sandbox.log if e.method == "POST"] == []  # refused before anything was sent
    code, _, err = run("card-link", one)
    assert code == 1 and "left to Stripe alone" in err

    # a second console, whose playbook says 10%: it keeps the groups Stripe records, never its own
    other = cli_runner(sandbox, tmp_path / "two", monkeypatch, capsys, "Sam (CS)")
    held(other, 10, sandbox.state.clock.now() - 86400)
    assert other("sync")[0] == 0
    assert {r["invoice"] for r in json.loads(other("failed", "--holdout", "--format", "json")[1])} == stripe_only

    report = json.loads(run("report", "--recovery", "--format", "json", "--since", "2026-01-01", "--until", "2030-12-31")[1])
    groups = report["currencies"]["usd"]["holdout"]
    assert groups["left_to_stripe"]["failed"] == len(stripe_only)
    assert groups["desk"]["failed"] == len(invoices) - len(stripe_only)
    assert groups["verdict"].startswith("Not enough yet") and report["holdout"]["percent"] == 50


def test_failures_from_before_the_holdout_began_are_never_assigned(sandbox, tmp_path, monkeypatch, capsys):
    run = cli_runner(sandbox, tmp_path, monkeypatch, capsys, "Robin (CS)")
    client, _, sub = on_card(sandbox, "pm_card_chargeCustomerFail")
    run("sync")
    invoice = renew(sandbox, client, sub)
    run("sync")
    held(run, 50, sandbox.state.clock.now() + 60)  # turned on after this failure
    sandbox.clear_log()
    assert run("sync")[0] == 0
    assert [e for e in sandbox.log if e.method == "POST"] == []
    assert KEY not in client_for(sandbox, sandbox.secret_key).v1.invoices.retrieve(invoice.id).metadata
    assert invoice.id in {r["invoice"] for r in json.loads(run("failed", "--format", "json")[1])}


def test_a_group_that_could_not_be_recorded_is_not_kept_and_is_recorded_at_the_next_sync(sandbox, tmp_path, monkeypatch, capsys):
    run = cli_runner(sandbox, tmp_path, monkeypatch, capsys, "Robin (CS)")
    made = [on_card(sandbox, "pm_card_chargeCustomerFail") for _ in range(6)]
    run("sync")
    held(run, 50, sandbox.state.clock.now())
    client = made[0][0]
    renew(sandbox, client, made[0][2])
    invoices = [client.v1.invoices.list({"subscription": s.id, "limit": 1}).data[0].id for _, _, s in made]
    first = sorted(invoices)[0]
    sandbox.mangle_next("refused", f"/v1/invoices/{first}", field="invoice")  # its read fails this sync
    assert run("sync")[0] == 0
    admin = client_for(sandbox, sandbox.secret_key)
    assert KEY not in admin.v1.invoices.retrieve(first).metadata.to_dict()
    assert first in {r["invoice"] for r in json.loads(run("failed", "--format", "json")[1])}  # unassigned: worked
    assert run("sync")[0] == 0
    assert admin.v1.invoices.retrieve(first).metadata[KEY] == group_of(first, 50)
    shown = first in {r["invoice"] for r in json.loads(run("failed", "--format", "json")[1])}
    assert shown == (group_of(first, 50) != STRIPE)
