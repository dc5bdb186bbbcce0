"""A file we cannot use now is not a damaged file: locked, full or read-only is said and kept; only real
corruption is set aside, and a damaged copy is offered back, never forgotten (issue "Nothing lost")."""

from __future__ import annotations

import sqlite3

import pytest

from console.actions import Consent
from console.cli import main
from console.domain.offers import ContactOffer, RevokeOffer
from console.services.workspace import Workspace
from console.store import schema
from console.store.journal import Journal
from console.stripe_gateway import StripeGateway
from tests.support.reliability import record


@pytest.fixture
def saved(sandbox, tmp_path):
    """A workspace with one applied save in its journal."""
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path, "Acme")
    ws.sync()
    action = ws.actions("Dana").apply(ws.queue()[0].subscription_id, RevokeOffer(), Consent("call"))
    path = ws.journal.path
    ws.close()
    return path, action


def test_a_journal_locked_by_another_program_is_said_busy_and_kept(saved, monkeypatch, tmp_path, sandbox, capsys):
    path, action = saved
    monkeypatch.setattr(schema, "BUSY_WAIT_S", 0.5)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA locking_mode=EXCLUSIVE")  # another program (a backup tool, a DB browser) holds the file
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(schema.DatabaseUnavailable, match="in use by another program"):
            Journal(path)
        monkeypatch.setenv("STRIPE_API_KEY", sandbox.key)
        code = main(["--data-dir", str(tmp_path), "--api-base", sandbox.url, "journal"])
        err = capsys.readouterr().err
        assert code == 1 and "in use by another program" in err and "No actions yet" not in err
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not list(tmp_path.glob("*.damaged-*"))  # not set aside
    record(unusable_files=1, set_aside_wrongly=len(list(tmp_path.glob("*.damaged-*"))))
    again = Journal(path)
    assert again.get(action.id).state == "applied"  # nothing lost
    again.close()


def test_a_full_disk_stops_the_action_before_anything_is_sent(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path, "Acme")
    ws.sync()
    row = ws.queue()[0]
    journal = ws.journal
    pages = journal.db.conn.execute("PRAGMA page_count").fetchone()[0]
    journal.db.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's SQLITE_FULL, as on a full disk
    posts = [e for e in sandbox.log if e.method == "POST"]
    recorded = 0
    with pytest.raises(schema.DatabaseUnavailable, match="full"):
        for _ in range(50):  # a few rows fit in the last page; then the disk is full
            ws.actions("Dana").apply(row.subscription_id, ContactOffer(), Consent("call", "x" * 400))
            recorded += 1  # a contact is one desk write on Stripe, journaled before it is sent
    sent = [e for e in sandbox.log if e.method == "POST"][len(posts) :]
    assert len(sent) == recorded  # journal first: the contact the full disk refused sent nothing
    assert not list(tmp_path.glob("*.damaged-*"))
    record(unusable_files=1, set_aside_wrongly=len(list(tmp_path.glob("*.damaged-*"))))
    ws.close()


def test_sqlite_errors_that_are_not_damage_are_never_called_damage(tmp_path):
    path = tmp_path / "x.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (a)").connection.commit()
    ro = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.Error) as readonly:
        ro.execute("INSERT INTO t VALUES (1)")
    assert isinstance(schema.unavailable(path, readonly.value), schema.DatabaseUnavailable)
    record(unusable_files=1)
    assert "cannot be written" in schema.unavailable(path, readonly.value).message
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.Error) as notadb:
        sqlite3.connect(path).execute("SELECT * FROM t")
    assert isinstance(schema.unavailable(path, notadb.value), schema.DatabaseDamaged)


def test_a_damaged_journal_copy_is_offered_and_its_actions_merged_back(saved, sandbox, tmp_path, capsys, monkeypatch):
    path, action = saved
    good = path.read_bytes()
    path.write_bytes(b"\x00garbage" * 300)  # damaged: the next start sets it aside
    Journal(path).close()
    copy = next(p for p in tmp_path.glob(f"{path.name}.damaged-*") if not p.name.endswith(("-wal", "-shm")))
    copy.write_bytes(good)  # a copy that still reads (damage elsewhere in a real file)
    for extra in tmp_path.glob(f"{path.name}.damaged-*-wal"):
        extra.unlink()
    monkeypatch.setenv("STRIPE_API_KEY", sandbox.key)
    code = main(["--data-dir", str(tmp_path), "--api-base", sandbox.url, "journal"])
    assert code == 0 and "--recover-damaged" in capsys.readouterr().err
    code = main(["--data-dir", str(tmp_path), "--api-base", sandbox.url, "journal", "--recover-damaged"])
    out = capsys.readouterr().out
    assert code == 0 and "Merged 1 action" in out
    merged = Journal(path)
    assert merged.get(action.id).operator == "Dana" and merged.damaged_copies() == []
    merged.close()
    assert copy.with_name(copy.name + ".merged").exists()  # kept
