"""A full sync's opening reads (the events cursor, coupons, tiers, portal configurations, the invoice cursor) go
beside the account check when a full sync is known to follow, not one round trip after it; nothing is read twice,
and nothing ahead when the sync that follows is an incremental one."""

from __future__ import annotations

import pytest

from console.errors import ConsoleError
from console.sandbox.app import Sandbox
from console.sandbox.faults import FaultConfig
from console.services import operations
from console.services.session import Session, connector
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from console.sync.engine import sync
from console.sync.full import full_sync
from console.sync.opening import Opening
from tests.integration.conftest import cli_runner

LATENCY_S = 0.25
OPENING = ("/v1/coupons", "/v1/prices", "/v1/billing_portal/configurations")


def v1(log):
    return [e for e in log if e.path.startswith("/v1/")]


def cursors(sent):
    """The one-event reads of /v1/events: the sync's cursor and the invoices' (`limit=1`)."""
    return [e for e in sent if e.path == "/v1/events" and str(e.params.get("limit")) == "1"]


@pytest.fixture
def slow():
    with Sandbox(seed=5, customers=300, faults=FaultConfig(latency_ms=LATENCY_S * 1000)) as sb:
        yield sb


def test_a_first_sync_reads_its_opening_beside_the_account_check_each_once(slow, tmp_path):
    """In a new data dir the sync is a full one: its opening reads arrive with the account check (within a fraction
    of the round trip), not a round trip later; each is read once, and the queue is the one a sync connected the old
    way finds."""
    ws = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path / "new", syncing=True)
    ws.sync()
    sent = v1(slow.log)
    account = next(e for e in sent if e.path == "/v1/account")
    ahead = [e for e in sent if e.path in OPENING] + cursors(sent)
    assert len(ahead) == 5 and all(e.at - account.at < LATENCY_S / 2 for e in ahead), [(e.path, e.at - account.at) for e in ahead]
    assert [sum(e.path == p for e in sent) for p in OPENING] == [1, 1, 1]
    queue = {r.subscription_id for r in ws.queue()}
    ws.close()

    before = len(slow.log)
    old = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path / "old")  # no sync said to follow: nothing ahead
    later = v1(slow.log[before:])
    assert [e.path for e in later] == ["/v1/account"]
    old.sync()
    assert {r.subscription_id for r in old.queue()} == queue and queue
    old.close()


def test_the_cli_sync_and_the_window_session_read_ahead_alike(slow, tmp_path, monkeypatch, capsys):
    """One rule for both paths (Workspace.connect): `churn-console sync` in a new data dir and the window's session
    (connect, then its sync) each send the opening beside the account check, and find the same queue."""
    cli = cli_runner(slow, tmp_path / "cli", monkeypatch, capsys, "Ann")
    code, _, err = cli("sync")
    assert code == 0, err
    session = Session(tmp_path / "window", connector(tmp_path / "window", demo=False, profile=None, api_base=slow.url))
    start = len(slow.log)
    workspace = session.open()
    operations.sync(workspace)
    queues = []
    for sent, data in ((v1(slow.log[:start]), tmp_path / "cli"), (v1(slow.log[start:]), tmp_path / "window")):
        account = next(e for e in sent if e.path == "/v1/account")
        assert all(e.at - account.at < LATENCY_S / 2 for e in sent if e.path in OPENING), data
        assert len(cursors(sent)) == 2  # the sync's and the invoices', each once
        cached = Workspace.last(data)
        queues.append({r.subscription_id for r in cached.queue()})
        cached.close()
    session.close()
    assert queues[0] == queues[1] and queues[0]


def test_a_data_dir_that_has_a_cache_reads_nothing_ahead_of_its_incremental_sync(slow, tmp_path):
    """The next sync of the same data dir is incremental: a quiet one stays at its three requests (the account
    check, the events, the invoice events), with nothing read ahead for a full sync that does not come."""
    first = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path, syncing=True)
    first.sync()
    first.close()
    before = len(slow.log)
    ws = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path, syncing=True)
    report = ws.sync()
    ws.close()
    assert report.kind == "incremental"
    assert sorted(e.path for e in v1(slow.log[before:])) == ["/v1/account", "/v1/events", "/v1/events"]


def test_sync_full_on_a_cache_reads_its_opening_ahead_and_its_invoice_stream_from_the_cache(slow, tmp_path):
    """`sync --full` on a data dir with a cache: the opening goes beside the check (the cache's invoice cursor is
    not known before it, so that stream is read by the sync, after its own cursor, as before)."""
    first = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path)
    first.sync()
    first.close()
    before = len(slow.log)
    ws = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path, syncing=True, full=True)
    report = ws.sync(full=True)
    sent = v1(slow.log[before:])
    account = next(e for e in sent if e.path == "/v1/account")
    assert report.kind == "full"
    assert all(e.at - account.at < LATENCY_S / 2 for e in sent if e.path in OPENING)
    assert len(cursors(sent)) == 1  # the sync's cursor; the invoices' stream reads on from the cache's own
    ws.close()


def test_a_key_refused_at_the_check_leaves_no_reads_running_and_no_cache(tmp_path):
    """A wrong key: the check's refusal is what the operator reads; the reads begun beside it are let go (they are
    refused too), and no cache is made."""
    with Sandbox(seed=5, customers=50) as sb:
        wrong = StripeGateway("rk_test_" + "x" * 24, sb.url)
        with pytest.raises(ConsoleError) as raised:
            Workspace.connect(wrong, tmp_path / "data", syncing=True)
        assert "key" in raised.value.message.lower()
        assert not list((tmp_path / "data").glob("*.sqlite3"))


def test_an_opening_read_for_a_full_sync_that_does_not_come_is_let_go(slow, tmp_path):
    """The engine given an opening but finding the cache's cursor holds (an incremental sync) closes it unused;
    a workspace closed before its sync lets its opening go too."""
    ws = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path)
    ws.sync()
    opening = Opening.start(ws.need_gateway())
    report = sync(ws.need_gateway(), ws.cache, opening=opening)
    assert report.kind == "incremental"
    assert opening._pool._shutdown  # let go: nothing more runs in it
    ws.close()

    unused = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path / "other", syncing=True)
    pool = unused._opening._pool
    unused.close()
    assert pool._shutdown and unused._opening is None


def test_a_resumed_full_sync_keeps_its_own_cursor_and_stores_the_prices_even_with_no_page_left(slow, tmp_path):
    """Resuming, the cursor taken before the first page of the interrupted sync stays (a newer one would skip what
    changed while it was stopped); with every range read already, the coupons read ahead are stored all the same."""
    ws = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path)
    ws.sync()
    cache, gateway = ws.cache, ws.need_gateway()
    cache.set_meta("full_sync", {"started_at": 1, "pages": 3, "cursor": ["evt_kept", 5], "workers": 8,
                                 "ranges": [{"gte": 0, "lt": 10, "after": None, "done": True}]})  # fmt: skip
    cache.replace_coupons([])
    report = full_sync(gateway, cache, bucket=(opening := Opening.start(gateway)).bucket, opening=opening)
    assert report.resumed and cache.get_meta("events_cursor") == {"id": "evt_kept", "at": 5}
    assert cache.coupons()  # stored from the opening, though no page was
    ws.close()


def test_a_sync_process_never_loads_numpy_and_its_stored_rows_are_the_same(slow, tmp_path):
    """sqlite-utils imports numpy only to convert numpy values the console never gives it; imported beside a sync's
    reads (store/database.py, `beside_reads`) it goes without: a quiet `sync` took 0.39 s of CPU, not 0.63, and 43 MB,
    not 54 (/usr/bin/time, six runs each). A first sync and a quiet one, each a process of its own, end without numpy,
    with sqlite-utils in use, and store what a sync in this (numpy-loaded) process stores."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import sys, json; from console.cli import main; code = main(sys.argv[1:]);"
        "print(json.dumps([code, 'numpy' in sys.modules, 'sqlite_utils' in sys.modules]))"
    )
    env = {**os.environ, "STRIPE_API_KEY": slow.key}
    argv = ["--api-base", slow.url, "--data-dir", str(tmp_path / "cli"), "sync"]
    runs = [
        subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, timeout=300) for _ in "12"
    ]
    assert [json.loads(r.stdout.strip().splitlines()[-1]) for r in runs] == [[0, False, True], [0, False, True]], runs[0].stderr
    here = Workspace.connect(StripeGateway(slow.key, slow.url), tmp_path / "here", syncing=True)
    here.sync()
    there = Workspace.last(tmp_path / "cli")
    rows = "SELECT id, status, mrr_minor, mrr_usage, coupon_ids FROM subscriptions ORDER BY id"
    assert list(there.cache.db.query(rows)) == list(here.cache.db.query(rows)) and list(here.cache.db.query(rows))
    here.close()
    there.close()
