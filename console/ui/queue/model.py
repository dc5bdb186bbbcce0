"""The queue's table model (every prepared row, in the prepared order) and the view over it: a proxy that sorts
and filters by indexing numpy arrays (table.py), never by calling back into Python once per row; a lite table (the
window's first rows, a queue under LITE_ROWS) is sorted and filtered by Python (head.py), with no numpy imported."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from ...domain.queue import QueueRow
from ...domain.queue_filter import QueueFilter
from ...domain.text import no_reordering
from .. import plain, theme
from ..dates import moment_text
from ..roles import fill
from .head import head_view
from .table import COLUMNS, DESK_COL, MRR_COL, OWNER_COL, PreparedQueue

DAYS_COL = COLUMNS.index("Days left")
RIGHT_ALIGNED = {MRR_COL, DAYS_COL, COLUMNS.index("Tenure")}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
DUE_ROLE = Qt.ItemDataRole.UserRole + 3
URGENT_DAYS = 3
Index = QModelIndex | QPersistentModelIndex
_BOLD = QFont()
_BOLD.setBold(True)
_DISPLAY, _SORT, _ROW, _DUE = int(Qt.ItemDataRole.DisplayRole), int(SORT_ROLE), int(ROW_ROLE), int(DUE_ROLE)
_ALIGN, _TOOLTIP = int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND, _FONT = int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.FontRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
COMMENT_COL = COLUMNS.index("Comment")


def desk_tooltip(row: QueueRow) -> str:
    """Who has it since when, the last contact and the latest note (people's text: shown as plain text)."""
    d = row.desk
    lines = [f"Owner: {d.claimed_words()}"] if d.owner else []
    if d.contacted_at:
        lines.append(f"Contacted by {d.channel} on {moment_text(d.contacted_at)}")
    if d.note:
        lines.append(f"Note: {d.note}")
    return "\n".join(lines)


class QueueModel(QAbstractTableModel):
    """Every row of a prepared table, in its prepared order (the proxy sorts and filters; this never moves)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.table = PreparedQueue()

    @property
    def rows(self) -> list[QueueRow]:
        return self.table.rows

    @property
    def days(self) -> list[int]:
        return self.table.days

    @property
    def now(self) -> datetime:
        return self.table.now

    def set_rows(self, rows: list[QueueRow], now: datetime | None = None, offers: dict[str, str] | None = None) -> None:
        """`offers` maps subscription id -> the playbook's recommendation, as shown in the Offer column."""
        self.set_table(PreparedQueue.build(rows, now, offers))

    def set_table(self, table: PreparedQueue) -> PreparedQueue:
        """Swap in rows a worker already prepared: the GUI thread only resets the views. Returns the table it
        replaced, for the caller to free off the GUI thread (PreparedQueue.dispose)."""
        self.beginResetModel()
        old, self.table = self.table, table
        self.endResetModel()
        return old

    # Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section in RIGHT_ALIGNED:
            return _RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.value(index.row(), index.column(), role) if index.isValid() else None

    def value(self, r: int, c: int, role: int) -> Any:
        """What `data` answers for row r, column c (the proxy asks here directly: no model index is made for
        each of the ~1,400 cells a repaint asks for; the roles compared as plain ints, not enum members)."""
        table = self.table
        if role == _DISPLAY:  # only the cells drawn: anyone's text, with nothing left to reorder it
            return no_reordering(table.cell(r, c))
        if role == _SORT:
            return table.sort_key(r, c)
        if role == _ROW:
            return table.rows[r]
        if role == _ALIGN:
            return _RIGHT if c in RIGHT_ALIGNED else None
        if role == _TOOLTIP:
            row = table.rows[r]
            if c == COMMENT_COL and row.comment:
                return plain.tooltip(row.comment)
            if c == DAYS_COL:
                return f"Ends {row.ends_at.astimezone():%a %d %b %Y, %H:%M}"
            if c in (OWNER_COL, DESK_COL) and (row.desk.owner or row.desk.note):
                return plain.tooltip(desk_tooltip(row))
            return None
        if role == _FOREGROUND:
            return QColor(theme.colour("error")) if c == DAYS_COL and table.days[r] <= URGENT_DAYS else None
        if role == _FONT:
            return _BOLD if table.due[r] else None  # due today: the whole row stands out
        if role == _DUE:
            return bool(table.due[r])
        return None

    def row_of(self, subscription_id: str) -> int | None:
        return self.table.ids.get(subscription_id)


class QueueProxy(QAbstractProxyModel):
    """The rows the table shows, in the order it shows them: `view` holds their row numbers in the model,
    `position` each model row's place in the view (-1: filtered out). Sorting and filtering recompute both
    with numpy and reset the view; `reordering` / `reordered` bracket a sort, so the page keeps the selection
    on the same customers."""

    reordering = Signal()
    reordered = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.criteria = QueueFilter()
        self.sort_column, self.sort_order = MRR_COL, Qt.SortOrder.DescendingOrder
        self.view: Any = []  # numpy arrays of int32, or lists for a lite table
        self.position: Any = []

    def setSourceModel(self, model: QueueModel) -> None:  # type: ignore[override]  # noqa: N802
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        self._recompute()

    def _source_reset(self) -> None:
        self._recompute()
        self.endResetModel()

    @property
    def table(self) -> PreparedQueue:
        return cast(QueueModel, self.sourceModel()).table

    def _recompute(self) -> None:
        table = self.table
        if not table.rows:
            self.view, self.position = [], []
            return
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        if table.lite:  # the window's first rows: by Python, before numpy is imported (head.py)
            self.view, self.position = head_view(table, self.criteria, self.sort_column, descending), [-1] * len(table.rows)
            for place, row in enumerate(self.view):
                self.position[row] = place
            return
        import numpy as np  # imported by the worker that prepared this table (table.py)

        keep, order = table.matches(self.criteria), table.order(self.sort_column, descending)
        self.view = order if keep is None else order[keep[order]]
        if self.criteria.due_first and len(self.view):  # "Mine": what needs you today first, each part in order
            due = table.due[self.view]
            self.view = np.concatenate((self.view[due], self.view[~due]))
        self.position = np.full(len(table.rows), -1, dtype=np.int32)
        self.position[self.view] = np.arange(len(self.view), dtype=np.int32)

    # sorting and filtering ---------------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.reordering.emit()
        self.beginResetModel()
        self.sort_column, self.sort_order = column, order
        self._recompute()
        self.endResetModel()
        self.reordered.emit()

    def set_filter(self, criteria: QueueFilter) -> None:
        self.beginResetModel()
        self.criteria = criteria
        self._recompute()
        self.endResetModel()

    def totals(self) -> dict[str, int]:
        """MRR per currency of the rows shown."""
        return self.table.totals(None if len(self.view) == len(self.table.rows) else self.view)

    def ids_from(self, start: int, count: int = 2000) -> list[str]:
        """The subscription ids shown from view row `start` on (at most `count`)."""
        rows = self.table.rows
        some = self.view[max(start, 0) : max(start, 0) + count]
        return [rows[i].subscription_id for i in (some if isinstance(some, list) else some.tolist())]

    def shown(self, source_row: int) -> bool:
        return 0 <= source_row < len(self.position) and self.position[source_row] >= 0

    # Qt proxy API ---------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.view)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self.view) and 0 <= column < len(COLUMNS)):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, child: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def mapToSource(self, proxy_index: Index) -> QModelIndex:  # noqa: N802
        if not proxy_index.isValid() or proxy_index.row() >= len(self.view):
            return QModelIndex()
        return self.sourceModel().index(int(self.view[proxy_index.row()]), proxy_index.column())

    def mapFromSource(self, source_index: Index) -> QModelIndex:  # noqa: N802
        if not source_index.isValid() or not self.shown(source_index.row()):
            return QModelIndex()
        return self.createIndex(int(self.position[source_index.row()]), source_index.column())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or row >= len(self.view):
            return None
        return self.sourceModel().value(int(self.view[row]), index.column(), role)  # type: ignore[attr-defined]

    def multiData(self, index: Index, roles: QModelRoleDataSpan | QModelRoleData) -> None:  # noqa: N802
        """Every role a cell is painted with, in one call (ui/roles.py)."""
        row = index.row()
        if not (index.isValid() and row < len(self.view)):
            fill(roles, lambda _role: None)
            return
        value = self.sourceModel().value  # type: ignore[attr-defined]
        source_row, column = int(self.view[row]), index.column()
        fill(roles, lambda role: value(source_row, column, role))

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal:
            return self.sourceModel().headerData(section, orientation, role)
        return section + 1 if role == Qt.ItemDataRole.DisplayRole else None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags
