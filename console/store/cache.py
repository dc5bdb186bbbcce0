"""The per-account cache: subscriptions, coupons, portal configurations, intents, timeline, meta."""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from ..domain.models import Customer, Subscription
from ..domain.mrr import PriceTiers, Usage, Valuation
from . import rows, soundness, valuation
from .catalog import Catalog
from .failures import Failures
from .intents import Intents
from .ledger import Ledger
from .queue_reads import QueueReads
from .recovery import RecoveryLedger
from .schema import BULK_CACHE_KIB, DatabaseDamaged, open_database, set_aside, sound_file, translated
from .timeline import Timeline
from .valuation import Book

log = logging.getLogger(__name__)
T = TypeVar("T")


class Cache(Catalog, Intents, Ledger, QueueReads, Failures, RecoveryLedger, Timeline):
    """One account and mode's database. Thread-safe; multi-row writes go through `transaction()`."""

    def __init__(self, path: Path, *, livemode: bool = False, check: bool = True) -> None:
        """`check=False`: open without SQLite's integrity check (the window opens on a large cache at once);
        verify() runs it later, before the first sync, off the GUI thread. A file that passed it and has not changed
        since is not checked again (store/soundness.py)."""
        self.path = path
        self.livemode = livemode
        self.set_aside: Path | None = None  # where a damaged file went, if one was found
        self.unchecked = not check and not soundness.known_sound(path)
        try:
            self.db = open_database(path, check=check)
        except DatabaseDamaged:
            self.set_aside = set_aside(path)  # kept, never deleted; the next full sync rebuilds the cache
            log.warning("cache %s was damaged: moved to %s, rebuilding from Stripe", path.name, self.set_aside.name)
            self.db = open_database(path)
        self._lock = threading.RLock()
        self.book = Book(lambda sql: self._query(sql))

    def verify(self) -> bool:
        """Run the integrity check an unchecked open skipped; a damaged file is set aside (kept) and the cache
        starts again empty, for the next full sync to rebuild. True when the file was sound (or checked)."""
        if not self.unchecked:
            return True
        self.unchecked = False
        before = soundness.stamp(self.path)
        try:
            sound = self._query("PRAGMA quick_check")[0]["quick_check"] == "ok"
        except DatabaseDamaged:
            sound = False
        if not sound:
            self._start_again()
        else:
            soundness.remember_sound(self.path, before)
        return bool(sound)

    def read_checked(self, read: Callable[[], T]) -> T:
        """`read()` on a cache opened unchecked, with SQLite's check run beside it on a second connection (it reads
        the whole file; on the other core it adds next to nothing to a large read). A damaged file is set aside
        (kept) and DatabaseDamaged raised: never an empty or partial answer read from zeroed pages."""
        if not self.unchecked:
            return read()
        verdict: list[bool] = []
        checker = threading.Thread(target=lambda: verdict.append(sound_file(self.path)), name="quick-check")
        checker.start()
        failure: DatabaseDamaged | None = None
        try:
            value = read()
        except DatabaseDamaged as exc:
            failure = exc
        finally:
            checker.join()
        if verdict[0]:
            self.unchecked = False
            if failure is not None:
                raise failure
            return value
        self._start_again()
        raise self.damage()

    def damage(self) -> DatabaseDamaged:
        """What to tell someone reading a cache that was found damaged and set aside (it starts again empty)."""
        aside = self.set_aside.name if self.set_aside else "a .damaged copy"
        return DatabaseDamaged(
            f"{self.path.name} is damaged: it was moved aside as {aside} (kept, not deleted).",
            "Run `churn-console sync` to rebuild the cache from Stripe.",
        )

    def _start_again(self) -> None:
        with self._lock:
            self.db.conn.close()
            self.set_aside = set_aside(self.path)  # kept, never deleted
            log.warning("cache %s was damaged: moved to %s, rebuilding from Stripe", self.path.name, self.set_aside.name)
            self.db = open_database(self.path)
            self.book.invalidate()

    @classmethod
    def for_account(cls, data_dir: Path, account_id: str, livemode: bool) -> Cache:
        mode = "live" if livemode else "test"
        return cls(data_dir / f"{account_id}-{mode}.sqlite3", livemode=livemode)

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    # transactions ---------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all (nested blocks become savepoints)."""
        with self._lock, translated(self.path), self.db.atomic():
            yield

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the file (one read transaction, SQLite's WAL snapshot): no commit, of this
        process or another, lands between them. Other threads' reads and writes on this cache wait until it ends."""
        with self._lock, translated(self.path):
            conn = self.db.conn
            if conn.in_transaction:  # inside a transaction already: that is the snapshot
                yield
                return
            conn.execute("BEGIN")
            try:
                yield
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def beside(self) -> Iterator[Cache]:
        """A second connection to this file, for a read on another thread at the same time as this one's: SQLite
        reads without holding the interpreter, and each connection reads on its own (this one's lock stays free)."""
        other = Cache(self.path, livemode=self.livemode, check=False)
        try:
            yield other
        finally:
            other.close()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """A full sync's writes: SQLite's page cache at BULK_CACHE_KIB, not its 2 MB, so the id and customer indexes
        a million rows go into (~30 MB each) stay in memory between pages; given back after (a smaller cache_size
        frees the pages above it), so the window does not keep it. https://sqlite.org/pragma.html#pragma_cache_size"""
        with self._lock:
            default = self.db.conn.execute("PRAGMA cache_size").fetchone()[0]
            self.db.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
        finally:
            with self._lock:
                self.db.conn.execute(f"PRAGMA cache_size = {default}")

    def _write(self, sql: str, params: Iterable[Any] = ()) -> None:
        """One statement: inside a running transaction as is (no savepoint), else in its own."""
        with self._lock, translated(self.path):
            if self.db.conn.in_transaction:
                self.db.conn.execute(sql, list(params))
                return
        with self.transaction():
            self.db.conn.execute(sql, list(params))

    def _each(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> Iterator[sqlite3.Row]:
        """The rows one at a time, read by column name (sqlite3.Row: no dict built per row), each freed once
        used: a list of 200,000 rows freed at once is one C-level cascade that holds the GIL (and the window)."""
        with self._lock, translated(self.path):
            cursor = self.db.conn.cursor()
            cursor.row_factory = sqlite3.Row
            yield from cursor.execute(sql, params if isinstance(params, dict) else list(params))

    def _plain(self, sql: str, params: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
        """The rows as plain tuples, one at a time (named parameters): a large read never held whole."""
        with self._lock, translated(self.path):
            yield from self.db.conn.execute(sql, params)

    def _batches(self, sql: str, params: dict[str, Any], size: int = 4096) -> Iterator[list[tuple[Any, ...]]]:
        """The rows as plain tuples, `size` at a time (named parameters): no Python step per row."""
        with self._lock, translated(self.path):
            cursor = self.db.conn.execute(sql, params)
            while rows := cursor.fetchmany(size):
                yield rows

    def _query(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        with self._lock, translated(self.path):
            cursor = self.db.conn.execute(sql, list(params))
            keys = [d[0] for d in cursor.description]
            return [dict(zip(keys, row, strict=True)) for row in cursor]

    def _query_in(self, sql: str, ids: Iterable[str], params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        """`sql` with `{marks}` where `IN (…)` takes the ids, run 500 ids at a time (SQLite's variables are limited);
        `params` come before the ids."""
        ids, first = list(ids), list(params)
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            out += self._query(sql.format(marks=",".join("?" * len(chunk))), [*first, *chunk])
        return out

    # meta -------------------------------------------------------------------------
    def get_meta(self, key: str, default: Any = None) -> Any:
        found = self._query("SELECT value FROM meta WHERE key = ?", [key])
        return json.loads(found[0]["value"]) if found else default

    def set_meta(self, key: str, value: Any) -> None:
        with self.transaction():
            if value is None:
                self.db.conn.execute("DELETE FROM meta WHERE key = ?", [key])
            else:  # called once per synced page: a plain statement, no table introspection
                self.db.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, json.dumps(value)])

    # subscriptions --------------------------------------------------------------
    def upsert_subscriptions(
        self, subs: Iterable[Subscription], synced_at: int, *, back: Callable[[Subscription], bool] | None = None
    ) -> list[Subscription]:
        """Record subscriptions' new state (sync and actions both come here): each valued (net MRR, see
        domain/mrr.py), its discounts remembered, one prepared INSERT OR REPLACE for the batch (sync's
        hot path: sqlite-utils re-reads the table's columns on every call). Returns them valued, or only
        those `back` picks (a full sync's page needs few back: building the others is a sixth of its time)."""
        now = datetime.now(UTC)
        valued: list[Subscription] = []
        batch = []
        discounts: list[tuple[str, str, str, int | None]] = []
        for s in subs:
            valuation = self.book.value(s, now)
            batch.append(rows.subscription_values(s, synced_at, valuation))
            if back is None or back(s):
                valued.append(s if s.mrr == valuation.net_minor else rows.with_mrr(s, valuation.net_minor))
            if s.discount_ids and len(s.discount_ids) == len(s.coupon_ids):
                ends = s.discount_ends or (None,) * len(s.discount_ids)
                discounts.extend((d, c, s.id, rows.epoch(e)) for d, c, e in zip(s.discount_ids, s.coupon_ids, ends, strict=False))
        if not batch:
            return valued
        sql = f"INSERT OR REPLACE INTO subscriptions ({', '.join(rows.SUBSCRIPTION_COLUMNS)}) VALUES ({', '.join('?' * len(rows.SUBSCRIPTION_COLUMNS))})"
        with self.transaction():
            self.db.conn.executemany(sql, batch)
            if discounts:
                self.remember_discounts(discounts)
        return valued

    def valued(self, sub: Subscription) -> Subscription:
        """The subscription with its net MRR, without recording it (history read from events)."""
        return dataclasses.replace(sub, mrr=self.book.value(sub, datetime.now(UTC)).net_minor)

    def valuation(self, sub: Subscription) -> Valuation:
        """How a subscription's MRR was reached, in words (for the detail pane and the CLI)."""
        return self.book.value(sub, datetime.now(UTC), explain=True)

    def put_price_tiers(self, tiers: Iterable[PriceTiers]) -> None:
        batch = [valuation.tiers_row(t) for t in tiers]
        if batch:
            with self.transaction():
                self.db.conn.executemany("INSERT OR REPLACE INTO price_tiers (price_id, mode, tiers) VALUES (?, ?, ?)", batch)
            self.book.invalidate()

    def put_usage(self, found: Iterable[tuple[str, Usage]]) -> None:
        """(subscription id, what its latest invoice charged for a metered item)."""
        batch = [valuation.usage_row(u, sub_id) for sub_id, u in found]
        if batch:
            with self.transaction():
                self.db.conn.executemany("INSERT OR REPLACE INTO usage VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            self.book.invalidate()

    def pending_metered(self) -> set[str]:
        """Pending cancellations with a metered item (their MRR at stake comes from invoices)."""
        sql = """SELECT id FROM subscriptions WHERE pending = 1
                 AND (items LIKE '%"usage_type":"metered"%' OR items LIKE '%"usage_type": "metered"%')"""  # rows.py's form, or the older one
        return {r["id"] for r in self._query(sql)}

    def subscriptions_with_usage(self) -> set[str]:
        return {r["subscription_id"] for r in self._query("SELECT DISTINCT subscription_id FROM usage")}

    def revalue(self, sub_ids: Iterable[str]) -> None:
        """Value these subscriptions again (after their tiers, usage or coupons were learnt)."""
        found = self.subscriptions(sub_ids)
        if found:
            synced = {r["id"]: r["synced_at"] for r in self._query(
                f"SELECT id, synced_at FROM subscriptions WHERE id IN ({','.join('?' * len(found))})", list(found)
            )}  # fmt: skip
            with self.transaction():
                for sub_id, sub in found.items():
                    valued = self.upsert_subscriptions([sub], synced_at=synced[sub_id])[0]
                    self._write(  # an open intent's MRR at stake follows (it was recorded before usage was known)
                        "UPDATE intents SET mrr_minor = ? WHERE subscription_id = ? AND resolution = 'pending'",
                        [valued.mrr_minor, sub_id],
                    )

    def subscription(self, sub_id: str) -> Subscription | None:
        found = self._query("SELECT * FROM subscriptions WHERE id = ?", [sub_id])
        return rows.subscription_from_row(found[0]) if found else None

    def subscriptions(self, ids: Iterable[str]) -> dict[str, Subscription]:
        found = self._query_in("SELECT * FROM subscriptions WHERE id IN ({marks})", ids)
        return {row["id"]: rows.subscription_from_row(row) for row in found}

    def customer(self, customer_id: str) -> Customer | None:
        found = self._query(
            "SELECT customer_name, customer_email, customer_deleted FROM subscriptions WHERE customer_id = ? LIMIT 1",
            [customer_id],
        )
        if not found:
            return None
        row = found[0]
        return Customer(customer_id, row["customer_name"], row["customer_email"], bool(row["customer_deleted"]))

    def update_customer(self, customer: Customer) -> int:
        """A customer's new name and e-mail on their subscriptions; a deletion keeps the last ones and marks the rows."""
        params: list[str | None]
        with self.transaction():
            if customer.deleted:
                sql, params = "UPDATE subscriptions SET customer_deleted = 1 WHERE customer_id = ?", [customer.id]
            else:
                sql = "UPDATE subscriptions SET customer_name = ?, customer_email = ? WHERE customer_id = ?"
                params = [customer.name, customer.email, customer.id]
            return int(self.db.execute(sql, params).rowcount)

    def feedback_text(self, option_id: str) -> str | None:
        """A custom cancellation reason's text, as another subscription already showed it."""
        found = self._query(
            "SELECT feedback_text FROM subscriptions WHERE feedback_option = ? AND feedback_text IS NOT NULL LIMIT 1", [option_id]
        )
        return found[0]["feedback_text"] if found else None

    def subscription_ids_of(self, customer_id: str) -> list[str]:
        return [r["id"] for r in self._query("SELECT id FROM subscriptions WHERE customer_id = ?", [customer_id])]

    def pending_ids(self) -> set[str]:
        """Every pending cancellation's id (a sync compares them), as plain tuples: a dict a row was most of a quiet sync."""
        with self._lock, translated(self.path):
            return {row[0] for row in self.db.conn.execute("SELECT id FROM subscriptions WHERE pending = 1")}

    def created_times(self, *, listed: bool = False) -> list[int]:
        """When each cached subscription was created, oldest first (where the next full sync cuts its ranges);
        `listed`: only those Stripe's default list holds (every one not canceled)."""
        where = " WHERE status != 'canceled'" if listed else ""
        return [r["created"] for r in self._each(f"SELECT created FROM subscriptions{where} ORDER BY created")]

    def live_totals(self) -> list[dict[str, Any]]:
        """Subscriptions Stripe lists by default (all but canceled): count and MRR per status, currency, pending."""
        return self._query(
            "SELECT status, currency, pending, count(*) AS n, coalesce(sum(mrr_minor), 0) AS mrr FROM subscriptions"
            " WHERE status != 'canceled' GROUP BY status, currency, pending"
        )

    def counts(self) -> dict[str, int]:
        found = self._query("SELECT count(*) AS n, coalesce(sum(pending), 0) AS pending FROM subscriptions")
        return {"subscriptions": found[0]["n"], "pending": found[0]["pending"]}

    def drop_subscriptions_not_seen(self, since: int) -> int:
        """After a complete full sync: forget rows that sync did not see again (outside the window)."""
        with self.transaction():
            return int(self.db.execute("DELETE FROM subscriptions WHERE synced_at < ?", [since]).rowcount)

    # lifetime value --------------------------------------------------------------------
    def lifetime_value(self, customer_id: str) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM lifetime_value WHERE customer_id = ? ORDER BY currency", [customer_id])

    def set_lifetime_value(self, customer_id: str, paid: dict[str, tuple[int, int]], computed_at: int) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM lifetime_value WHERE customer_id = ?", [customer_id])
            self.db.table("lifetime_value").insert_all(
                (
                    {"customer_id": customer_id, "currency": cur, "paid_minor": amount, "invoices": n, "computed_at": computed_at}
                    for cur, (amount, n) in paid.items()
                ),
                pk=("customer_id", "currency"),
            )
