"""A report's span: the subscriptions whose customers asked to cancel in a range, as SQL to read only their rows."""

from __future__ import annotations

from typing import Any

Span = tuple[int, int]  # [since, until) in epoch seconds


def among(column: str, span: Span | None, join: str = "WHERE") -> tuple[str, list[Any]]:
    """`WHERE column IN (the span's subscriptions)` and its parameters, or nothing for no span (every row)."""
    if span is None:
        return "", []
    return (
        f" {join} {column} IN (SELECT subscription_id FROM intents WHERE scheduled_at >= ? AND scheduled_at < ?)",
        [span[0], span[1]],
    )
