"""The Outcomes tab: summary cards, a date range and currency, five charts with PNG and CSV export, experiments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

from PySide6.QtCore import QDate, QEvent, QObject, QSettings
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...domain.money import format_totals
from ...domain.playbook import Playbook
from ...services.outcomes_report import (
    Found,
    Report,
    SaveFacts,
    build,
    outcome_report,
    read_both,
)
from ...services.workspace import Workspace
from ..chart_frame import ChartFrame, Say
from ..context import PageContext
from ..dates import day_format
from ..latest import Latest, range_presets
from ..overview_page import Card
from ..status_line import StatusLine
from ..when_shown import ReadWhenShown
from .experiments_panel import ExperimentsPanel
from .render import CHARTS, SIZE, TITLES, draw, file_stem, render_chart

WIDE = 1300  # px: from here the charts sit two a row


class ChartPanel(ChartFrame):
    """A titled chart with its own PNG and CSV export; hovering shows the exact numbers."""

    def __init__(self, name: str, settings: QSettings, say: Say, parent: QWidget | None = None) -> None:
        tip = f"Save this chart as a {SIZE[0]}×{SIZE[1]} image, titled with its range and currency"
        what = f"the chart ({SIZE[0]}×{SIZE[1]})"
        super().__init__(name, TITLES[name], tip, what, settings, say, self._stem, self.save_png, parent)
        self.name = name
        self.report: Report | None = None
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setProperty("class", "chartNote")
        self.layout_.addWidget(self.note)

    def draw(self, report: Report) -> None:
        self.report = report
        self.drawn = draw(self.name, self.plot, report)
        self.note.setText(self.drawn.note or "")
        self.note.setVisible(bool(self.drawn.note))

    def save_png(self, path: Path) -> None:
        assert self.report is not None
        render_chart(self.name, self.report, path)

    def _stem(self) -> str | None:
        return file_stem(self.name, self.report) if self.report is not None else None


def _reports(
    workspace: Workspace, found: tuple[Found, SaveFacts, Playbook], start: int, end: int, currency: str | None
) -> tuple[Report, Report]:
    """The range's report and the period before it (the cards' comparison), from what was read."""
    intents, facts, playbook = found
    report = outcome_report(workspace.cache, start, end, currency, intents, playbook=playbook, facts=facts)
    _ = report.value  # worked out here on the worker, not when a chart first reads it on the GUI thread
    return report, build(intents.every, start - (end - start), start, currency=currency, tallied=intents.tallied)


def least_height(panel: QWidget, width: int) -> int:
    """The least height `panel` takes at `width` without squeezing a part: its layout's minimum, with each shown
    word-wrapped label as tall as its lines at that width (a layout's minimum counts such a label's one line)."""
    if (layout := panel.layout()) is None:
        return panel.minimumSizeHint().height()
    need = layout.totalMinimumSize().height()
    for label in panel.findChildren(QLabel):
        if label.wordWrap() and label.isVisibleTo(panel) and layout.indexOf(label) >= 0:  # a row of its own
            need += max(0, label.heightForWidth(width) - label.minimumSizeHint().height())
    return need


class AnalyticsPage(QWidget):
    """Reads only the local cache: opens instantly and works offline."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.report: Report | None = None
        self._read: tuple[Found, SaveFacts, Playbook] | None = None  # the cache as last read (refresh)
        self.latest = Latest(context)  # reads and draws on a worker: the latest one's answer is shown
        self.reads = ReadWhenShown(self, self.refresh, stale=True)  # read when first shown, then after changes
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        title = QLabel("Save outcomes")
        title.setProperty("class", "pageHeading")
        outer.addWidget(title)
        head = QHBoxLayout()  # under the title: the page fits a 1024 px wide window
        self.preset = range_presets("rangePreset")
        self.since = QDateEdit()
        self.since.setObjectName("rangeSince")
        self.until = QDateEdit(QDate.currentDate())
        self.until.setObjectName("rangeUntil")
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(day_format())  # the locale's date, as everywhere in the window
        self.currency = QComboBox()
        self.currency.setObjectName("analyticsCurrency")
        # its items come after the first show (the cache's currencies): sized then, it cut "All (each its own)"
        self.currency.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
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
        self.status = StatusLine("outcomesStatus")  # plain text: a path is anyone's text
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens
        self.status.hide()
        outer.addWidget(self.status)
        cards = QHBoxLayout()
        self.cards = {
            key: Card(key, text)
            for key, text in (
                ("intents", "Cancellation intents"),
                ("rate", "Desk save rate"),
                ("mrr", "MRR kept this period"),
                ("earned", "Collected after saves"),
            )
        }
        for card in self.cards.values():
            cards.addWidget(card)
        outer.addLayout(cards)
        self.grid = QGridLayout()
        self.panels = {name: ChartPanel(name, context.settings, self.say) for name in CHARTS}
        self.experiments = ExperimentsPanel()
        self.columns = 0
        self._tall = 0  # each panel's height when the charts sit one a row (0: as the grid lays them out)
        self._lay_out(2)
        charts = QWidget()
        charts.setLayout(self.grid)
        self.chart_area = QScrollArea()  # on a low window the charts scroll instead of squeezing below readability
        self.chart_area.setWidget(charts)
        self.chart_area.setWidgetResizable(True)
        self.chart_area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(self.chart_area, 1)
        self.chart_area.viewport().installEventFilter(self)
        context.bus.changed.connect(lambda changes: self.reads.changed() if changes.outcomes or changes.playbook else None)
        self._apply_preset()
        self.preset.currentIndexChanged.connect(self._apply_preset)
        self.since.dateChanged.connect(self._draw)
        self.until.dateChanged.connect(self._draw)
        self.currency.currentIndexChanged.connect(self._draw)

    def _lay_out(self, columns: int) -> None:
        """Two charts a row on a wide window, one on a narrow one (each stays wide enough to read)."""
        if columns == self.columns:
            return
        self.columns = columns
        cells: list[QWidget] = [*(self.panels[name] for name in CHARTS), self.experiments]
        for cell in cells:
            self.grid.removeWidget(cell)
        for i, cell in enumerate(cells):
            self.grid.addWidget(cell, i // columns, i % columns)
        rows = -(-len(cells) // columns)
        for row in range(len(cells)):
            self.grid.setRowStretch(row, 1 if row < rows else 0)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        """The charts' visible area was resized: lay the charts out for its width and height."""
        if watched is self.chart_area.viewport() and event.type() == QEvent.Type.Resize:
            self._lay_out(2 if self.width() >= WIDE else 1)
            # one a row: each chart as tall as the visible area, so a scroll shows one whole chart
            self._tall = max(260, cast(QResizeEvent, event).size().height() - 8) if self.columns == 1 else 0
            self._fit_heights()
        return False

    def _fit_heights(self) -> None:
        """Each panel as tall as the visible area (one a row), or taller when its note needs it: a panel held
        shorter than its parts drew a two-line note over its chart (a large system font)."""
        margins = self.grid.contentsMargins()
        width = self.chart_area.viewport().width() - margins.left() - margins.right()  # one a row: the panel's width
        for panel in [*self.panels.values(), self.experiments]:
            fits = max(self._tall, least_height(panel, width)) if self._tall else 0
            panel.setMinimumHeight(fits)
            panel.setMaximumHeight(fits or 16777215)

    def say(self, text: str, error: bool = False) -> None:
        """A line under the range: what an export did, or why it could not."""
        self.status.say(text, error=error)
        self.status.setVisible(bool(text))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        """Read the cache when first shown, and again when shown after a change (on a worker: at a million
        subscriptions with two years of history the read takes seconds, and the window stays live meanwhile)."""
        super().showEvent(event)
        self.reads.shown()

    @property
    def busy(self) -> bool:
        """A read or a draw is on the worker; what is shown is the one before it."""
        return self.latest.busy

    def _apply_preset(self) -> None:
        weeks = self.preset.currentData()
        self.until.blockSignals(True)
        self.until.setDate(QDate.currentDate())
        self.until.blockSignals(False)
        self.since.setDate(QDate.currentDate().addDays(-7 * weeks))

    def _span(self) -> tuple[int, int, str | None]:
        first_day, last_day = sorted((self.since.date(), self.until.date()))  # an inverted range means the range
        since = datetime(*first_day.getDate(), tzinfo=UTC)
        until = datetime(*last_day.getDate(), tzinfo=UTC) + timedelta(days=1)
        return int(since.timestamp()), int(until.timestamp()), self.currency.currentData()

    def refresh(self) -> None:
        """Read the cache (every intent, what saves earned, the playbook) and work out the range's report, on a
        worker; then draw."""
        workspace = self.context.workspace
        if workspace is None or workspace.cache is None:
            return
        cache, (start, end, currency) = workspace.cache, self._span()

        def read() -> tuple[tuple[Found, SaveFacts, Playbook], tuple[Report, Report]]:
            playbook = workspace.playbook()
            found = (*read_both(cache, playbook), playbook)
            return found, _reports(workspace, found, start, end, currency)

        def shown(answer: tuple[tuple[Found, SaveFacts, Playbook], tuple[Report, Report]]) -> None:
            self._read = answer[0]
            self._fill_currencies(self._read[0].currencies)
            if self.currency.currentData() == currency:
                self._show(*answer[1])
            else:  # the currency chosen is gone from the account: the report for the one now shown
                self._draw()

        self.latest.ask(read, shown)

    def _fill_currencies(self, currencies: list[str]) -> None:
        chosen = self.currency.currentData()
        self.currency.blockSignals(True)
        self.currency.clear()
        self.currency.addItem("All (each its own)", None)
        for cur in currencies:
            self.currency.addItem(cur.upper(), cur)
        self.currency.setCurrentIndex(max(0, self.currency.findData(chosen)))
        self.currency.blockSignals(False)

    def _draw(self) -> None:
        """The range or the currency changed: the report from what was read (nothing changed in the cache), worked
        out on a worker."""
        workspace = self.context.workspace
        if self._read is None or workspace is None or workspace.cache is None:
            return
        found, (start, end, currency) = self._read, self._span()
        self.latest.ask(lambda: _reports(workspace, found, start, end, currency), lambda reports: self._show(*reports))

    def _show(self, report: Report, previous: Report) -> None:
        self.report = report
        self._cards(report, previous)
        for panel in self.panels.values():
            panel.draw(report)
        self.experiments.show_report(report)
        self._fit_heights()  # a note shown or gone changes what a panel needs

    def _cards(self, now: Report, before: Report) -> None:
        c, p = now.counts(), before.counts()
        self.cards["intents"].show_figure(
            f"{c['intents']}",
            f"{c['saved_operator']} saved by the desk, {c['saved_customer']} revoked on their own, {c['churned']} churned, "
            f"{c['pending']} pending · previous period {p['intents']}",
        )
        rate = "—" if now.save_rate is None else f"{now.save_rate:.0%}"
        prev = "—" if before.save_rate is None else f"{before.save_rate:.0%}"
        self.cards["rate"].show_figure(
            rate,
            f"saved by the desk, of those saved by it or churned · {c['saved_customer']} more revoked on their own · "
            f"previous period {prev}",
        )
        self.cards["mrr"].show_figure(
            format_totals(now.mrr_saved()),
            f"previous period {format_totals(before.mrr_saved())} · late losses {c['late_losses']}",
        )
        collected, given = now.earned()
        unsure = now.too_recent_saves + now.unread_saves
        self.cards["earned"].show_figure(
            format_totals(collected),
            f"net of {format_totals(given)} in discounts · {unsure} saves too recent or not read yet, not projected",
        )
