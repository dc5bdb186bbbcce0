"""store/schema.py and store/valuation.py: opening and migrating a database; what an SQLite error means for the
user (damage is set aside, a lock, a full disk or a read-only file keeps the file); the valuation's maps."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest

from console.domain import mrr
from console.store import Cache
from console.store.queue_reads import PENDING_ROWS
from console.store.schema import (
    SCHEMA_VERSION,
    DatabaseDamaged,
    DatabaseError,
    DatabaseUnavailable,
    open_database,
    set_aside,
    unavailable,
)
from console.store.valuation import tiers_from_row, tiers_row


def sqlite_error(name: str, text: str = "it failed") -> sqlite3.Error:
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorname = name  # as sqlite3 sets it (Python 3.11+)
    return exc


@pytest.mark.parametrize(
    "name, text, kind, words",
    [
        ("SQLITE_CORRUPT", "database disk image is malformed", DatabaseDamaged, "is damaged"),
        ("SQLITE_NOTADB", "file is not a database", DatabaseDamaged, "is damaged"),
        ("SQLITE_BUSY", "database is locked", DatabaseUnavailable, "in use by another program"),
        ("", "database table is locked", DatabaseUnavailable, "in use by another program"),
        ("SQLITE_FULL", "database or disk is full", DatabaseUnavailable, "disk holding"),
        ("SQLITE_READONLY", "attempt to write a readonly database", DatabaseUnavailable, "cannot be written"),
        ("SQLITE_CANTOPEN", "unable to open database file", DatabaseUnavailable, "cannot be written"),
        ("SQLITE_IOERR", "disk I/O error", DatabaseUnavailable, "cannot be used right now"),
    ],
)
def test_only_real_corruption_is_damage_everything_else_keeps_the_file(tmp_path, name, text, kind, words):
    found = unavailable(tmp_path / "c.sqlite3", sqlite_error(name, text))
    assert type(found) is kind and words in found.message and found.hint


def test_a_new_file_is_migrated_to_the_latest_schema_and_a_newer_one_is_refused(tmp_path):
    path = tmp_path / "c.sqlite3"
    db = open_database(path)
    assert db.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert {"subscriptions", "intents", "timeline", "coupons", "price_tiers"} <= set(db.utils.table_names())
    db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.conn.close()
    with pytest.raises(DatabaseError, match="written by a newer churn-console"):
        open_database(path)
    assert path.exists()  # kept as it is


def test_a_damaged_file_is_moved_aside_with_its_wal_files(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"x" * 4096)
    (tmp_path / "c.sqlite3-wal").write_bytes(b"wal")
    with pytest.raises(DatabaseDamaged):
        open_database(path)
    target = set_aside(path)
    assert not path.exists() and target.name.startswith("c.sqlite3.damaged-") and target.read_bytes() == b"x" * 4096
    assert target.with_name(target.name + "-wal").read_bytes() == b"wal"


def test_a_folder_that_cannot_be_made_is_said_not_damaged(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(DatabaseUnavailable, match="cannot be created"):
        open_database(blocker / "sub" / "c.sqlite3")


def test_tiers_round_trip_and_the_book_reloads_after_a_change(tmp_path):
    tiers = mrr.PriceTiers(
        "price_t", "graduated", (mrr.Tier(10, Decimal("5"), Decimal(0)), mrr.Tier(None, Decimal("2.5"), Decimal("100")))
    )
    price_id, mode, text = tiers_row(tiers)
    assert tiers_from_row({"price_id": price_id, "mode": mode, "tiers": text}) == tiers
    cache = Cache(tmp_path / "c.sqlite3")
    assert cache.book.maps()[1] == {}
    cache.put_price_tiers([tiers])
    assert cache.book.maps()[1] == {"price_t": tiers}  # written through the cache: the book reloads
    cache.close()


def test_a_version_3_cache_gets_partial_pending_indexes_and_its_queries_keep_their_plans(tmp_path):
    """Schema 4: the pending cancellations' indexes hold only them (`WHERE pending = 1`), so writing the other
    subscriptions skips them; every query of the queue still reads them as version 3 did (covering, no scan)."""
    from console.store.schema import MIGRATIONS, open_file

    path = tmp_path / "c.sqlite3"
    old = open_file(path, MIGRATIONS[:3])
    assert old.conn.execute("PRAGMA user_version").fetchone()[0] == 3
    old.conn.close()
    db = open_database(path)
    sql = dict(db.conn.execute("SELECT name, sql FROM sqlite_master WHERE name LIKE 'subscriptions_pending%'").fetchall())
    assert len(sql) == 3 and all(s.endswith("WHERE pending = 1") for s in sql.values()), sql
    plans = {
        "SELECT id FROM subscriptions WHERE pending = 1": "COVERING INDEX subscriptions_pending_id",
        "SELECT count(*) FROM subscriptions WHERE pending = 1": "COVERING INDEX",
        "SELECT currency, count(*) FROM subscriptions WHERE pending = 1 GROUP BY currency": "COVERING INDEX subscriptions_pending_mrr",
        "SELECT id FROM subscriptions WHERE pending = 1 AND currency = 'usd' ORDER BY mrr_minor DESC, ends_at LIMIT 9":
            "INDEX subscriptions_pending_mrr (pending=? AND currency=?)",
        # the whole queue (the window's and queue_json's): rowids from the covering index, the rows in file order
        f"SELECT customer_name FROM subscriptions WHERE {PENDING_ROWS} ORDER BY ends_at":
            "SEARCH subscriptions USING INTEGER PRIMARY KEY (rowid=?) LIST SUBQUERY 1 SEARCH subscriptions USING COVERING INDEX",
    }  # fmt: skip
    for query, expected in plans.items():
        plan = " ".join(row[-1] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {query}"))
        assert expected in plan and "SCAN subscriptions" not in plan, (query, plan)
    db.conn.close()


def test_a_read_never_imports_sqlite_utils_and_its_first_write_imports_it_without_numpy(tmp_path):
    """store/database.py: opening the cache and reading it imports neither sqlite-utils nor numpy (45 and 50 ms of a
    start); the first table write imports sqlite-utils, without numpy while no other thread runs, and the window's
    later `import numpy` works. With a thread alive, or in a Qt process, it imports as it is (numpy loads with it), unless
    the caller vouches that the other threads only read from Stripe (services/workspace.py, beside a sync's reads)."""
    import subprocess
    import sys

    code = (
        "import sys, threading; from pathlib import Path; from console.store import Cache;"
        "cache = Cache.for_account(Path(DATA), 'acct_1', False); cache.queue();"
        "assert 'sqlite_utils' not in sys.modules and 'numpy' not in sys.modules, 'imported by a read';"
        "cache.db.table('coupons').insert_all([], pk='id') if MODE == 'alone' else None;"
        "t = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True); t.start() if MODE in ('thread', 'beside') else None;"
        "__import__('PySide6.QtCore') if MODE == 'qt' else None;"
        "__import__('console.store.database').store.database.sqlite_utils_module(beside_reads=True) if MODE == 'beside' else None;"
        "cache.db.utils;"
        "import sqlite_utils.db; print('numpy' if sqlite_utils.db.np is not None else 'none');"
        "import numpy; assert numpy.zeros(2).sum() == 0"
    )
    from console.store import Cache

    Cache.for_account(tmp_path, "acct_1", False).close()  # made (and migrated) here: what follows opens it as it is
    found = {}
    for mode in ("alone", "thread", "beside", "qt"):
        run = f"MODE = {mode!r}; DATA = {str(tmp_path)!r}; {code}"
        done = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        found[mode] = done.stdout.strip()
    # a Qt process: its QThreadPool workers are no Python threads (active_count() misses them), and one preparing the
    # queue imports numpy while the GUI thread's first write may import sqlite-utils
    # `beside`: a thread alive that the caller vouches only reads from Stripe (a first sync's opening, the account check)
    assert found == {"alone": "none", "thread": "numpy", "beside": "none", "qt": "numpy"}
