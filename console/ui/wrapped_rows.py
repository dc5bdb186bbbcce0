"""A table whose cells wrap their words: each row as tall as its words need at the columns' widths, again whenever a
column's width changes (a resized dialog, a column fitted to new contents)."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QTableView


def wrap_rows(table: QTableView) -> None:
    """Words wrap and rows follow them. A row header in ResizeToContents mode alone measured the rows once, at the
    columns' widths then: a column stretched after it left a two-line cell one line tall, cut to "…"."""
    table.setWordWrap(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().sectionResized.connect(lambda *_: table.resizeRowsToContents())
