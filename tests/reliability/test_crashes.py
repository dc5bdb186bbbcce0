"""kill -9 in the middle of a sync or an action: the next start finds a consistent cache and never applies twice."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import stripe

from console.sandbox.app import Sandbox
from tests.support.reliability import record

from .snapshots import cache_file, snapshot


def cli(sb: Sandbox, data: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "STRIPE_API_KEY": sb.key, "CHURN_CONSOLE_OPERATOR": "Crash Tester"}
    cmd = [sys.executable, "-m", "console", "--api-base", sb.url, "--data-dir", str(data), *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen) -> str:
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out


def consistent(data: Path) -> None:
    """What the next start relies on: an intact file, and no cursor ahead of the rows it claims."""
    found = list(data.glob("acct_*.sqlite3"))
    if not found:
        return  # killed before the cache was created
    db = sqlite3.connect(found[0])
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if db.execute("PRAGMA user_version").fetchone()[0] == 0:  # killed while creating it: all or nothing
            assert not db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            return
        meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
        created = dict(db.execute("SELECT id, created FROM subscriptions").fetchall())
        ids = set(created)
        checkpoint = meta.get("full_sync")
        if checkpoint:
            for rng in checkpoint["ranges"]:
                assert rng["after"] is None or rng["after"] in ids, "a range's cursor is ahead of the rows written"
                assert rng["done"] or rng["after"] is None or rng["gte"] <= created[rng["after"]] < rng["lt"]
            if meta.get("last_full_sync_at") is None:
                assert meta.get("events_cursor") is None, "the events cursor is only set when the first full sync completes"
        if meta.get("events_cursor") is not None:
            assert meta.get("last_full_sync_at") is not None
        pending = {r[0] for r in db.execute("SELECT subscription_id FROM intents WHERE resolution = 'pending'")}
        assert pending <= ids, "an intent without its subscription"
    finally:
        db.close()


def test_sync_killed_at_20_random_moments_resumes_to_the_same_cache(tmp_path):
    rng = random.Random(99)
    with Sandbox(seed=41, customers=1200) as sb:
        sb.configure_faults(latency_ms=25)
        finish(cli(sb, tmp_path / "reference", "sync", "--full"))  # the first: it also reads each failure's decline
        t0 = time.monotonic()
        finish(cli(sb, tmp_path / "reference", "sync", "--full"))  # as long as the later full syncs below
        duration = time.monotonic() - t0
        data = tmp_path / "killed"
        kills = 0
        for _ in range(20):
            proc = cli(sb, data, "sync", "--full")  # resumes the interrupted full sync, or starts another
            time.sleep(rng.uniform(0.05, 0.6 * duration))  # a resumed sync reads only what is left: shorter than the first
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=60)
            consistent(data)
        out = finish(cli(sb, data, "sync"))
        consistent(data)
    assert kills >= 15, f"only {kills} of 20 runs were still going when killed"
    assert "pending cancellations" in out
    a, b = snapshot(cache_file(tmp_path / "reference")), snapshot(cache_file(data))
    for table in a:
        assert a[table] == b[table], f"{table} differs after a sync that was killed {kills} times"
    record(kills=kills, syncs_compared=1)


def test_an_action_killed_mid_flight_is_finished_or_reported_and_never_applied_twice(tmp_path):
    rng = random.Random(5)
    with Sandbox(seed=43, customers=200) as sb:
        data = tmp_path / "data"
        finish(cli(sb, data, "sync"))
        client = stripe.StripeClient(sb.key, base_addresses={"api": sb.url})
        pending = [
            s.id
            for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
            if s.cancel_at_period_end and not s.discounts
        ]
        assert len(pending) >= 6
        seeded = client.v1.coupons.retrieve("HALF-1M").times_redeemed  # the demo account redeems it too
        sb.configure_faults(latency_ms=300)
        phases = []
        for sub_id in pending[:6]:
            sb.clear_log()
            proc = cli(sb, data, "save", sub_id, "--coupon", "HALF-1M", "--consent", "call")
            wait_for = rng.randint(
                0, 3
            )  # requests answered before the kill: the account, the re-read, the coupon, then the update
            while len(sb.log) < wait_for and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.35))
            posted = any(e.method == "POST" for e in sb.log)
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            phases.append("after the update was answered" if posted else "before the update was answered")
        sb.configure_faults(latency_ms=0)
        out = finish(cli(sb, data, "sync"))  # the next start
        journal = finish(cli(sb, data, "journal", "--format", "json"))
        redeemed = client.v1.coupons.retrieve("HALF-1M").times_redeemed - seeded
        discounts = 0
        for sub_id in pending[:6]:
            sub = client.v1.subscriptions.retrieve(sub_id, {"expand": ["discounts"]})
            mine = [d for d in sub.discounts if d.source.coupon == "HALF-1M"]
            assert len(mine) <= 1, f"{sub_id} was saved twice"
            discounts += len(mine)
    entries = json.loads(journal)
    assert not [e for e in entries if e["state"] == "pending"], "every interrupted action was finished or reported"
    applied = [e for e in entries if e["state"] == "applied" and e["kind"] == "save"]
    assert len(applied) == discounts == redeemed, (phases, out)
    assert len(set(phases)) == 2, phases  # both moments were hit
    record(kills=len(phases), actions_run=len(phases), duplicates=redeemed - discounts)
