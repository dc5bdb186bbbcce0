"""The Queue tab: totals, offline banner, filter bar, the table and the detail pane; it reads the queue from the
session's cache on a worker whenever an operation says the queue changed, and after each sync."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...domain.money import format_totals
from ...domain.offers import Offer
from ...domain.outreach import Letter
from ...domain.playbook import Playbook
from ...domain.queue import QueueRow
from ...domain.queue_filter import QueueFilter
from ...errors import ConsoleError, Offline
from ...services import desk
from ...services.changes import Changes
from ...services.queue_view import QueueData
from ...services.workspace import Workspace
from ..actions_controller import ActionsController
from ..context import PageContext
from .action_bar import ActionBar
from .desk_controller import DeskController
from .detail import DetailPane
from .filter_bar import FilterBar
from .model import ROW_ROLE, QueueModel, QueueProxy
from .offline_banner import OfflineBanner, banner_text
from .reading import HEAD_ROWS, Retired, prepare
from .table import COLUMNS, MRR_COL, PreparedQueue
from .view import COLUMN_WIDTHS, QueueTable, first_width


class QueuePage(QWidget):
    """The pending cancellations of the session's account, and the action bar that works them."""

    row_selected = Signal(object)  # QueueRow or None
    refreshed = Signal()  # new rows are in the table (after a sync, an action, a playbook change)
    selection_changed = Signal(list)  # the selected QueueRows

    failed_payments = False  # the desk's e-mails are the churn queue's templates

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.playbook = Playbook()
        self.synced_at: float | None = None
        self._detail_of: QueueRow | None = None  # the row the detail pane shows
        self._reading: int | None = None  # while only the first rows are in: how many there are in all
        self._retired = Retired(self)  # replaced tables, freed a step at a time between events
        self._reads = 0  # the latest read wins (an older one may finish later)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(8)

        head = QHBoxLayout()
        title = QLabel("Churn queue")
        title.setProperty("class", "pageHeading")
        head.addWidget(title)
        self.totals = QLabel("")
        self.totals.setObjectName("queueTotals")
        self.totals.setProperty("class", "pageCaption")
        head.addWidget(self.totals, 1, Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(head)

        self.offline = OfflineBanner()
        self.unfinished = QLabel("")  # a full sync that stopped before its end: the queue is partial, and says so
        self.unfinished.setObjectName("unfinishedBanner")
        self.unfinished.setTextFormat(Qt.TextFormat.PlainText)
        self.unfinished.setWordWrap(True)
        self.unfinished.hide()

        self.filters = FilterBar()
        outer.addWidget(self.filters)
        self.action_bar = ActionBar()
        outer.addWidget(self.action_bar)

        self.model = QueueModel(self)
        self.proxy = QueueProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QueueTable()
        self.table.setObjectName("queueTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(MRR_COL, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.size_rows()
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)  # a narrow column's title ends in "…", not cut both sides
        for i, name in enumerate(COLUMNS):
            if name in COLUMN_WIDTHS:
                header.resizeSection(i, first_width(name))
        header.setSectionResizeMode(COLUMNS.index("Comment"), QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.selection_changed.emit(self.selected_rows()))
        self.table.activated_row.connect(self.open_detail)
        self.table.doubleClicked.connect(lambda _i: self.open_detail())

        self.detail = DetailPane()
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([460, 260])
        outer.addWidget(self.splitter, 1)
        # The banners arrive after the first rows (a failed connect, a worker's check), so they sit under the table: shown
        # above it, each moved the rows a person had started reading 40 px down, 0.1 s after they appeared (bench_screen).
        outer.addWidget(self.offline)
        outer.addWidget(self.unfinished)

        self.filters.changed.connect(self._filter)
        self._kept: tuple[list[str], str | None] = ([], None)
        self.proxy.reordering.connect(self._keep_selection)
        self.proxy.reordered.connect(self._restore_selection)
        QShortcut(QKeySequence.StandardKey.Find, self, self.filters.focus_search)
        self.filters.search.installEventFilter(self)  # Down from the search box goes into the results
        self._update_totals()

        self.controller = ActionsController(context, self)
        self.desk = DeskController(self)  # Take, Release, Note…, Write to customer…
        self.selection_changed.connect(lambda _rows: self.refit())
        self.detail.ltv_requested.connect(self._load_ltv)
        context.bus.changed.connect(self._changed)
        context.bus.synced.connect(lambda _report: self.offline.say(None))
        context.bus.sync_failed.connect(self._sync_failed)
        context.bus.permissions_checked.connect(self.refit)

    # reading the queue: on a worker, the GUI thread only swaps it in ---------------------------------------
    def _changed(self, changes: Changes) -> None:
        if changes.queue or changes.coupons:
            self.refresh()

    def refresh(self) -> None:
        """Read the queue again from the cache, off the GUI thread."""
        workspace = self.context.workspace
        if workspace is None:
            return
        self._reads = mine = self._reads + 1
        sort, kept = self.sort_state(), self.model.table.kept() if self.model.table.rows else None

        def show(result: tuple[QueueData, PreparedQueue]) -> None:
            if mine == self._reads and workspace is self.context.workspace:
                self.show_data(*result)

        self.context.runner.submit_side(lambda: prepare(workspace, sort, kept), show, self.context.ops.show_error)

    def sort_state(self) -> tuple[int, bool]:
        """The column the table is sorted by, and whether descending (read on the GUI thread, for a worker)."""
        return self.proxy.sort_column, self.proxy.sort_order == Qt.SortOrder.DescendingOrder

    def show_head(self, count: int = HEAD_ROWS) -> None:
        """Before the window's first paint: the first screens of the cached queue (in the default order, read
        by SQLite in milliseconds), then the whole queue, read and prepared on a worker."""
        workspace = self.context.workspace
        if workspace is None:
            self.set_rows([])
            return
        try:
            data = QueueData.read(workspace, head=count)
        except ConsoleError:  # opened unchecked, and damaged: checked now (set aside, kept), empty until the sync
            workspace.cache.verify()
            data = QueueData.read(workspace, head=count)
        self.show_data(data, PreparedQueue.build(data.rows, offers=data.offers, sort=self.sort_state(), lite=True))
        if data.total is not None and data.total > len(data.rows):
            self._reading = data.total
            self._update_totals()
            self.refresh()

    def show_data(self, data: QueueData | None = None, table: PreparedQueue | None = None) -> None:
        """Show the cached queue; `data` and `table` when a worker already read and prepared it."""
        workspace = self.context.workspace
        if workspace is None:
            self.set_rows([])
            return
        if data is None:
            data, table = prepare(workspace)
        self._reading = None
        self.unfinished.setText(data.unfinished or "")
        self.unfinished.setVisible(data.unfinished is not None)
        self.playbook = data.playbook
        self.synced_at = data.synced_at
        self.action_bar.set_coupons(data.coupons)
        self.detail.coupons = {c.id: c for c in data.coupons}
        self.action_bar.set_configurations(data.configurations)
        self.set_table(table or PreparedQueue.build(data.rows, offers=data.offers))
        self.refit()

    @property
    def reading(self) -> bool:
        """Whether the rest of the cached queue is still being read (its first rows shown)."""
        return self._reading is not None

    def stale(self, minutes: int = 10) -> bool:
        """Whether the table's days left were computed more than `minutes` ago."""
        return (datetime.now(UTC) - self.model.now).total_seconds() > minutes * 60

    def recommendation(self, row: QueueRow) -> Offer:
        return self.playbook.recommend(row, row.interval)[0]

    def refit(self) -> None:
        """The action bar for the selection and for what the session allows now."""
        reason = self.context.session.why_actions_off()
        self.controller.fit_bar(self.selected_rows(), reason is None, reason or "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        key = isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Down
        if watched is self.filters.search and key:
            self.focus_results()
            return True
        return super().eventFilter(watched, event)

    def focus_results(self) -> None:
        """Into the table: the first result is selected (the next Down then goes to the second)."""
        self.table.setFocus(Qt.FocusReason.TabFocusReason)
        if not self.table.selectionModel().hasSelection() and self.proxy.rowCount():
            self.table.selectRow(0)

    # rows ---------------------------------------------------------------------------------
    def set_rows(self, rows: list[QueueRow], now: datetime | None = None, offers: dict[str, str] | None = None) -> None:
        """Replace the rows, keeping the selection, the current row and the scroll position."""
        self.set_table(PreparedQueue.build(rows, now, offers))

    def set_table(self, prepared: PreparedQueue) -> None:
        """As set_rows, with the rows already prepared (on a worker, after a sync)."""
        selected = self.selected_ids()
        current = self.current_row()
        rows = self.table.selectionModel().selectedRows()
        top = min((i.row() for i in rows), default=self.table.currentIndex().row())
        after = self.proxy.ids_from(top) if current is not None else []  # who comes next, if the selected rows leave
        scroll = self.table.verticalScrollBar().value()
        old = self.model.set_table(prepared)  # the proxy sorts (by the order the worker prepared) and filters again
        if old.rows:
            self._retired.free(old)
        self.filters.set_choices(prepared.choices)
        found = self._reselect(selected, current.subscription_id if current else None)
        if current is not None and not found and self.proxy.rowCount():
            # the selected rows left the queue (saved, revoked, ended): the first row after them takes their place
            following = next((i for i in after if self._shown(i)), None)
            if following is not None:
                self.select_subscription(following)
            else:
                self.table.selectRow(self.proxy.rowCount() - 1)
        self.table.verticalScrollBar().setValue(scroll)
        self._update_totals()
        if not prepared.lite:  # the first click on a header then finds its order made (a lite table sorts at once)
            self.context.runner.submit_side(prepared.warm_orders, lambda _done: None, lambda _error: None)
        self.refreshed.emit()

    def letter(self, workspace: Workspace, operator: str, sub_id: str, template: str | None) -> Letter:
        return desk.letter(workspace, operator, sub_id, template=template)

    def selected_rows(self) -> list[QueueRow]:
        return [self.proxy.data(i, ROW_ROLE) for i in self.table.selectionModel().selectedRows()]

    def selected_ids(self) -> list[str]:
        return [r.subscription_id for r in self.selected_rows()]

    def current_row(self) -> QueueRow | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, ROW_ROLE) if index.isValid() else None

    def _shown(self, sub_id: str) -> bool:
        source_row = self.model.row_of(sub_id)
        return source_row is not None and self.proxy.shown(source_row)

    def select_subscription(self, sub_id: str) -> bool:
        return self._reselect([sub_id], sub_id)

    def _reselect(self, ids: list[str], current: str | None) -> bool:
        selection = QItemSelection()
        current_index = QModelIndex()
        for sub_id in ids:
            source_row = self.model.row_of(sub_id)
            if source_row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(source_row, 0))
            if index.isValid():
                selection.select(index, index.siblingAtColumn(len(COLUMNS) - 1))
                if sub_id == current:
                    current_index = index
        model = self.table.selectionModel()
        model.clearSelection()
        if current_index.isValid():
            model.setCurrentIndex(current_index, QItemSelectionModel.SelectionFlag.NoUpdate)
        model.select(selection, QItemSelectionModel.SelectionFlag.Select)
        self.selection_changed.emit(self.selected_rows())
        self._show_detail(self.proxy.data(current_index, ROW_ROLE) if current_index.isValid() else None)
        return current_index.isValid()

    # filtering and totals -------------------------------------------------------------------
    def _filter(self, criteria: QueueFilter) -> None:
        self._keep_selection()
        self.proxy.set_filter(criteria)
        self._restore_selection()  # a selected customer the filter hides is no longer selected, anywhere
        self._update_totals()

    def _keep_selection(self) -> None:
        current = self.current_row()
        self._kept = (self.selected_ids(), current.subscription_id if current else None)

    def _restore_selection(self) -> None:
        """The same customers stay selected through sorts and filters; the detail pane and the Save button follow."""
        ids, current = self._kept
        if ids or current:
            self._reselect(ids, current if current in ids else (ids[0] if ids else None))

    def _update_totals(self) -> None:
        if self._reading is not None:
            self.totals.setText(f"Reading {self._reading:,} pending cancellations…  ·  the first {self.model.rowCount():,} shown")
            return
        shown = self.proxy.rowCount()
        total = self.model.rowCount()
        at_risk = format_totals(self.proxy.totals())
        count = (
            f"{total:,} pending cancellation{'s' if total != 1 else ''}" if shown == total else f"{shown:,} of {total:,} shown"
        )
        self.totals.setText(f"{count}  ·  MRR at risk: {at_risk}")

    # detail ----------------------------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.proxy.data(current, ROW_ROLE) if current.isValid() else None
        self._show_detail(row)

    def _show_detail(self, row: QueueRow | None) -> None:
        if row is not None and row is self._detail_of:
            return  # the same row of the same table (a sort or a keystroke kept it): already shown
        self._detail_of = row
        if row is None:
            self.detail.show_row(None, [])
        else:
            workspace, sub_id = self.context.workspace, row.subscription_id
            timeline = workspace.timeline(sub_id) if workspace else []
            valuation = workspace.mrr_explained(sub_id) if workspace else None
            self.detail.show_row(row, timeline, self.model.now, valuation)
        self.row_selected.emit(row)

    def open_detail(self) -> None:
        """Enter: make sure the detail pane is visible for the current row."""
        sizes = self.splitter.sizes()
        if sizes[1] < 160:
            self.splitter.setSizes([max(200, sizes[0] - 260), 260])
        self.detail.setFocus()

    def _load_ltv(self, customer_id: str) -> None:
        workspace = self.context.workspace
        if workspace is None:
            return
        self.context.runner.submit_side(
            lambda: workspace.lifetime_value(customer_id),
            lambda paid: self.detail.show_ltv(customer_id, paid),
            lambda err: self.detail.show_ltv(
                customer_id, None, "unavailable offline" if isinstance(err, Offline) else err.message
            ),
        )

    # offline ---------------------------------------------------------------------------------
    def _sync_failed(self, error: ConsoleError) -> None:
        """The banner at once, from what the page shows (a query here would wait behind the worker still reading a
        large queue: 1.7 s with 200,000 rows, the window frozen meanwhile); whether the failed sync stored pages is
        asked on a worker, and they are shown, marked incomplete."""
        cached = self.synced_at if self.context.workspace else None  # as last read with the queue shown
        self.offline.say(banner_text(error, self.context.session.offline_since, cached))
        self.refit()
        workspace = self.context.workspace
        if workspace is not None:
            self.context.runner.submit_side(
                workspace.unfinished_sync, lambda words: self.refresh() if words else None, self.context.ops.show_error
            )
