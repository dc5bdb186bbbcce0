"""A report's span: the subscriptions whose customers asked to cancel in a range, as SQL to read only their rows."""

from __future__ import annotations

from typing import Any

Span = tuple[int, int]  # [since, until) in epoch seconds


def among(column: str, span: Span | None, join: str = "WHERE", *, saved: bool = False) -> tuple[str, list[Any]]:
    """`WHERE column IN (the span's subscriptions)` and its parameters, or nothing for no span (every row). `saved`:
    only those whose ask in the span was saved or revoked (what a save's value and maker are read for: a tenth of
    the span's subscriptions where most asks are still open)."""
    if span is None:
        return "", []
    kept = " AND resolution IN ('saved', 'revoked')" if saved else ""
    return (
        f" {join} {column} IN (SELECT subscription_id FROM intents WHERE scheduled_at >= ? AND scheduled_at < ?{kept})",
        [span[0], span[1]],
    )
