"""The cache's intents table: each time a customer asked to cancel, and how it ended (saved, revoked, ended)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .span import Span, among


class Intents:
    """Mixed into Cache, which reads and writes them with its own _query and _write (declared here, for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _each: Callable[..., Iterator[Any]]
    _write: Callable[..., None]

    def open_intent(self, sub_id: str) -> dict[str, Any] | None:
        found = self._query(
            "SELECT * FROM intents WHERE subscription_id = ? AND resolution = 'pending' ORDER BY scheduled_at DESC LIMIT 1",
            [sub_id],
        )
        return found[0] if found else None

    def with_open_intents(self, sub_ids: list[str]) -> set[str]:
        """Which of these subscriptions have a pending intent (one query for a whole page)."""
        if not sub_ids:
            return set()
        marks = ",".join("?" * len(sub_ids))
        rows = self._query(
            f"SELECT DISTINCT subscription_id FROM intents WHERE resolution = 'pending' AND subscription_id IN ({marks})", sub_ids
        )
        return {r["subscription_id"] for r in rows}

    def intent(self, intent_id: str) -> dict[str, Any] | None:
        found = self._query("SELECT * FROM intents WHERE id = ?", [intent_id])
        return found[0] if found else None

    def add_intent(self, intent: dict[str, Any]) -> None:
        """A new intent; for a known one, fill in the reason and comment it lacked (the survey answer can
        arrive in a second event seconds after the cancellation: better-auth issue 9321)."""
        columns = ", ".join(intent)
        filled = [c for c in ("feedback", "comment", "feedback_option", "feedback_text") if c in intent]
        update = ", ".join(f"{c} = coalesce(intents.{c}, excluded.{c})" for c in filled)
        conflict = f" ON CONFLICT(id) DO UPDATE SET {update}" if update else " ON CONFLICT(id) DO NOTHING"
        self._write(f"INSERT INTO intents ({columns}) VALUES ({', '.join('?' * len(intent))}){conflict}", intent.values())

    def reopen_intent(self, intent_id: str) -> None:
        """An undone save: the customer's ask is open again, as it was."""
        self._write(
            "UPDATE intents SET resolution = 'pending', resolved_at = NULL, offer = NULL, action_id = NULL, variant = NULL "
            "WHERE id = ?",
            [intent_id],
        )

    def resolve_intent(
        self,
        intent_id: str,
        resolution: str,
        at: int,
        offer: str | None = None,
        action_id: str | None = None,
        variant: str | None = None,
    ) -> None:
        self._write(
            "UPDATE intents SET resolution = ?, resolved_at = ?, offer = coalesce(?, offer), "
            "action_id = coalesce(?, action_id), variant = coalesce(?, variant) WHERE id = ?",
            [resolution, at, offer, action_id, variant, intent_id],
        )

    def delete_intent(self, intent_id: str) -> None:
        self._write("DELETE FROM intents WHERE id = ?", [intent_id])

    def intents(self) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM intents ORDER BY scheduled_at")

    def intent_rows(self, span: Span | None = None) -> Iterator[Any]:
        """Every intent, or with `span` every intent of the subscriptions asked about in it (their whole stories),
        one at a time, each read by column name (sqlite3.Row: no dict per intent, half a million in a report)."""
        where, params = among("subscription_id", span)
        return self._each(f"SELECT * FROM intents{where} ORDER BY scheduled_at", params)

    def intents_for(self, sub_id: str) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM intents WHERE subscription_id = ? ORDER BY scheduled_at", [sub_id])
