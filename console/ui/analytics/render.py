"""Render the outcome charts to PNG files, titled with their range and currency (the Outcomes tab's PNG… button
and `churn-console report --png`, which needs no screen)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...services.outcomes_report import Report

if TYPE_CHECKING:  # pyqtgraph loads with the page, not with the PNG's caller
    from .charts import Drawn

CHARTS = ("weekly", "by_reason", "survival", "value", "mrr_kept")
TITLES = {
    "weekly": "Intents per week by outcome (line: the desk's save rate over 4 weeks)",
    "by_reason": "The desk's save rate by reason (95% Wilson intervals)",
    "mrr_kept": "MRR kept, cumulative, per currency",
    "survival": "Did saves last: still subscribed after the save, by offer (Kaplan–Meier)",
    "value": "What saves earned, by offer: collected after the save and discount given",
}


def draw(name: str, plot: Any, report: Report) -> Drawn:
    """Draw chart `name` on `plot`; returns its Drawn (rows for CSV, hover texts, a note)."""
    from . import charts, charts_saves

    drawn: Drawn = getattr(charts_saves if name in ("survival", "value") else charts, name)(plot, report)
    return drawn


SIZE = (1600, 800)


def caption(report: Report) -> str:
    """`02 Jun 2026 – 01 Dec 2026 · USD`: what a chart covers, printed under its title."""
    since = datetime.fromtimestamp(report.since, UTC)
    until = datetime.fromtimestamp(report.until - 1, UTC)
    money = report.currency.upper() if report.currency else "every currency, each on its own"
    return f"{since:%d %b %Y} – {until:%d %b %Y} · {money}"


def file_stem(name: str, report: Report) -> str:
    """A file name that says what the chart covers: `weekly-2026-06-02-to-2026-12-01-usd`."""
    since = datetime.fromtimestamp(report.since, UTC).date().isoformat()
    until = datetime.fromtimestamp(report.until - 1, UTC).date().isoformat()
    return f"{name}-{since}-to-{until}-{report.currency or 'all'}"


def render_chart(name: str, report: Report, path: Path, size: tuple[int, int] = SIZE) -> Path:
    """Draw one chart off screen at `size`, with its title and caption, and save it as a PNG."""
    import pyqtgraph as pg
    import pyqtgraph.exporters
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtWidgets import QApplication

    from . import charts

    plot = pg.PlotWidget()
    plot.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # laid out and painted, never shown
    plot.resize(*size)
    colour = charts.ink().name()
    plot.setTitle(f"<b>{TITLES[name]}</b><br><span style='font-size:10pt'>{caption(report)}</span>", color=colour, size="13pt")
    draw(name, plot, report)
    plot.getPlotItem().layout.setContentsMargins(16, 16, 24, 12)  # the title and the last tick label are not clipped
    plot.show()
    QApplication.processEvents()
    exporter = pyqtgraph.exporters.ImageExporter(plot.getPlotItem().scene())
    exporter.parameters()["width"] = size[0]
    image = exporter.export(toBytes=True)
    plot.close()
    plot.deleteLater()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    path.write_bytes(buffer.data().data())  # Python's write says why it failed (full, read-only); QImage.save would not
    return path


def render_pngs(report: Report, out: Path, size: tuple[int, int] = SIZE) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    pg.setConfigOption("exitCleanup", False)  # its atexit cleanup crashes a finalizing interpreter under PySide6
    from .. import theme

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)  # a widget application: charts are widgets
    theme.apply(app)
    out.mkdir(parents=True, exist_ok=True)
    written = [render_chart(name, report, out / f"{name}.png", size) for name in CHARTS]
    app.processEvents()
    return written
