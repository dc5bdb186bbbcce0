"""The queue's model and proxy as they were before 0.2 (QSortFilterProxyModel: Qt calls filterAcceptsRow once per
row, in Python; the source model re-sorts its row lists), kept for the benchmarks only, so bench_ui.py measures
before and after in one run. Not used by the console."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor

from console.domain.queue import QueueRow
from console.domain.queue_filter import QueueFilter
from console.ui import plain, theme
from console.ui.queue.model import COLUMNS, DAYS_COL, MRR_COL, RIGHT_ALIGNED, ROW_ROLE, SORT_ROLE, URGENT_DAYS
from console.ui.queue.table import DESK_COL, OWNER_COL, PreparedQueue


class LegacyModel(QAbstractTableModel):
    """Rows are precomputed once per refresh, so views and sorting never call back into Python per cell twice."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[QueueRow] = []
        self._display: list[tuple[str, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        self.haystacks: list[str] = []
        self.days: list[int] = []
        self.now = datetime.now(UTC)

    def set_table(self, table: PreparedQueue) -> None:
        """Swap in rows a worker already prepared: the GUI thread only resets the views."""
        self.beginResetModel()
        self.now, self.rows, self.days, self.haystacks = table.now, list(table.rows), list(table.days), list(table.haystacks)
        self._display, self._sort = list(table.display), list(zip(*legacy_keys(table), strict=True))
        self._table = table
        self.endResetModel()

    # Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._table.cell(r, c)  # as the model does (the save desk's columns are codes)
        if role == SORT_ROLE:
            return self._sort[r][c]
        if role == ROW_ROLE:
            return self.rows[r]
        if role == Qt.ItemDataRole.TextAlignmentRole and c in RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            row = self.rows[r]
            if c == COLUMNS.index("Comment") and row.comment:
                return plain.tooltip(row.comment)
            if c == DAYS_COL:
                return f"Ends {row.ends_at.astimezone():%a %d %b %Y, %H:%M}"
        if role == Qt.ItemDataRole.ForegroundRole and c == DAYS_COL and self.days[r] <= URGENT_DAYS:
            return QColor(theme.colour("error"))
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows in Python on the precomputed keys: one sorted() call instead of Qt calling
        data() for every comparison (seconds on 20,000 rows). Stable, so ties keep the soonest end first."""
        if not 0 <= column < len(COLUMNS) or not self.rows:
            return
        self.layoutAboutToBeChanged.emit()
        order_idx = sorted(
            range(len(self.rows)), key=lambda i: self._sort[i][column], reverse=order == Qt.SortOrder.DescendingOrder
        )
        old_rows = self.rows
        self.rows = [old_rows[i] for i in order_idx]
        self._display = [self._display[i] for i in order_idx]
        self._sort = [self._sort[i] for i in order_idx]
        self.haystacks = [self.haystacks[i] for i in order_idx]
        self.days = [self.days[i] for i in order_idx]
        new_pos = {old: new for new, old in enumerate(order_idx)}
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [self.index(new_pos[i.row()], i.column()) for i in persistent])
        self.layoutChanged.emit()

    def row_of(self, subscription_id: str) -> int | None:
        for i, row in enumerate(self.rows):
            if row.subscription_id == subscription_id:
                return i
        return None


class LegacyProxy(QSortFilterProxyModel):
    """Filters with a QueueFilter; sorting is delegated to the source model (fast, in Python).
    `reordering` / `reordered` bracket a sort, so the page can keep the selection on the same customers."""

    reordering = Signal()
    reordered = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.criteria = QueueFilter()
        self._accepted: list[bool] | None = None
        self.setDynamicSortFilter(False)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.reordering.emit()
        self.sourceModel().sort(column, order)
        self.refilter()
        self.reordered.emit()

    def refilter(self) -> None:
        """Re-decide the rows after the source changed (sorted or reloaded)."""
        self.set_filter(self.criteria)

    def set_filter(self, criteria: QueueFilter) -> None:
        """Decide every row in one Python pass; filterAcceptsRow then only looks the answer up."""
        model: LegacyModel = self.sourceModel()  # type: ignore[assignment]
        if criteria.active:
            self._accepted = [criteria.matches(row, model.now, hay) for row, hay in zip(model.rows, model.haystacks, strict=True)]
        else:
            self._accepted = None
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9
            self.beginFilterChange()
            self.criteria = criteria
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.criteria = criteria
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:  # noqa: N802
        accepted = self._accepted
        return True if accepted is None or source_row >= len(accepted) else accepted[source_row]

    def visible_rows(self) -> list[QueueRow]:
        model: LegacyModel = self.sourceModel()  # type: ignore[assignment]
        return [model.rows[self.mapToSource(self.index(i, 0)).row()] for i in range(self.rowCount())]


def legacy_keys(table: PreparedQueue) -> list[list[Any]]:
    """The table's sort keys a column each, as PreparedQueue kept them before MRR sorted by its arrays (the MRR
    keys made once per table and kept, so the swap measured is the old one's, not this)."""
    if getattr(table, "_legacy_keys", None) is None:
        columns = list(table.sort_columns)
        for column in (MRR_COL, OWNER_COL, DESK_COL):  # sorted by arrays now; the old model kept keys a row
            columns[column] = [table.sort_key(r, column) for r in range(len(table.rows))]
        table._legacy_keys = columns  # type: ignore[attr-defined]
    return table._legacy_keys  # type: ignore[attr-defined]
