"""The cache's intents table: each time a customer asked to cancel, and how it ended (saved, revoked, ended)."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from typing import Any

from .span import Span

# the subscriptions a save or a customer's own revoke kept once: an open intent of theirs is a second ask
_SAVED = "SELECT subscription_id FROM intents WHERE resolution IN ('saved', 'revoked')"


# What an outcome is made of (analytics.outcomes), in this order, then `sub_ended_at`: not the customer's comment,
# the customer or the source, whose text a report never shows (0.05 s of decoding at 44,000 asks); the end from the
# ended ones' own index (schema v12). A row reads by these names, or unpacked in this order (a third faster).
INTENT_READ = (
    "id", "subscription_id", "scheduled_at", "resolved_at", "resolution", "feedback", "feedback_option",
    "feedback_text", "currency", "mrr_minor", "offer", "action_id", "variant",
)  # fmt: skip
_READ = ", ".join(INTENT_READ)


class Intents:
    """Mixed into Cache, which reads and writes them with its own _query and _write (declared here, for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _each: Callable[..., Iterator[Any]]
    _plain: Callable[..., Iterator[tuple[Any, ...]]]
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

    def intent_rows(self, span: Span | None = None, *, open_from: int = 0) -> Iterator[Any]:
        """Every intent, or with `span` every intent of the subscriptions asked about in it (their whole stories),
        one at a time, each read by column name (sqlite3.Row: no dict per intent, half a million in a report), with
        when its subscription ended (`sub_ended_at`). With `open_from`, an open intent asked before it only if its
        subscription was saved before (open_intent_times counts the others), and a subscription's story only if one
        of its asks in the span is read."""
        saved, kept = "", "1"
        if open_from > 0:  # the saved subscriptions read once, for both places that ask
            saved = f"WITH saved AS MATERIALIZED ({_SAVED}) "
            kept = "(resolution <> 'pending' OR scheduled_at >= :open_from OR subscription_id IN saved)"
        within = (
            ""
            if span is None
            else " AND subscription_id IN (SELECT subscription_id FROM intents"
            f" WHERE scheduled_at >= :since AND scheduled_at < :until AND {kept})"
        )
        return self._each(
            f"{saved}SELECT {_READ}, (SELECT ended_at FROM subscriptions INDEXED BY subscriptions_ended"
            " WHERE id = intents.subscription_id AND ended_at IS NOT NULL) AS sub_ended_at"
            f" FROM intents WHERE {kept}{within} ORDER BY scheduled_at",
            {"open_from": open_from} | ({} if span is None else {"since": span[0], "until": span[1]}),
        )

    def open_intent_times(self, span: Span | None, before: int) -> dict[str, array[int]]:
        """When each open intent asked before `before` was asked, sorted, per currency (of those asked in `span`): a
        count by range and week needs no more (analytics.outcomes.OpenTally). Those intent_rows(open_from=before)
        reads too (a saved subscription's) are among them."""
        within = "" if span is None else " AND scheduled_at >= :since AND scheduled_at < :until"
        found = self._plain(  # one text a currency, not a Python step per ask (200,000 in a large account's range)
            "SELECT currency, group_concat(scheduled_at) FROM intents WHERE resolution = 'pending' AND scheduled_at < :before"
            f"{within} GROUP BY currency",
            {"before": before} | ({} if span is None else {"since": span[0], "until": span[1]}),
        )
        return {currency: array("q", sorted(map(int, times.split(",")))) for currency, times in found}

    def intents_for(self, sub_id: str) -> list[dict[str, Any]]:
        return self._query("SELECT * FROM intents WHERE subscription_id = ? ORDER BY scheduled_at", [sub_id])
