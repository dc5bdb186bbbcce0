"""A damaged cache or journal is detected at start, kept aside, and rebuilt from Stripe."""

from __future__ import annotations

import pytest

from console.actions import Consent
from console.domain.offers import CouponOffer
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway


def sdk_pending(client) -> set[str]:
    return {
        s.id for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end or s.cancel_at
    }


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty_header"])
def test_a_damaged_cache_is_set_aside_and_rebuilt(sandbox, client, tmp_path, damage):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    path = ws.cache.path
    ws.close()
    data = path.read_bytes()
    if damage == "garbage":
        path.write_bytes(b"this is not a database" * 500)
    elif damage == "truncated":
        path.write_bytes(data[: len(data) // 3])
    else:
        path.write_bytes(data[:100] + b"\0" * (len(data) - 100))
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    damaged = path.read_bytes()
    again = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    kept = [p for p in tmp_path.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged  # the damaged file is kept as it was, not deleted
    report = again.sync()
    assert report.kind == "full" and "set aside" in report.summary()
    assert {r.subscription_id for r in again.queue()} == sdk_pending(client)
    again.close()


def test_a_damaged_journal_recovers_its_saves_from_stripe_metadata(sandbox, client, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    row = ws.queue()[0]
    saved = ws.actions("Dana").apply(row.subscription_id, CouponOffer(coupon_id="HALF-1M"), Consent("call"))
    journal_path = ws.journal.path
    ws.close()
    journal_path.write_bytes(b"\x00garbage" * 300)
    again = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    report = again.sync()
    assert "saves recovered" in report.summary()
    assert list(tmp_path.glob(f"{journal_path.name}.damaged-*"))
    recovered = again.journal.get(saved.id)
    assert recovered is not None and recovered.state == "applied" and recovered.operator == "Dana"
    assert recovered.offer_code == "coupon:HALF-1M" and recovered.consent_channel == "call"
    again.close()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty_header"])
def test_a_cache_opened_unchecked_is_checked_by_its_first_sync(sandbox, client, tmp_path, damage):
    """The window opens on the cache before SQLite's integrity check (0.8 s at a million subscriptions); a
    damaged file is then found by the first sync's check, or by the first read that fails: set aside (kept)
    and rebuilt, never shown empty as if the account had no cancellations."""
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    path = ws.cache.path
    ws.close()
    data = path.read_bytes()
    damaged = {
        "garbage": b"this is not a database" * 500,
        "truncated": data[: len(data) // 3],
        "empty_header": data[:100] + b"\0" * (len(data) - 100),
    }[damage]
    path.write_bytes(damaged)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    opened = Workspace.last(tmp_path, check=False)
    assert opened is not None
    again = opened.attach(StripeGateway(sandbox.key, sandbox.url))
    report = again.sync()
    kept = [p for p in tmp_path.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert report.kind == "full" and "set aside" in report.summary()
    assert {r.subscription_id for r in again.queue()} == sdk_pending(client)
    again.close()


def test_a_sound_cache_opened_unchecked_passes_its_check_and_keeps_everything(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    before = {r.subscription_id for r in ws.queue()}
    ws.close()
    opened = Workspace.last(tmp_path, check=False)
    assert opened.cache.unchecked and opened.cache.verify() and not opened.cache.unchecked
    assert {r.subscription_id for r in opened.queue()} == before and opened.cache.set_aside is None
    opened.close()


@pytest.mark.parametrize("damage", ["truncated", "empty_header"])
def test_the_queue_command_reads_unchecked_and_a_damaged_cache_is_set_aside_and_said(
    sandbox, tmp_path, damage, capsys, process_hooks
):
    """`queue` skips SQLite's whole-file check (a second at a million subscriptions): a read that meets damage
    runs it, the file is moved aside (kept) and the user is told to sync; never an empty queue."""
    from console.cli import main

    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    path = ws.cache.path
    ws.close()
    data = path.read_bytes()
    damaged = data[: len(data) // 3] if damage == "truncated" else data[:100] + b"\0" * (len(data) - 100)
    path.write_bytes(damaged)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    code = main(["--data-dir", str(tmp_path), "queue", "--format", "json"])
    out = capsys.readouterr()
    kept = [p for p in tmp_path.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert code != 0 and out.out == "", out.out[:200]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert "damaged" in out.err and "churn-console sync" in out.err


def test_a_cache_known_sound_streams_its_queue_and_damage_met_on_the_way_is_checked_set_aside_and_said(
    sandbox, tmp_path, capsys, process_hooks
):
    """A cache that passed its check unchanged since (store/soundness.py) streams `queue` straight from SQLite, with
    no temporary file and nothing to wait for; the same rows as the checked path. Pages damaged in place with the
    file's size and time kept (its stamp unchanged: bit rot) are met by the read: the file is checked then, set
    aside (kept), and the command fails saying so, its output never closed as if whole."""
    import json
    import os
    import tempfile
    import time

    from console.cli import main
    from console.store import soundness

    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path)
    ws.sync()
    path = ws.cache.path
    ws.close()
    old = time.time() - 3600
    os.utime(path, (old, old))  # settled: a file written seconds ago is never stamped
    assert main(["--data-dir", str(tmp_path), "queue", "--format", "json"]) == 0  # checked, then stamped
    checked = json.loads(capsys.readouterr().out)
    assert soundness.known_sound(path)
    spools = []
    real = tempfile.TemporaryFile

    def spool(*args, **kwargs):
        spools.append(1)
        return real(*args, **kwargs)

    tempfile.TemporaryFile = spool
    try:
        assert main(["--data-dir", str(tmp_path), "queue", "--format", "json"]) == 0
    finally:
        tempfile.TemporaryFile = real
    streamed = json.loads(capsys.readouterr().out)
    assert spools == [] and [r["subscription"] for r in streamed] == [r["subscription"] for r in checked]
    data = bytearray(path.read_bytes())
    for page in range(len(data) // 4096 // 2, len(data) // 4096):  # the later half's pages, the table's rows among them
        data[page * 4096 + 100 : page * 4096 + 4000] = b"\xa5" * 3900
    with path.open("r+b") as f:
        f.write(bytes(data))
    os.utime(path, (old, old))
    assert soundness.known_sound(path)  # the stamp cannot tell
    code = main(["--data-dir", str(tmp_path), "queue", "--format", "json"])
    out = capsys.readouterr()
    kept = [p for p in tmp_path.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm"))]
    assert code != 0 and not out.out.rstrip().endswith("]"), out.out[-200:]
    assert len(kept) == 1 and kept[0].read_bytes() == bytes(data)
    assert "damaged" in out.err and "churn-console sync" in out.err
