"""The action journal: what operators did, with consent. Its own file: the cache is rebuildable, this is not."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..domain import stamp
from ..domain.action import KIND_OF_OFFER, STATES, Action
from ..domain.models import Subscription
from .database import Database
from .schema import DatabaseDamaged, DatabaseError, open_file, set_aside, translated


def _v1(db: Database) -> None:
    db.execute(
        """CREATE TABLE actions (
            id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, operator TEXT NOT NULL,
            subscription_id TEXT NOT NULL, customer_id TEXT NOT NULL, customer_name TEXT,
            kind TEXT NOT NULL, offer_code TEXT NOT NULL, consent_channel TEXT, consent_note TEXT,
            idempotency_key TEXT NOT NULL UNIQUE, livemode INTEGER NOT NULL,
            mrr_minor INTEGER NOT NULL, currency TEXT NOT NULL,
            params TEXT NOT NULL, before TEXT NOT NULL, state TEXT NOT NULL,
            request_id TEXT, error TEXT, retryable INTEGER NOT NULL DEFAULT 0,
            undo_of TEXT, undone_by TEXT, applied_at INTEGER, attempts INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX actions_subscription ON actions (subscription_id, created_at)")
    db.execute("CREATE INDEX actions_state ON actions (state)")


MIGRATIONS = [_v1]


class Journal:
    """Every write commits at once (each step of an action must survive a crash)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.set_aside: Path | None = None
        try:
            self.db = open_file(path, MIGRATIONS)
        except DatabaseDamaged:
            # kept, never deleted; saves are recovered from the subscriptions' metadata (recover_from_metadata)
            self.set_aside = set_aside(path)
            self.db = open_file(path, MIGRATIONS)
        self._lock = threading.RLock()

    def recover_from_metadata(self, subscriptions: Iterable[Subscription], livemode: bool) -> list[Action]:
        """Re-create journal entries for saves that the subscriptions' churn_console_* metadata records
        and this journal does not know (after a damaged journal was set aside)."""
        known = {a.id for a in self.all()}
        recovered = []
        for sub in subscriptions:
            found = stamp.read(sub.metadata)
            if found is None or found.action_id in known:
                continue
            action_id, offer = found.action_id, found.offer
            at = int(found.at.timestamp()) if found.at else 0
            kind = KIND_OF_OFFER.get(offer.split(":", 1)[0], "revoke")
            action = Action(
                id=action_id, created_at=at, operator=found.operator or "unknown", subscription_id=sub.id,
                customer_id=sub.customer_id, customer_name=sub.customer_name, kind=kind, offer_code=offer,
                consent_channel=found.consent or None, consent_note="recovered from Stripe metadata",
                idempotency_key=f"recovered-{action_id}", livemode=livemode, mrr_minor=sub.mrr_minor, currency=sub.currency,
                state="applied", applied_at=at,
            )  # fmt: skip
            self.add(action)
            recovered.append(action)
        return recovered

    # damaged copies: set aside, never forgotten ---------------------------------------------------------
    def damaged_copies(self) -> list[Path]:
        """Journals set aside as damaged (`NAME.damaged-…`) whose actions were not merged back yet."""
        found = self.path.parent.glob(f"{self.path.name}.damaged-*")
        return sorted(p for p in found if not p.name.endswith(("-wal", "-shm", ".merged")))

    def merge_damaged(self, copy: Path) -> int:
        """Read what can still be read of a damaged copy and add its actions this journal lacks (or holds only
        as recovered from metadata, with less detail). The copy is kept, renamed `….merged`. Returns the count."""
        readable = salvage(copy)
        merged = 0
        with self._lock, translated(self.path), self.db.atomic():
            for row in readable:
                mine = list(self.db.query("SELECT idempotency_key FROM actions WHERE id = ?", [row["id"]]))
                if mine and not str(mine[0]["idempotency_key"]).startswith("recovered-"):
                    continue
                self.db.table("actions").insert(row, pk="id", replace=True)
                merged += 1
        copy.replace(copy.with_name(copy.name + ".merged"))
        return merged

    @classmethod
    def for_account(cls, data_dir: Path, account_id: str, livemode: bool) -> Journal:
        return cls(data_dir / f"journal-{account_id}-{'live' if livemode else 'test'}.sqlite3")

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()

    def add(self, action: Action) -> Action:
        with self._lock, translated(self.path), self.db.atomic():
            self.db.table("actions").insert(action.row(), pk="id")
        return action

    def update(self, action: Action, **changes: Any) -> Action:
        for key, value in changes.items():
            if not hasattr(action, key):
                raise AttributeError(key)
            setattr(action, key, value)
        if action.state not in STATES:
            raise DatabaseError(f"unknown action state {action.state!r}")
        with self._lock, translated(self.path), self.db.atomic():
            self.db.table("actions").update(action.id, action.row())
        return action

    def get(self, action_id: str) -> Action | None:
        with self._lock, translated(self.path):
            found = list(self.db.query("SELECT * FROM actions WHERE id = ?", [action_id]))
        return Action.from_row(found[0]) if found else None

    def all(self, limit: int | None = None) -> list[Action]:
        sql = "SELECT * FROM actions ORDER BY created_at DESC, rowid DESC" + (f" LIMIT {int(limit)}" if limit else "")
        with self._lock, translated(self.path):
            return [Action.from_row(r) for r in self.db.query(sql)]

    def in_state(self, *states: str) -> list[Action]:
        marks = ",".join("?" * len(states))
        with self._lock, translated(self.path):
            return [
                Action.from_row(r)
                for r in self.db.query(f"SELECT * FROM actions WHERE state IN ({marks}) ORDER BY created_at, rowid", list(states))
            ]

    def for_subscription(self, sub_id: str) -> list[Action]:
        with self._lock, translated(self.path):
            return [
                Action.from_row(r)
                for r in self.db.query("SELECT * FROM actions WHERE subscription_id = ? ORDER BY created_at, rowid", [sub_id])
            ]


def salvage(copy: Path) -> list[dict[str, Any]]:
    """The action rows SQLite can still read from a damaged journal (read-only; stops at the first bad page)."""
    import sqlite3

    rows: list[dict[str, Any]] = []
    try:
        conn = sqlite3.connect(f"{copy.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return rows
    try:
        cursor = conn.execute("SELECT * FROM actions")
        keys = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(keys, values, strict=True))
            if all(row.get(k) is not None for k in ("id", "idempotency_key", "params", "before", "state")):
                rows.append(row)
    except sqlite3.Error:
        pass  # what was read before the damage is kept
    finally:
        conn.close()
    return rows
