"""The Recovery tab (issue 34): what failed payments were worth recovering, per currency, from the local cache: the
figures `churn-console report --recovery` prints (services/recovery_report.py, one use case), as cards, two charts
and the decline codes' table, read on a worker."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.money import format_money
from ...domain.recovery import LINK_WINDOW_DAYS, REASON_WORDS, REASONS
from ...domain.recovery_rate import CurrencyFigures, RecoveryFigures, by_day_words, lift_words
from ...services.changes import Changes
from ...services.recovery_report import recovery_report
from ..context import PageContext
from ..latest import Latest, range_presets
from ..overview_page import Card
from ..status_line import StatusLine
from ..text_size import scaled
from ..when_shown import ReadWhenShown
from .charts import RecoveryChart, by_decline, by_reason, curve, holdout, weekly

LOST_WORDS = {"uncollectible": "written off", "void": "voided", "canceled": "canceled at the last attempt"}


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class RecoveryPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.figures: RecoveryFigures | None = None
        self.reads = ReadWhenShown(self, self.refresh, stale=True)  # read when first shown, and after a change
        self.latest = Latest(context)  # reads on a worker: the latest one's answer is shown
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        title = QLabel("Recovery")
        title.setProperty("class", "pageHeading")
        outer.addWidget(title)
        head = QHBoxLayout()
        self.preset = range_presets("recoveryRange")
        self.currency = QComboBox()
        self.currency.setObjectName("recoveryCurrency")
        for widget in (QLabel("First failed in"), self.preset, QLabel("Currency"), self.currency):
            head.addWidget(widget)
        head.addStretch(1)
        outer.addLayout(head)
        self.rule = QLabel("")
        self.rule.setObjectName("recoveryRule")
        self.rule.setWordWrap(True)
        self.rule.setProperty("class", "pageCaption")
        self.rule.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        outer.addWidget(self.rule)
        self.status = StatusLine("recoveryStatus")  # plain text: a path is anyone's text
        self.status.hide()
        outer.addWidget(self.status)
        cards = QHBoxLayout()
        self.cards = {key: Card(key, text) for key, text in (
            ("failed", "Failed"), ("recovered", "Recovered"), ("progress", "In progress"), ("lost", "Lost"),
        )}  # fmt: skip
        for card in self.cards.values():
            cards.addWidget(card)
        outer.addLayout(cards)
        self.lift = QLabel("")
        self.lift.setObjectName("recoveryLift")
        self.lift.setWordWrap(True)
        self.lift.setTextFormat(Qt.TextFormat.PlainText)
        outer.addWidget(self.lift)
        grid = QGridLayout()
        self.reasons = RecoveryChart("reasons", "Why it was recovered (one reason each)", by_reason, context.settings, self.say)
        self.curve = RecoveryChart(
            "curve", "Recovered by day since the first failure (in progress censored)", curve, context.settings, self.say
        )
        self.declines = QTableWidget(0, 4)
        self.declines.setObjectName("recoveryDeclines")
        self.declines.setHorizontalHeaderLabels(["First decline", "Failed", "Recovered", "Rate"])
        self.declines.verticalHeader().hide()
        self.declines.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.declines.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.weekly = RecoveryChart(
            "weekly", "Failed and recovered, by the week of the first failure (line: the week's rate)", weekly,
            context.settings, self.say,
        )  # fmt: skip
        self.decline_chart = RecoveryChart(
            "declines", "By the first decline: failed and recovered", by_decline, context.settings, self.say
        )
        self.holdout = RecoveryChart(
            "holdout", "The hold-out: recovered of decided invoices, each group (95% intervals)", holdout, context.settings,
            self.say,
        )  # fmt: skip
        self.charts = (self.weekly, self.reasons, self.curve, self.decline_chart, self.holdout)
        for n, cell in enumerate((*self.charts, self.declines)):
            grid.addWidget(cell, n // 2, n % 2)
            cell.setMinimumHeight(scaled(300))
        body = QWidget()
        body.setLayout(grid)
        area = QScrollArea()  # on a low window the charts scroll instead of squeezing below readability
        area.setWidget(body)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(area, 1)
        context.bus.changed.connect(self._changed)
        self.preset.currentIndexChanged.connect(lambda _i: self.refresh())
        self.currency.currentIndexChanged.connect(lambda _i: self._show())

    def _changed(self, changes: Changes) -> None:
        if changes.failed or changes.journal or changes.playbook:
            self.reads.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if not self.reads.shown() and self.figures is not None:
            self._show()  # drawn again in the theme now chosen

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        """A theme chosen while shown: the charts are drawn again in its colours."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.figures is not None and self.isVisible():
            self._show()

    def say(self, text: str, error: bool = False) -> None:
        """A line under the range: what an export did, or why it could not."""
        self.status.say(text, error=error)
        self.status.setVisible(bool(text))

    def refresh(self) -> None:
        """Read the figures on a worker (the cache and this console's journal), then show the chosen currency's."""
        workspace = self.context.workspace
        if workspace is None:
            return
        weeks = int(self.preset.currentData())
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        since, until = today - timedelta(weeks=weeks), today + timedelta(days=1)
        cache, journal, book = workspace.cache, workspace.journal, workspace.playbook()

        def read() -> RecoveryFigures:
            start, end = int(since.timestamp()), int(until.timestamp())
            return recovery_report(cache, journal, start, end, int(time.time()), playbook=book)

        def shown(figures: RecoveryFigures) -> None:
            self.figures = figures
            self._fill_currencies()
            self._show()

        self.latest.ask(read, shown)

    @property
    def _reads(self) -> int:
        """The reads asked so far (the tests count them)."""
        return self.latest.asked

    def _fill_currencies(self) -> None:
        assert self.figures is not None
        chosen = self.currency.currentData()
        self.currency.blockSignals(True)
        self.currency.clear()
        for c in self.figures.currencies:  # the most failed invoices first; amounts never summed across currencies
            self.currency.addItem(c.currency.upper(), c.currency)
        self.currency.setCurrentIndex(max(0, self.currency.findData(chosen)))
        self.currency.blockSignals(False)

    def chosen(self) -> CurrencyFigures | None:
        if self.figures is None:
            return None
        return next((c for c in self.figures.currencies if c.currency == self.currency.currentData()), None)

    def _show(self) -> None:
        c = self.chosen()
        window = self.figures.window_days if self.figures else LINK_WINDOW_DAYS
        order = self.figures.order if self.figures else REASONS
        self.rule.setText(
            "Recovered ÷ (recovered + lost), in progress apart, hard declines included. Each recovered invoice has one "
            f"reason, the first that applies: {' → '.join(REASON_WORDS[r] for r in order)} (a new card within {window} "
            "days of a rep's link is the link's)."
        )
        for chart in self.charts:
            chart.draw(c)
        if c is None:
            for card in self.cards.values():
                card.show_figure("—", "No payment failed in this range (or nothing is synced yet).")
            self.declines.setRowCount(0)
            self.lift.setText("")
            return
        t, cur = c.total, c.currency
        by_day = by_day_words(c, " · ")
        median = "—" if c.median_days is None else f"{c.median_days:.1f} days"
        self.cards["failed"].show_figure(format_money(t.failed_minor, cur), f"{t.failed} invoices first failed in the range")
        self.cards["recovered"].show_figure(
            format_money(t.recovered_minor, cur), f"rate {_rate(t.rate)} · {by_day} · median {median}"
        )
        self.cards["progress"].show_figure(format_money(t.in_progress_minor, cur), "counted neither way until they end")
        lost = ", ".join(f"{LOST_WORDS.get(k, k)} {format_money(v, cur)}" for k, v in sorted(c.lost_by.items()))
        self.cards["lost"].show_figure(format_money(t.lost_minor, cur), lost or "nothing lost")
        share = self.figures.holdout_percent if self.figures else 0
        self.lift.setText(
            f"Hold-out ({share}% of new failures left to Stripe alone): {lift_words(c)}"
            if share or c.groups["stripe"].failed
            else "Hold-out: off (the playbook can leave a share of new failures to Stripe alone, to measure the desk's lift)."
        )
        rows = sorted(c.by_decline.items())
        self.declines.setRowCount(len(rows))
        for r, (code, g) in enumerate(rows):
            words = "not read (ended before the first sync)" if code == "unknown" else code
            for col, text in enumerate(
                (words, format_money(g.failed_minor, cur), format_money(g.recovered_minor, cur), _rate(g.rate))
            ):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.declines.setItem(r, col, item)
