"""Columns for the terminal: a header, a rule, and cells padded to the widest (numbers to the right)."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def text_table(head: Sequence[str], rows: Sequence[Sequence[str]], *, right: Collection[int] = (), indent: str = "") -> list[str]:
    """The table's lines; columns listed in `right` are aligned right. Nothing is cut: a long cell widens its column."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))
        return (indent + "  ".join(padded)).rstrip()

    return [line(head), line(["─" * w for w in widths]), *(line(r) for r in rows)]
