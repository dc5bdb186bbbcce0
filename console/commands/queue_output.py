"""The queue as a table, JSON or CSV, sorted and filtered like the window's defaults (each row one JSON object
from the cache: store/queue_reads.py)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import orjson

from ..domain.desk import column_words
from ..domain.money import format_totals, totals
from ..domain.queue import RECORD_FIELDS, display_name, tenure_text
from ..domain.text import Checked, csv_cell, terminal_json, terminal_json_block
from .text_table import text_table


def render(chunks: Iterable[Sequence[str]], fmt: str) -> Iterator[str]:
    """The output in pieces, to write one after another, from the rows a chunk at a time (a 200,000-row queue is
    about 200 MB of JSON: JSON and CSV stream; the table, whose columns fit the widest cell, reads them all)."""
    if fmt == "json":  # one array, one customer a line: to grep or diff
        first = True
        for lines in chunks:
            if not lines:
                continue
            yield Checked("[\n" if first else ",\n")
            yield terminal_json(lines)  # escaped the JSON way, so not searched again
            first = False
        yield "[]\n" if first else "\n]\n"
        return
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(RECORD_FIELDS)
        for lines in chunks:
            writer.writerows([csv_cell(r[k]) for k in RECORD_FIELDS] for r in map(orjson.loads, lines))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()
        return
    yield _table([orjson.loads(line) for lines in chunks for line in lines])


def json_bytes(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """`render(…, "json")` from the spool's raw blocks (one JSON text a line, UTF-8), as UTF-8: the same output,
    without decoding, splitting and encoding again the ~200 MB of a 200,000-row queue (terminal_json_block)."""
    first = True
    for block in blocks:
        if not block:
            continue
        yield b"[\n" if first else b",\n"
        yield terminal_json_block(block)
        first = False
    yield b"[]\n" if first else b"\n]\n"


def write_bytes(pieces: Iterable[bytes]) -> None:
    """UTF-8 output to stdout's bytes under its text layer (flushed first, so nothing printed before is reordered);
    a stdout with no bytes layer (a test's StringIO) gets the text. Each piece is terminal-safe already."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.writelines(Checked(piece.decode()) for piece in pieces)
        return
    sys.stdout.flush()
    buffer.writelines(pieces)
    buffer.flush()


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _table(records: list[dict[str, Any]]) -> str:
    today = datetime.now(UTC).date()  # as the window's Desk column: `Due`, the state, the follow-up in words
    head = ("Customer", "Plan", "MRR", "Days left", "Reason", "Tenure", "Status", "Discount", "Owner", "Desk", "Follow-up")
    body = [
        (
            display_name(r["name"], r["email"], r["customer"], r["customer_deleted"])[:28],
            r["plan"][:28],
            ("~" if r["mrr_usage_based"] else "") + r["mrr"],  # usage-based, as the window's MRR column says it
            str(r["days_left"]),
            r["reason"][:34],
            tenure_text(r["tenure_days"]),
            r["status"],
            r["discount"] or "",
            (r["owner"] or "")[:20],
            column_words(r["desk_state"], r["due"], _date(r["follow_up"]), today),
            r["follow_up"] or "",
        )
        for r in records
    ]
    lines = text_table(head, body, right={2, 3, 5})
    at_risk = format_totals(totals((r["mrr_minor"], r["currency"]) for r in records))
    lines.append("")
    lines.append(f"{len(records)} pending cancellation{'s' if len(records) != 1 else ''} · MRR at risk: {at_risk}")
    return "\n".join(lines) + "\n"
