"""A full sync that stops part-way (the disk fills): every surface says the queue is incomplete, never a partial
queue that looks whole, and the next sync completes it with nothing lost (issue "Nothing lost, II", point 1)."""

from __future__ import annotations

import json
import re

import pytest

from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import cli_runner
from tests.support.write_faults import Plan, injected

UNFINISHED = re.compile(r"The last sync did not finish: \d+ pages read\. Sync again to complete the queue\.")


def _page_commit(plan: Plan) -> str:
    return next(site for site in plan.counts if site.startswith("sync/full.py") and site.endswith("COMMIT"))


@pytest.fixture
def account():
    with Sandbox(seed=61, customers=400) as sb:  # a few pages in each of several ranges read at once
        yield sb


def test_a_disk_that_fills_during_the_first_full_sync_leaves_the_queue_marked_incomplete_then_whole(
    account, tmp_path, monkeypatch, capsys
):
    sb, data = account, tmp_path / "data"
    cli = cli_runner(sb, data, monkeypatch, capsys, "Ann")
    with injected(monkeypatch, Plan()) as counted:  # the uninterrupted run, elsewhere: what a whole queue holds
        whole = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "whole", "Acme")
        whole.sync()
        expected = {r.subscription_id for r in whole.queue()}
        whole.close()
    site = _page_commit(counted)
    with injected(monkeypatch, Plan(target=(site, 3), kind="SQLITE_FULL")) as plan:
        code, out, err = cli("sync")
    assert plan.fired and code == 1
    assert "full" in err and "Nothing was changed" not in err  # pages were stored: that sentence would be untrue
    said = UNFINISHED.search(err)
    assert said, err  # the other ranges' readers finish their pages: how many were stored is said

    code, out, err = cli("queue", "--format", "json")
    assert code == 0 and len(json.loads(out)) < len(expected)
    assert f"queue: {said.group()}" in err  # the same words, the same count
    code, out, err = cli("report", "--format", "json")
    assert code == 0 and "did not finish" in err
    json.loads(out)  # the report's own output stays whole

    code, out, err = cli("sync")
    assert code == 0, err
    code, out, err = cli("queue", "--format", "json")
    assert code == 0 and "did not finish" not in err
    assert {r["subscription"] for r in json.loads(out)} == expected  # nothing lost: every pending cancellation


def test_the_window_shows_an_unfinished_sync_as_a_banner_until_a_sync_completes(qtbot, tmp_path, monkeypatch, account):
    from console.services.connection import Connection
    from console.ui.main_window import MainWindow

    sb = account
    with injected(monkeypatch, Plan()) as counted:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "whole", "Acme")
        ws.sync()
        ws.close()
    window = None
    with injected(monkeypatch, Plan(target=(_page_commit(counted), 3), kind="SQLITE_FULL")) as plan:
        window = MainWindow(lambda: Connection(StripeGateway(sb.key, sb.url), "sandbox", label="Acme"), tmp_path / "data")
        qtbot.addWidget(window)
        failed, synced = [], []
        window.sync_failed.connect(failed.append)
        window.synced.connect(synced.append)
        window.show()
        qtbot.waitUntil(lambda: bool(failed) and not window.runner.busy, timeout=30000)
    assert plan.fired
    banner = window.queue.unfinished
    qtbot.waitUntil(banner.isVisible, timeout=10000)
    assert UNFINISHED.fullmatch(banner.text()), banner.text()
    window.refresh_action.trigger()  # F5, as the banner says
    qtbot.waitUntil(lambda: bool(synced) and not window.runner.busy, timeout=30000)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10000)
