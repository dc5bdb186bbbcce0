"""The cache's timeline: what happened to each subscription (asks, saves, desk changes, failed attempts, links sent),
one entry per event however many consoles saw it (each entry's key is the event's)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any


class Timeline:
    """Mixed into Cache, which reads and writes with its own _query and _write (declared for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _query_in: Callable[..., list[dict[str, Any]]]
    _write: Callable[..., Any]

    def add_timeline(self, key: str, sub_id: str, at: int, kind: str, detail: dict[str, Any]) -> None:
        self._write(
            "INSERT OR IGNORE INTO timeline (key, subscription_id, at, kind, detail) VALUES (?, ?, ?, ?, ?)",
            [key, sub_id, at, kind, json.dumps(detail, sort_keys=True)],
        )

    def timeline(self, sub_id: str) -> list[dict[str, Any]]:
        found = self._query("SELECT at, kind, detail FROM timeline WHERE subscription_id = ? ORDER BY at, key", [sub_id])
        return [{**r, "detail": json.loads(r["detail"])} for r in found]

    def timeline_of_kind(self, kind: str, sub_ids: Iterable[str]) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        """Each subscription's timeline entries of one kind (the card-update links sent), oldest first."""
        out: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        sql = "SELECT subscription_id, at, detail FROM timeline WHERE kind = ? AND subscription_id IN ({marks}) ORDER BY at"
        for r in self._query_in(sql, sorted(set(sub_ids)), [kind]):
            out.setdefault(r["subscription_id"], []).append((r["at"], json.loads(r["detail"])))
        return out
