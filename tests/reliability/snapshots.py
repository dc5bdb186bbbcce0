"""What a cache holds, as plain data to compare (without the moments the syncs ran)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

SYNC_MOMENTS = {"synced_at"}  # when the row was written, not what Stripe said
TABLES = ("subscriptions", "intents", "timeline", "coupons", "portal_configurations", "discounts")


def cache_file(data_dir: Path) -> Path:
    """The one account cache in a data dir (journals are separate files)."""
    found = [p for p in data_dir.glob("acct_*.sqlite3")]
    assert len(found) == 1, found
    return found[0]


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        out = {}
        for table in TABLES:
            columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] not in SYNC_MOMENTS]
            out[table] = sorted(db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall(), key=repr)
        return out
    finally:
        db.close()
