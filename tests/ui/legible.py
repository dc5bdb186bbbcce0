"""Checks that text is shown whole on screen: a table cell's words wrapped within its column, never cut to "…"."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt


def assert_whole(qtbot, table, column: int, *, wraps: bool = True) -> None:
    """Each cell of `column` is shown whole: its words wrapped within the column, its row as tall as they need (what
    Invoices: Write is for had ended in "…")."""
    qtbot.waitUntil(lambda: table.isVisible() and table.columnWidth(column) > 100)
    metrics = table.fontMetrics()
    width = table.columnWidth(column) - 2 * table.style().pixelMetric(table.style().PixelMetric.PM_FocusFrameHMargin) - 4
    for row in range(table.rowCount()):
        text = table.item(row, column).text()
        needed = metrics.boundingRect(QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text).height()
        assert table.rowHeight(row) >= needed, (text, table.rowHeight(row), needed)
    if wraps:  # at this width one of them takes two lines
        assert max(table.rowHeight(r) for r in range(table.rowCount())) > min(table.rowHeight(r) for r in range(table.rowCount()))
