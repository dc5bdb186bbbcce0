"""The Outcomes tab: summary cards, a date range and currency, and four charts with PNG and CSV export."""

from __future__ import annotations

import csv
import html
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QDate, QPointF
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...analytics.outcomes import outcomes
from ...analytics.report import Report, build
from ...domain.money import format_totals
from ...domain.text import csv_row
from ..overview_page import Card
from . import charts
from .render import CHARTS, TITLES

if TYPE_CHECKING:
    from ..main_window import MainWindow

PRESETS = (("Last 4 weeks", 4), ("Last 12 weeks", 12), ("Last 26 weeks", 26), ("Last 52 weeks", 52))


class ChartPanel(QWidget):
    """A titled chart with its own PNG and CSV export; hovering shows the exact numbers."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.drawn: charts.Drawn | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel(TITLES[name])
        title.setProperty("class", "cardTitle")
        title.setToolTip(TITLES[name])
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # clipped on a narrow window
        head.addWidget(title, 1)
        self.png = QPushButton("PNG…")
        self.png.clicked.connect(self.export_png)
        self.csv = QPushButton("CSV…")
        self.csv.clicked.connect(self.export_csv)
        head.addWidget(self.png)
        head.addWidget(self.csv)
        layout.addLayout(head)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName(f"chart_{name}")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.plot.setMinimumHeight(220)
        layout.addWidget(self.plot, 1)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #7a4b00;")
        layout.addWidget(self.note)

    def draw(self, report: Report) -> None:
        self.drawn = getattr(charts, self.name)(self.plot, report)
        self.note.setText(self.drawn.note or "")
        self.note.setVisible(bool(self.drawn.note))

    def _hover(self, pos: QPointF) -> None:
        if self.drawn is None:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(pos)
        text = self.drawn.text_at(point.x())
        if text:
            # escaped: a custom reason's text is anyone's text, and tooltips guess rich text
            QToolTip.showText(QCursor.pos(), f"<p style='white-space:pre'>{html.escape(text)}</p>", self.plot)
        else:
            QToolTip.hideText()

    def save_png(self, path: Path) -> None:
        pyqtgraph.exporters.ImageExporter(self.plot.getPlotItem().scene()).export(str(path))

    def save_csv(self, path: Path) -> None:
        assert self.drawn is not None
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self.drawn.header)
            writer.writerows(csv_row(row) for row in self.drawn.rows)  # a custom reason's text is anyone's

    def export_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export chart", f"{self.name}.png", "PNG (*.png)")
        if path:
            self.save_png(Path(path))

    def export_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export data", f"{self.name}.csv", "CSV (*.csv)")
        if path:
            self.save_csv(Path(path))


class AnalyticsPage(QWidget):
    """Reads only the local cache: opens instantly and works offline."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.report: Report | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        title = QLabel("Save outcomes")
        title.setProperty("class", "pageHeading")
        outer.addWidget(title)
        head = QHBoxLayout()  # under the title: the page fits a 1024 px wide window
        self.preset = QComboBox()
        self.preset.setObjectName("rangePreset")
        for text, weeks in PRESETS:
            self.preset.addItem(text, weeks)
        self.preset.setCurrentIndex(1)
        self.since = QDateEdit()
        self.since.setObjectName("rangeSince")
        self.until = QDateEdit(QDate.currentDate())
        self.until.setObjectName("rangeUntil")
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
        self.currency = QComboBox()
        self.currency.setObjectName("analyticsCurrency")
        for widget in (
            QLabel("Range"),
            self.preset,
            QLabel("from"),
            self.since,
            QLabel("to"),
            self.until,
            QLabel("Currency"),
            self.currency,
        ):
            head.addWidget(widget)
        head.addStretch(1)
        outer.addLayout(head)
        cards = QHBoxLayout()
        self.cards = {
            key: Card(key, text)
            for key, text in (("intents", "Cancellation intents"), ("rate", "Save rate"), ("mrr", "MRR kept this period"))
        }
        for card in self.cards.values():
            cards.addWidget(card)
        outer.addLayout(cards)
        grid = QGridLayout()
        self.panels = {name: ChartPanel(name) for name in CHARTS}
        for i, name in enumerate(CHARTS):
            grid.addWidget(self.panels[name], i // 2, i % 2)
        grid.setRowStretch(0, 1)
        grid.setRowStretch(1, 1)
        charts = QWidget()
        charts.setLayout(grid)
        scroll = QScrollArea()  # on a low window the charts scroll instead of squeezing below readability
        scroll.setWidget(charts)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll, 1)
        self._apply_preset()
        self.preset.currentIndexChanged.connect(self._apply_preset)
        self.since.dateChanged.connect(self.refresh)
        self.until.dateChanged.connect(self.refresh)
        self.currency.currentIndexChanged.connect(self.refresh)

    def _apply_preset(self) -> None:
        weeks = self.preset.currentData()
        self.until.blockSignals(True)
        self.until.setDate(QDate.currentDate())
        self.until.blockSignals(False)
        self.since.setDate(QDate.currentDate().addDays(-7 * weeks))

    def refresh(self) -> None:
        cache = self.window.workspace.cache if self.window.workspace else None
        if cache is None:
            return
        all_outcomes = outcomes(cache)
        currencies = sorted({o.currency for o in all_outcomes})
        chosen = self.currency.currentData()
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItem("All (each its own)", None)
        for cur in currencies:
            self.currency.addItem(cur.upper(), cur)
        self.currency.setCurrentIndex(max(0, self.currency.findData(chosen)))
        self.currency.blockSignals(False)
        since = datetime(*self.since.date().getDate(), tzinfo=UTC)
        until = datetime(*self.until.date().getDate(), tzinfo=UTC) + timedelta(days=1)
        start, end = int(since.timestamp()), int(until.timestamp())
        first = cache.get_meta("first_sync_at")
        data_since = first - 30 * 86400 if first else None
        self.report = build(all_outcomes, start, end, currency=self.currency.currentData(), data_since=data_since)
        previous = build(all_outcomes, start - (end - start), start, currency=self.currency.currentData())
        self._cards(self.report, previous)
        for panel in self.panels.values():
            panel.draw(self.report)

    def _cards(self, now: Report, before: Report) -> None:
        c, p = now.counts(), before.counts()
        self.cards["intents"].show_figure(
            f"{c['intents']}",
            f"{c['saved_operator']} saved by the desk, {c['saved_customer']} revoked on their own, {c['churned']} churned, "
            f"{c['pending']} pending · previous period {p['intents']}",
        )
        rate = "—" if now.desk_save_rate is None else f"{now.desk_save_rate:.0%}"
        prev = "—" if before.desk_save_rate is None else f"{before.desk_save_rate:.0%}"
        self.cards["rate"].show_figure(
            rate,
            f"saved by the desk, of those saved by it or churned · {c['saved_customer']} more revoked on their own · "
            f"previous period {prev}",
        )
        self.cards["mrr"].show_figure(
            format_totals(now.mrr_saved()),
            f"previous period {format_totals(before.mrr_saved())} · late losses {c['late_losses']}",
        )
