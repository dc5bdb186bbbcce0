"""Open an account's database: WAL mode, a schema version, and migrations applied in order."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from ..errors import ConsoleError
from . import soundness
from .database import Database
from .failures_schema import _v7, _v8, _v9
from .recovery_schema import _v10


def _v1(db: Database) -> None:
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        """CREATE TABLE subscriptions (
            id TEXT PRIMARY KEY,
            customer_id TEXT NOT NULL,
            customer_name TEXT,
            customer_email TEXT,
            status TEXT NOT NULL,
            currency TEXT NOT NULL,
            created INTEGER NOT NULL,
            cancel_at_period_end INTEGER NOT NULL,
            cancel_at INTEGER,
            canceled_at INTEGER,
            ended_at INTEGER,
            feedback TEXT,
            comment TEXT,
            cancel_reason TEXT,
            period_end INTEGER,
            mrr_minor INTEGER NOT NULL,
            plan TEXT NOT NULL,
            items TEXT NOT NULL,
            discount_ids TEXT NOT NULL,
            coupon_ids TEXT NOT NULL,
            paused INTEGER NOT NULL,
            pause_resumes_at INTEGER,
            metadata TEXT NOT NULL,
            pending INTEGER NOT NULL,
            ends_at INTEGER,
            synced_at INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX subscriptions_pending ON subscriptions (pending, ends_at)")
    db.execute("CREATE INDEX subscriptions_customer ON subscriptions (customer_id)")
    db.execute(
        """CREATE TABLE coupons (
            id TEXT PRIMARY KEY, name TEXT, percent_off REAL, amount_off INTEGER, currency TEXT,
            duration TEXT NOT NULL, duration_in_months INTEGER, valid INTEGER NOT NULL,
            times_redeemed INTEGER NOT NULL, max_redemptions INTEGER
        )"""
    )
    db.execute(
        """CREATE TABLE portal_configurations (
            id TEXT PRIMARY KEY, name TEXT, is_default INTEGER NOT NULL, active INTEGER NOT NULL,
            updated INTEGER NOT NULL, features_on TEXT NOT NULL
        )"""
    )
    # One row per time a customer scheduled a cancellation, and how it ended.
    db.execute(
        """CREATE TABLE intents (
            id TEXT PRIMARY KEY,
            subscription_id TEXT NOT NULL,
            customer_id TEXT NOT NULL,
            scheduled_at INTEGER NOT NULL,
            feedback TEXT,
            comment TEXT,
            mrr_minor INTEGER NOT NULL,
            currency TEXT NOT NULL,
            resolution TEXT NOT NULL DEFAULT 'pending',
            resolved_at INTEGER,
            offer TEXT,
            action_id TEXT,
            source TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX intents_subscription ON intents (subscription_id, resolution)")
    # What happened to a subscription, for the detail pane (from events and from sync).
    db.execute(
        """CREATE TABLE timeline (
            key TEXT PRIMARY KEY,
            subscription_id TEXT NOT NULL,
            at INTEGER NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX timeline_subscription ON timeline (subscription_id, at)")
    db.execute("CREATE TABLE discounts (id TEXT PRIMARY KEY, coupon_id TEXT NOT NULL, subscription_id TEXT)")
    db.execute(
        """CREATE TABLE lifetime_value (
            customer_id TEXT NOT NULL, currency TEXT NOT NULL, paid_minor INTEGER NOT NULL,
            invoices INTEGER NOT NULL, computed_at INTEGER NOT NULL,
            PRIMARY KEY (customer_id, currency)
        )"""
    )


def _v2(db: Database) -> None:
    """Deleted customers; MRR valued as analytics tools do (tiers, usage, discounts: domain/mrr.py)."""
    db.execute("ALTER TABLE subscriptions ADD COLUMN customer_deleted INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE subscriptions ADD COLUMN mrr_list_minor INTEGER")
    db.execute("ALTER TABLE subscriptions ADD COLUMN mrr_usage INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE subscriptions ADD COLUMN discount_ends TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE subscriptions ADD COLUMN trial_end INTEGER")
    db.execute("ALTER TABLE discounts ADD COLUMN end_at INTEGER")
    db.execute("ALTER TABLE subscriptions ADD COLUMN feedback_option TEXT")
    db.execute("ALTER TABLE subscriptions ADD COLUMN feedback_text TEXT")
    db.execute("ALTER TABLE intents ADD COLUMN feedback_option TEXT")  # a custom reason (Feedback Options API)
    db.execute("ALTER TABLE intents ADD COLUMN feedback_text TEXT")
    # What decides whether Stripe allows a real pause (domain/pausing.py), and when one began.
    db.execute("ALTER TABLE subscriptions ADD COLUMN billing_mode TEXT NOT NULL DEFAULT 'classic'")
    db.execute("ALTER TABLE subscriptions ADD COLUMN schedule_id TEXT")
    db.execute("ALTER TABLE subscriptions ADD COLUMN collection_method TEXT NOT NULL DEFAULT 'charge_automatically'")
    db.execute("ALTER TABLE subscriptions ADD COLUMN paused_at INTEGER")
    # A tiered price's tiers (Stripe sends them only with expand[]=tiers): read once, kept.
    db.execute("CREATE TABLE price_tiers (price_id TEXT PRIMARY KEY, mode TEXT NOT NULL, tiers TEXT NOT NULL)")
    # What the latest invoice charged for each metered subscription item.
    db.execute(
        """CREATE TABLE usage (
            item_id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, price_id TEXT NOT NULL,
            amount_minor INTEGER NOT NULL, quantity INTEGER NOT NULL, invoice_id TEXT NOT NULL, period_end INTEGER
        )"""
    )
    db.execute("CREATE INDEX usage_subscription ON usage (subscription_id)")


def _v3(db: Database) -> None:
    """Indexes for a million subscriptions (bench_large_account.py, bench_ui.py): the pending cancellations' ids
    from the index alone (a sync compares them before and after; a quiet sync read 200,000 rows for them, 0.65 s),
    and the window's first rows (MRR by currency) without sorting the whole queue."""
    db.execute("CREATE INDEX subscriptions_pending_id ON subscriptions (pending, id)")
    db.execute("CREATE INDEX subscriptions_pending_mrr ON subscriptions (pending, currency, mrr_minor DESC, ends_at)")


def _v4(db: Database) -> None:
    """The pending cancellations' indexes hold only them (partial indexes, `WHERE pending = 1`: every query of
    them says so): writing one of the four in five subscriptions that are not pending no longer touches them,
    a fifth of a million-subscription upsert (bench_ui.py)."""
    for name, columns in (
        ("subscriptions_pending", "pending, ends_at"),  # the columns as before (`pending` makes them covering,
        ("subscriptions_pending_id", "pending, id"),  # so the plans are those of version 3), the rows fewer
        ("subscriptions_pending_mrr", "pending, currency, mrr_minor DESC, ends_at"),
    ):
        db.execute(f"DROP INDEX IF EXISTS {name}")
        db.execute(f"CREATE INDEX {name} ON subscriptions ({columns}) WHERE pending = 1")


def _v5(db: Database) -> None:
    """What saves earned: the invoices of saved subscriptions from the save on (store/ledger.py), when each was
    last read, and the experiment variant a row was assigned (domain/experiments.py)."""
    db.execute(
        """CREATE TABLE save_invoices (
            id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, created INTEGER NOT NULL, currency TEXT NOT NULL,
            status TEXT NOT NULL, amount_paid INTEGER NOT NULL, total INTEGER NOT NULL, discounts TEXT NOT NULL,
            attempt_count INTEGER NOT NULL
        )"""
    )
    db.execute("CREATE INDEX save_invoices_subscription ON save_invoices (subscription_id, created)")
    db.execute("CREATE TABLE save_ledger (subscription_id TEXT PRIMARY KEY, since INTEGER NOT NULL, checked_at INTEGER NOT NULL)")
    db.execute("ALTER TABLE intents ADD COLUMN variant TEXT")


def _v6(db: Database) -> None:
    """When each pending row's customer asked, read from the index alone: `queue --format json` looks it up for
    every pending row, and with two years of history the table reads behind the old index cost 0.3 s at 200,000
    pending (tests/benchmarks/synthetic.add_history). The new index serves every query the old one did. And the
    subscriptions asked about in a range, by the time they asked: what a report reads (store/span.py)."""
    db.execute("CREATE INDEX intents_asked ON intents (subscription_id, resolution, scheduled_at)")
    db.execute("DROP INDEX intents_subscription")
    db.execute("CREATE INDEX intents_scheduled ON intents (scheduled_at, subscription_id)")


def _v11(db: Database) -> None:
    """A report's reads of the asks in its range from the index alone, how each ended and in what currency
    included: the saves among them (what their value is read for, store/span.py) and the open asks it only counts
    (store/intents.py). Behind the old index each was a table read per ask: 0.4 s at 244,000 asks in 12 weeks."""
    db.execute("DROP INDEX IF EXISTS intents_scheduled")
    db.execute("CREATE INDEX intents_scheduled ON intents (scheduled_at, resolution, subscription_id, currency)")


def _v12(db: Database) -> None:
    """When each ended subscription ended, from the index alone: a report reads it for every ask it reads (44,000
    at a million cached; 0.05 s of table reads behind the primary key), the Outcomes tab for every decided one."""
    db.execute("CREATE INDEX subscriptions_ended ON subscriptions (id, ended_at) WHERE ended_at IS NOT NULL")


# Each entry moves the schema from version i to i + 1. Never edit a released entry: add one.
MIGRATIONS: list[Callable[[Database], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10, _v11, _v12]
SCHEMA_VERSION = len(MIGRATIONS)


class DatabaseError(ConsoleError):
    """The cache file cannot be opened or is damaged."""


class DatabaseDamaged(DatabaseError):
    """The file fails SQLite's integrity check (corrupt, truncated, or not a database)."""


class DatabaseUnavailable(DatabaseError):
    """The file is fine but cannot be used now (locked by another program, disk full, read-only): kept as it is."""


WAL_CHECKPOINT_PAGES = 10_000
BULK_CACHE_KIB = 64 * 1024  # SQLite's page cache while a full sync writes (its default is 2 MB): see Cache.bulk()

# Binding None costs the sqlite3 module an adapter lookup that fails: a key tuple built, the adapters dict, then
# `__adapt__` looked up on the protocol type (which formats an AttributeError's message) and `__conform__` on
# None, for every NULL bound. Only int, float, str and bytearray skip it (CPython Modules/_sqlite/cursor.c,
# need_adapt(); microprotocols.c). A subscription's row binds about a dozen NULLs, so at a million rows a
# fifth of the upsert went to these lookups (perf). An adapter for NoneType is found by the first lookup and
# returns None, which is bound as NULL as before: the same rows, without the failed lookups. (`{}.get` is a C
# function returning None for any key; registering NoneType leaves the base types' fast path on.)
sqlite3.register_adapter(type(None), cast(Callable[[None], None], {}.get))
BUSY_WAIT_S = 10  # how long to wait for another program's lock before saying so
_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # only these are damage (https://sqlite.org/rescode.html)


def what_failed(error: DatabaseError) -> str:
    """The error's message without its "Nothing was changed…" sentence: for a caller that did change something
    (pages stored before a sync failed, an action Stripe applied) and says so itself."""
    return error.message.split(". Nothing was changed")[0].rstrip(".")


def unavailable(path: Path, exc: sqlite3.Error) -> DatabaseError:
    """What an SQLite error on `path` means for the user: damage (set aside), or a passing condition that
    changes nothing (the file is kept and the user told what to do)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_DAMAGE):
        return DatabaseDamaged(f"{path.name} is damaged ({exc}).", "It is moved aside and rebuilt.")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc):
        return DatabaseUnavailable(
            f"{path} is in use by another program (still locked after {BUSY_WAIT_S} s). Nothing was changed.",
            "Close the other program (or another churn-console on this folder), then try again.",
        )
    if name.startswith("SQLITE_FULL"):
        return DatabaseUnavailable(
            f"The disk holding {path} is full. Nothing was changed and the file is kept.",
            "Free some space, then try again.",
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        return DatabaseUnavailable(
            f"{path} cannot be written (read-only file or folder, or no permission). Nothing was changed.",
            "Make the folder writable for your user, or choose another with --data-dir.",
        )
    return DatabaseUnavailable(
        f"{path} cannot be used right now ({exc}). Nothing was changed and the file is kept.",
        "Check the disk, then try again.",
    )


@contextmanager
def translated(path: Path) -> Iterator[None]:
    """SQLite errors while using `path` as the console's own errors (never "damaged" unless it is). A statement
    SQLite refuses (wrong bindings, a missing column, a broken constraint) is the console's own bug, not the
    disk's: it goes up as it is, to the crash report."""
    try:
        yield
    except (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError):
        raise
    except sqlite3.Error as exc:
        raise unavailable(path, exc) from exc


def sound_file(path: Path) -> bool:
    """SQLite's quick check of a file on a connection of its own (read-only). False only for damage: a file that
    cannot be checked now (locked, gone) is not called damaged."""
    before = soundness.stamp(path)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_WAIT_S)
    except sqlite3.Error:
        return True
    try:
        sound = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        if sound:
            soundness.remember_sound(path, before)
        return bool(sound)
    except sqlite3.Error as exc:
        return not getattr(exc, "sqlite_errorname", "").startswith(_DAMAGE)
    finally:
        conn.close()


def set_aside(path: Path) -> Path:
    """Move a damaged database (and its WAL files) aside, keeping it: `NAME.damaged-YYYYmmdd-HHMMSS`."""
    import time

    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.replace(target)
    soundness.forget(path)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            extra.replace(target.with_name(target.name + suffix))
    return target


def open_database(path: Path, *, check: bool = True) -> Database:
    """Open the cache (creating if needed) and migrate it to SCHEMA_VERSION; `check=False` leaves SQLite's
    integrity check (a read of the whole file: 0.8 s at a million subscriptions) to Cache.verify()."""
    return open_file(path, MIGRATIONS, check=check)


def open_file(path: Path, migrations: Sequence[Callable[[Database], None]], *, check: bool = True) -> Database:
    """Open a database in WAL mode and apply the migrations it lacks; refuse a newer schema."""
    latest = len(migrations)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnavailable(
            f"The folder {path.parent} cannot be created ({exc.strerror}). Nothing was changed.",
            "Choose a folder you can write to with --data-dir.",
        ) from None
    try:
        conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_WAIT_S, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint (and its two fsyncs) every 10,000 pages (40 MB) of WAL, not SQLite's default 1,000: a full
        # sync writes a large account's 470 MB in pages, and at the default a fifth of a million-subscription upsert
        # was checkpoints (bench_ui.py). The WAL file is cut back to 64 MB after one (journal_size_limit).
        # https://sqlite.org/c3ref/wal_autocheckpoint.html, https://sqlite.org/pragma.html#pragma_journal_size_limit
        conn.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        conn.execute(f"PRAGMA journal_size_limit={64 * 2**20}")
        conn.execute("PRAGMA foreign_keys=ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        before = soundness.stamp(path) if check else None
        checked = conn.execute("PRAGMA quick_check").fetchone()[0] if check and not soundness.known_sound(path, before) else "ok"
    except sqlite3.Error as exc:
        raise unavailable(path, exc) from None
    if checked != "ok":
        conn.close()
        raise DatabaseDamaged(f"{path.name} failed its integrity check ({checked}).", "It is moved aside and rebuilt.")
    if check:
        soundness.remember_sound(path, before)
    if version > latest:
        raise DatabaseError(
            f"{path.name} was written by a newer churn-console (schema {version}, this one reads {latest}).",
            "Upgrade churn-console, or use another --data-dir.",
        )
    db = Database(conn)  # sqlite-utils only once something writes through it (store/database.py)
    try:
        for target in range(version, latest):
            with db.atomic():
                migrations[target](db)
                db.conn.execute(f"PRAGMA user_version = {target + 1}")
    except sqlite3.Error as exc:
        conn.close()
        raise unavailable(path, exc) from None
    return db
