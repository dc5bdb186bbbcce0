"""Render the outcome charts to PNG files without a screen (used by `churn-console report --png`)."""

from __future__ import annotations

import os
from pathlib import Path

from ...analytics.report import Report

CHARTS = ("weekly", "by_reason", "mrr_kept", "offers")
TITLES = {
    "weekly": "Intents, saves and losses per week (line: save rate)",
    "by_reason": "Save rate by reason (95% Wilson intervals)",
    "mrr_kept": "MRR kept, cumulative, per currency",
    "offers": "Offers: accepted and still subscribed after 30/60/90 days",
}


def render_pngs(report: Report, out: Path, size: tuple[int, int] = (1000, 520)) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import pyqtgraph as pg
    import pyqtgraph.exporters
    from PySide6.QtWidgets import QApplication

    from . import charts

    pg.setConfigOption("exitCleanup", False)  # its atexit cleanup crashes a finalizing interpreter under PySide6
    app = QApplication.instance() or QApplication([])
    from .. import theme

    theme.apply(app)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CHARTS:
        plot = pg.PlotWidget(title=TITLES[name])
        plot.resize(*size)
        getattr(charts, name)(plot, report)
        plot.show()
        app.processEvents()
        path = out / f"{name}.png"
        exporter = pyqtgraph.exporters.ImageExporter(plot.getPlotItem().scene())
        exporter.parameters()["width"] = size[0]
        exporter.export(str(path))
        plot.close()
        plot.deleteLater()
        written.append(path)
    app.processEvents()
    return written
