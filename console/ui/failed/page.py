"""The Failed payments tab: the subscriptions whose renewal did not charge, read from the session's cache on a worker
(after each sync and each action that changed them), with the filter row, the charges' and the save desk's buttons,
the table and the detail pane."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QKeySequence, QResizeEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from ...domain.failed import FailedRow
from ...domain.money import format_totals, totals
from ...domain.outreach import Letter
from ...services import card_link, failed_queue
from ...services.changes import Changes
from ...services.desk_settings import DeskSettings
from ...services.failed_queue import FailedQueue
from ...services.workspace import Workspace
from ..context import PageContext
from ..queue.desk_controller import DeskController
from ..text_size import rescaled, scale_columns, scaled
from ..when_shown import ReadWhenShown
from .charges import ChargeController, FailedBar
from .detail import FailedDetail
from .filters import FailedFilters
from .model import COLUMNS, FailedFilter, FailedModel, Prepared, prepare, sort_ranks
from .pause import PauseController

Read = tuple[FailedQueue, list[Prepared], tuple[str, str]]  # the queue, its rows prepared, its totals (due, MRR) in words
WIDTHS = {"Customer": 150, "Due": 86, "MRR": 86, "Tries": 58, "Decline": 140, "Card": 235, "Stripe's next try": 152,
          "Ends": 96, "Next step": 170, "Owner": 90, "Desk": 150}  # fmt: skip
OPTIONAL = ("Card", "Owner", "Desk", "Ends")
WIDEST_CARD = "Mastercard •••• 4444, 12/2030"  # the common brand with the longest name ("05/20…" in bold at 235 px)
HEAD_ROWS = (
    200  # the rows shown first, while the rest is read  # the detail pane says them: hidden first, in this order, when narrow
)


class FailedTable(QTableView):
    """Enter opens the detail pane (its timeline), as on the churn queue; narrower than its columns (a 1024 px
    window), it hides the ones the detail pane also shows."""

    activated_row = Signal()
    widths = WIDTHS  # each column's first width (the page measures the card's in this font)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rescaled().changed.connect(self.rescale)

    def rescale(self, before: float, now: float) -> None:
        """The text grew or shrank (View → Text size, the system's font): every column by as much."""
        ratio = now / before
        self.widths = {name: round(width * ratio) for name, width in self.widths.items()}
        scale_columns(self.horizontalHeader(), ratio)
        self.fit_columns()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Hide the optional columns that do not fit the window (the detail pane shows them)."""
        header = self.horizontalHeader()
        need = sum(self.widths[n] for n in COLUMNS)
        for name in OPTIONAL:
            hide = need > self.viewport().width()
            header.setSectionHidden(COLUMNS.index(name), hide)
            need -= self.widths[name] if hide else 0

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated_row.emit()
            return
        super().keyPressEvent(event)


class FailedPage(QWidget):
    refreshed = Signal()  # the rows were read again
    selection_changed = Signal(list)  # the selected FailedRows
    failed_payments = True  # Write to customer… offers the failed-payment templates, with a card-update link

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.settings = DeskSettings()
        self.now = int(time.time())
        self._reads = 0
        self.complete = False  # the whole queue is in (not only its first rows)
        self.holdout = False  # the hold-out's view: the rows left to Stripe alone, read only
        self._rest: Callable[[], None] | None = None  # the whole read, due when the page is shown
        self._done = 0  # the last read whose whole queue is shown
        self.reads = ReadWhenShown(self, self.refresh)  # changed while hidden: read again when shown
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)
        head = QHBoxLayout()  # as the churn queue's: the heading, then the totals beside it
        title = QLabel("Failed payments")
        title.setProperty("class", "pageHeading")
        self.caption = QLabel("Reading…")
        self.caption.setObjectName("failedTotals")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setProperty("class", "pageCaption")
        head.addWidget(title)
        head.addWidget(self.caption, 1, Qt.AlignmentFlag.AlignBottom)
        self.filters = FailedFilters()
        self.action_bar = FailedBar()
        self.model = FailedModel(self)
        self.table = FailedTable()
        self.table.setObjectName("failedTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the queue's own order first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # a narrow column's title ends in "…"
        header.setStretchLastSection(True)
        self.table.ensurePolished()  # the style sheet's font (10pt or the system's), not the application's, is drawn
        bold = QFont(self.table.font())
        bold.setBold(True)  # a row due today is drawn bold: its card, year included, must still fit
        card = QFontMetrics(bold).horizontalAdvance(WIDEST_CARD) + 16
        widths = {name: scaled(width) for name, width in WIDTHS.items()}  # drawn for 10pt: as large as the text
        self.table.widths = {**widths, "Card": max(widths["Card"], card)}
        for i, name in enumerate(COLUMNS):
            header.resizeSection(i, self.table.widths[name])
        self.detail = FailedDetail()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        outer.addLayout(head)
        for widget in (self.filters, self.action_bar):
            outer.addWidget(widget)
        outer.addWidget(split, 1)
        self.charges = ChargeController(self)
        PauseController(self)  # Pause instead… and its Undo (kept by its Qt parent, the page)
        self.desk = DeskController(self)  # the save desk's Take, Release, Note… and Write…: the churn queue's own
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit(self.selected_rows()))
        self.table.activated_row.connect(lambda: self.detail.setFocus())
        self.filters.changed.connect(self._filter)
        self.filters.holdout_toggled.connect(self._holdout_view)
        find = QShortcut(QKeySequence.StandardKey.Find, self, self._find)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        context.bus.changed.connect(self._changed)
        self.refresh()

    @property
    def settled(self) -> bool:
        """The latest read's whole queue is shown (none is on the worker, nothing changed since while hidden)."""
        return self._done == self._reads and not self.reads.stale

    def _filter(self, criteria: FailedFilter) -> None:
        """The filter row moved (a key, a choice, or the operator's name for "Mine"): the rows it keeps, with the
        selection kept where those rows still are (a name set after the page was built cleared it)."""
        chosen = {r.subscription_id for r in self.selected_rows()}
        current = self._current()
        self.model.set_filter(criteria)
        if chosen:
            self._reselect(chosen, current)

    def _holdout_view(self, on: bool) -> None:
        """The rows left to Stripe alone (read only: no rep's action may spoil the comparison), or the queue again."""
        self.holdout = on
        self.action_bar.setEnabled(not on)
        self.refresh()

    def _find(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def _changed(self, changes: Changes) -> None:
        if changes.failed or changes.queue:  # a desk change announces the queue: the same subscriptions' metadata
            self.reads.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        if self.reads.shown():
            self._rest = None  # read again whole: what waited is stale
        elif self._rest is not None:
            self.table.viewport().installEventFilter(self)  # the rest once the first rows are painted

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        """The table's first paint after the page was shown: the rest is read after it, so the worker's read does
        not hold the interpreter while the first rows are drawn."""
        if event.type() == QEvent.Type.Paint and watched is self.table.viewport():
            watched.removeEventFilter(self)
            rest, self._rest = self._rest, None
            if rest is not None:
                QTimer.singleShot(0, rest)
        return False

    def refresh(self) -> None:
        """Read the queue on a worker. The first time, its first rows (in the queue's order: the cache orders them)
        are shown before the rest is read and prepared: 50,000 failed payments take a second or two."""
        workspace = self.context.workspace
        if workspace is None:
            self._show(None)
            return
        self._reads += 1
        read_no, first, holdout = self._reads, not self.model.every, self.holdout

        def read(limit: int | None) -> Read:
            queue = failed_queue.read(workspace, int(time.time()), limit=limit, checked=limit is None, holdout=holdout)
            rows = queue.rows
            due = format_totals(totals((r.collection.amount_due, r.collection.currency) for r in rows))
            mrr = format_totals(totals((r.mrr_minor, r.collection.currency) for r in rows))
            return queue, prepare(queue), (due, mrr)  # the totals too: 50,000 rows summed off the GUI thread

        def rest() -> None:
            self.context.runner.submit_side(lambda: read(None), lambda f: show(f, True), self.context.ops.show_error)

        def show(found: Read, whole: bool) -> None:
            if read_no == self._reads:  # the latest read wins
                self.complete = whole
                self._done = read_no if whole else self._done
                self._show(found)
                if whole:  # the header's sort keys, worked out after the rows are shown
                    prepared = found[1]
                    self.context.runner.submit_side(
                        lambda: sort_ranks(prepared), lambda r: self.model.set_ranks(prepared, r), self.context.ops.show_error
                    )
                if not whole and self.isVisible():
                    rest()
                elif not whole:  # built at a quiet moment, hidden: its first rows wait there; the rest when shown
                    self._rest = rest

        limit = HEAD_ROWS if first else None
        self.context.runner.submit_side(lambda: read(limit), lambda f: show(f, limit is None), self.context.ops.show_error)

    def _show(self, found: Read | None) -> None:
        chosen = {r.subscription_id for r in self.selected_rows()}
        current = self._current()
        queue, prepared, (due, mrr) = found if found is not None else (None, [], ("", ""))
        if queue is not None:
            self.settings, self.now = queue.settings, queue.now
        self.model.set_rows(prepared)
        count = len(prepared)
        held = " left to Stripe alone (the hold-out: read only)" if self.holdout else ""
        none = (
            "None left to Stripe alone: the playbook's hold-out is off, or no failure since it began."
            if self.holdout
            else "No failed payments: every renewal Stripe charged went through (or nothing is synced yet)."
        )
        self.caption.setText(
            (f"{count:,} failed payment{'s' if count != 1 else ''}{held} · due {due} · MRR at stake {mrr}"
             if self.complete else f"Reading… the first {count:,} shown")
            if count else none
        )  # fmt: skip
        self._reselect(chosen, current)
        self.refreshed.emit()

    def _reselect(self, chosen: set[str], current: str | None) -> None:
        selection = self.table.selectionModel()
        found = [r for r, p in enumerate(self.model.shown) if p.row.subscription_id in chosen] if chosen else []
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for r in found:  # found in one pass over the rows shown (none chosen: no pass)
            selection.select(self.model.index(r, 0), flags)
            if self.model.shown[r].row.subscription_id == current:
                selection.setCurrentIndex(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        if not chosen:
            self.detail.show_row(None, [], self.settings, self.now)
        self.selection_changed.emit(self.selected_rows())

    def _current(self) -> str | None:
        row = self.model.row_at(self.table.currentIndex().row()) if self.table.currentIndex().isValid() else None
        return row.subscription_id if row is not None else None

    def letter(self, workspace: Workspace, operator: str, sub_id: str, template: str | None) -> Letter:
        """A new card-update link in an e-mail from the failed-payment templates."""
        return card_link.letter(workspace, operator, sub_id, template=template)

    def selected_rows(self) -> list[FailedRow]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [row for r in rows if (row := self.model.row_at(r)) is not None]

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        workspace = self.context.workspace
        if row is None or workspace is None:
            self.detail.show_row(None, [], self.settings, self.now)
            return
        self.detail.show_row(row, [], self.settings, self.now)

        def shown(timeline: list[dict[str, Any]]) -> None:
            if self.detail.row is row:
                self.detail.show_row(row, timeline, self.settings, self.now)

        self.context.runner.submit_side(lambda: workspace.timeline(row.subscription_id), shown, lambda _error: None)
