"""Every write point failed once (disk full, then a lock held past the timeout): nothing is lost or sent twice.

As SQLite tests itself (https://sqlite.org/testing.html, its I/O error tests fail each I/O in turn): each path runs
once counting its write sites (tests/support/write_faults.py), then once per site at its first, a middle and its
last occurrence with that write failing. After the failure, the user's retry (a sync; the action again if it is
not on Stripe) must leave the cache and the journal as an uninterrupted run leaves them, the full sync's
checkpoint must never name a page that is not stored, and no request may reach Stripe twice (a replay of the
same idempotency key changes nothing and is allowed).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest

from console.actions import Consent
from console.domain.offers import CouponOffer
from console.errors import ConsoleError
from console.pacing import TokenBucket
from console.sandbox.app import Sandbox
from console.services import desk
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from console.sync import engine, opening
from tests.integration.conftest import client_for
from tests.support.reliability import record
from tests.support.write_faults import ERRORS, Plan, injected, points

from .snapshots import cache_file, snapshot

SEED, CUSTOMERS = 53, 60
CALL = Consent("call", "Agreed on the phone")


@pytest.fixture(autouse=True)
def unpaced(monkeypatch):
    """These runs test what is written, not the pace (tests/integration/test_sync_pacing.py does): each sync's
    schedule at 1,000 requests/s, where the sandbox here sets no limit. At the test-mode 25/s the hundreds of syncs
    below were four minutes of sleeping for the full sync's path alone, near its time limit."""

    def fast(gateway: StripeGateway) -> TokenBucket:
        return TokenBucket(1000.0)

    monkeypatch.setattr(opening, "sync_bucket", fast)
    monkeypatch.setattr(engine, "sync_bucket", fast)


def journal_of(data: Path) -> list[tuple]:
    """The journal without its random ids, keys and moments: what was done, to whom, and where it stands."""
    found = list(data.glob("journal-*.sqlite3"))
    if not found:
        return []
    db = sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True)
    try:
        rows = (
            db.execute("SELECT kind, subscription_id, offer_code, state, consent_channel FROM actions").fetchall()
            if _has(db, "actions")
            else []
        )
    finally:
        db.close()
    out = [(kind, sub, code.split(":")[0], state, channel) for kind, sub, code, state, channel in rows]
    return sorted(out, key=repr)


def _has(db: sqlite3.Connection, table: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", [table]).fetchone() is not None


def sent_twice(sb: Sandbox) -> int:
    """POSTs that reached Stripe more than once with different idempotency keys for one object and path."""
    posts = Counter((e.method, e.path) for e in sb.log if e.method == "POST" and not e.replayed)
    return sum(n - 1 for n in posts.values() if n > 1)


def cursor_never_ahead(data: Path) -> None:
    """The full sync's stored checkpoint names only pages that are stored (tests/reliability/test_crashes.py)."""
    found = list(data.glob("acct_*.sqlite3"))
    if not found:
        return
    db = sqlite3.connect(f"file:{found[0]}?mode=ro", uri=True)
    try:
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        ids = {r[0] for r in db.execute("SELECT id FROM subscriptions")}
    finally:
        db.close()
    for rng in (meta.get("full_sync") or {}).get("ranges", []):
        assert rng["after"] is None or rng["after"] in ids, "the checkpoint names a page that was never stored"


@dataclass
class Path_:
    """One user path: `prepare` (not faulted) readies the data dir, `run` is faulted, `retry` is what the user
    does after the error message, and the uninterrupted run is `run` then `retry`."""

    name: str
    prepare: Callable[[Sandbox, Path], dict]
    run: Callable[[Workspace, dict], object]
    retry: Callable[[Workspace, dict], object]
    mutates: bool  # sends writes to Stripe: each point gets its own copy of the account


def _pending(sb: Sandbox) -> list[str]:
    return sorted(
        s["id"]
        for s in sb.state.ordered("subscription")
        if s["cancel_at_period_end"] and s["status"] == "active" and not s["discounts"] and not s["pause_collection"]
    )


def _synced(sb: Sandbox, data: Path) -> dict:
    ws = Workspace.connect(StripeGateway(sb.key, sb.url), data, "Acme")
    ws.sync()
    ws.close()
    return {"sub": _pending(sb)[0]}


def _applied(ws: Workspace, sub_id: str, kind: str) -> list:
    return [a for a in ws.journal.for_subscription(sub_id) if a.kind == kind and a.state in ("applied", "undone")]


def _save(ws: Workspace, ctx: dict) -> object:
    return ws.actions("Ann").apply(ctx["sub"], CouponOffer(coupon_id="HALF-1M"), CALL)


def _save_again(ws: Workspace, ctx: dict) -> None:
    ws.sync()  # finishes an action interrupted after its request (Stripe replays it), as the next start does
    if not _applied(ws, ctx["sub"], "save"):
        _save(ws, ctx)
    ws.sync()  # and what the next sync reads after it


def _saved_first(sb: Sandbox, data: Path) -> dict:
    ctx = _synced(sb, data)
    ws = Workspace.connect(StripeGateway(sb.key, sb.url), data, "Acme")
    ctx["save"] = _save(ws, ctx).id  # type: ignore[attr-defined]
    ws.sync()
    ws.close()
    return ctx


def _undo(ws: Workspace, ctx: dict) -> object:
    return ws.actions("Ann").undo(ctx["save"])


def _undo_again(ws: Workspace, ctx: dict) -> None:
    ws.sync()
    if ws.journal.get(ctx["save"]).state == "applied":  # type: ignore[union-attr]
        _undo(ws, ctx)
    ws.sync()


def _take(ws: Workspace, ctx: dict) -> object:
    return desk.take(ws, "Ann", [ctx["sub"]])


def _take_again(ws: Workspace, ctx: dict) -> None:
    ws.sync()
    if not any(a.offer_code == "desk:take" and a.state == "applied" for a in ws.journal.for_subscription(ctx["sub"])):
        _take(ws, ctx)
    ws.sync()


def _changed_on_stripe(sb: Sandbox) -> None:
    """What an incremental sync reads: customers who ask to cancel, one who changes their mind."""
    client = client_for(sb, sb.secret_key)
    active = [s["id"] for s in sb.state.ordered("subscription") if s["status"] == "active" and not s["cancel_at_period_end"]]
    for sub_id in active[:4]:
        client.v1.subscriptions.update(
            sub_id, {"cancel_at_period_end": True, "cancellation_details": {"feedback": "too_expensive"}}
        )
    client.v1.subscriptions.update(_pending(sb)[-1], {"cancel_at_period_end": False})


def _full(ws: Workspace, ctx: dict) -> object:
    return ws.sync(full=True)


def _sync(ws: Workspace, ctx: dict) -> object:
    return ws.sync()


def _connected(sb: Sandbox, data: Path) -> dict:
    Workspace.connect(StripeGateway(sb.key, sb.url), data, "Acme").close()
    return {}


PATHS = [
    Path_("full sync", _connected, _full, _sync, mutates=False),
    Path_("incremental sync", _synced, _sync, _sync, mutates=False),
    Path_("save", _synced, _save, _save_again, mutates=True),
    Path_("undo", _saved_first, _undo, _undo_again, mutates=True),
    Path_("desk take", _synced, _take, _take_again, mutates=True),
]


RANDOM = re.compile(r"act_[0-9a-f]{20}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


EPOCH = re.compile(r"\b1\d{9}\b")
RUNS_FROM = [0]  # epoch seconds after the account was prepared: later moments are when a run ran, not data


def _plain(value):
    if isinstance(value, str):  # ids and timeline keys carry ids and epoch seconds too
        return EPOCH.sub(lambda m: str(_plain(int(m.group()))), RANDOM.sub("…", value))
    if isinstance(value, int) and RUNS_FROM[0] <= value <= time.time() + 600:  # the sandbox clock may run ahead
        return "moment"
    return value


def _state(data: Path) -> tuple[dict, list]:
    """The cache and journal, with the action ids and the moments each run draws anew made equal."""
    plain = {
        table: sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)
        for table, rows in snapshot(cache_file(data)).items()
    }
    return plain, journal_of(data)


@pytest.mark.parametrize("path", PATHS, ids=[p.name for p in PATHS])
def test_every_write_point_failed_once_loses_nothing_and_sends_nothing_twice(tmp_path, monkeypatch, path):
    account = tmp_path / "account.json"
    with Sandbox(seed=SEED, customers=CUSTOMERS) as sb:
        template = tmp_path / "template"
        ctx = path.prepare(sb, template)
        if path.name == "incremental sync":
            _changed_on_stripe(sb)
        sb.state_file = account
        sb.save()
    time.sleep(1.1)  # a whole second after the account's last moment: what is later was made by a run
    RUNS_FROM[0] = int(time.time())

    shared = None if path.mutates else Sandbox(state_file=account).start()  # a sync only reads: one account serves

    def attempt(name: str, plan: Plan) -> tuple[tuple[dict, list], Plan, ConsoleError | None, int]:
        data = tmp_path / name
        shutil.copytree(template, data)
        with nullcontext(shared) if shared else Sandbox(state_file=_copy(account, tmp_path / f"{name}.json")) as sb:
            sb.clear_log()
            error = None
            with injected(monkeypatch, plan):
                ws = Workspace.connect(StripeGateway(sb.key, sb.url), data, "Acme")
                try:
                    path.run(ws, ctx)
                except ConsoleError as exc:  # the disk's or the lock's, said in words
                    error = exc
                cursor_never_ahead(data)
            ws.close()
            ws = Workspace.connect(StripeGateway(sb.key, sb.url), data, "Acme")
            path.retry(ws, ctx)
            ws.close()
            twice = sent_twice(sb)
        return _state(data), plan, error, twice

    try:
        _every_point(attempt, path)
    finally:
        if shared is not None:
            shared.stop()


def _every_point(attempt, path: Path_) -> None:
    expected, counted, error, twice = attempt("reference", Plan())
    assert error is None and twice == 0
    sites = points(counted.counts)
    assert sites, "the path wrote nothing"
    if path.name == "full sync":  # the invoice pass is the full sync's last part: its writes are among the sites
        assert any("sync/invoices.py" in s for s, _ in sites), sorted(counted.counts)
    tried = lost = doubled = 0
    for kind in ERRORS:
        for n, target in enumerate(sites):
            got, plan, error, twice = attempt(f"{kind}-{n}", Plan(target=target, kind=kind))
            assert plan.fired, f"{target} was not reached again"
            assert error is not None, f"{kind} at {target} was swallowed: the user was not told"
            assert "full" in error.message or "in use" in error.message, error.message
            tried += 1
            doubled += twice
            for table in expected[0]:
                if expected[0][table] != got[0][table]:
                    lost += 1
                    a, b = set(expected[0][table]), set(got[0][table])
                    pytest.fail(
                        f"{kind} at {target} (runs from {RUNS_FROM[0]}, now {time.time()}): {table} differs after the retry: {sorted(a - b, key=repr)[:2]} != {sorted(b - a, key=repr)[:2]}"
                    )
            assert expected[1] == got[1], f"{kind} at {target}: the journal differs after the retry"
            assert twice == 0, f"{kind} at {target}: a request reached Stripe twice"
    record(faults_injected=tried, write_points=tried, duplicates=doubled, lost_updates=lost)


def _copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst
