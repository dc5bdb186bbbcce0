"""The failed-payments table: each row's cells prepared once (plain text: customers' names are their own text), sorted
and filtered in Python over the prepared keys (a failed-payments queue holds thousands, not the churn queue's
hundreds of thousands), shown through a plain table model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from ...domain.desk import column_words
from ...domain.failed import FailedRow
from ...domain.money import format_money
from ...domain.queue import display_name
from ...services.failed_queue import STEP_WORDS, FailedQueue
from .. import theme
from ..dates import day_text, moment_text

COLUMNS = ("Customer", "Due", "MRR", "Tries", "Decline", "Card", "Stripe's next try", "Ends", "Next step", "Owner", "Desk")
RIGHT = {COLUMNS.index("Due"), COLUMNS.index("MRR"), COLUMNS.index("Tries")}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STEP_COL = COLUMNS.index("Next step")
Index = QModelIndex | QPersistentModelIndex
_BOLD = QFont()
_BOLD.setBold(True)


@dataclass(frozen=True)
class FailedFilter:
    """What the filter row asks: free text (customer, e-mail, ids, decline), a next step, whose rows."""

    text: str = ""
    step: str | None = None  # new_card, wait, retry, contact
    whose: str = "all"  # all, mine, unowned
    me: str = ""

    def keeps(self, row: FailedRow, search: str, owner: str, step: str) -> bool:
        if self.step and step != self.step:
            return False
        if self.whose == "mine" and (not self.me or owner != self.me):
            return False
        if self.whose == "unowned" and owner:
            return False
        return all(word in search for word in self.text.casefold().split())


@dataclass(frozen=True)
class Prepared:
    """One row's cells, sort keys, search text, owner and step, worked out once per read."""

    row: FailedRow
    cells: tuple[str, ...]
    keys: tuple[Any, ...]
    search: str
    owner: str
    step: str
    due: bool


def prepare(queue: FailedQueue) -> list[Prepared]:
    """Every row's cells in the queue's order (worked out on a worker: no Qt object is made here)."""
    now, settings = queue.now, queue.settings
    at = datetime.fromtimestamp(now, UTC)
    out = []
    for row in queue.rows:
        c, d = row.collection, row.decline
        owner = row.desk.owner_now(at, settings.lapse_days)
        ends = row.ends_at(settings.retry_days)
        due = row.desk.due(ends, at)
        step = row.next_step(now)
        retry = c.next_attempt if row.will_retry() else None
        name = display_name(row.customer_name, row.email, c.customer_id, False)
        decline = (d.decline_code or d.code or "?") if d else "not read yet"
        cells = (
            name, format_money(c.amount_due, c.currency), format_money(row.mrr_minor, c.currency), str(c.attempt_count),
            decline, d.card() if d else "", moment_text(retry) if retry else "none", day_text(ends.date()),
            STEP_WORDS[step], owner, column_words(row.desk.state, due, row.desk.follow_up, at.date(), day=day_text),
        )  # fmt: skip
        keys = (
            name.casefold(), (c.currency, c.amount_due), (c.currency, row.mrr_minor), c.attempt_count, decline,
            cells[5], retry or 2**62, ends, step, owner.casefold(), cells[10],
        )  # fmt: skip
        search = " ".join((name, row.email or "", c.customer_id, c.subscription_id, c.invoice_id, decline, row.plan)).casefold()
        out.append(Prepared(row, cells, keys, search, owner, step, due))
    return out


class FailedModel(QAbstractTableModel):
    """The prepared rows, those the filter keeps, in the order the header asks (the queue's order until then)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.every: list[Prepared] = []
        self.shown: list[Prepared] = []
        self.criteria = FailedFilter()
        self.sorted_by: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, prepared: list[Prepared]) -> None:
        self.every = prepared
        self._reshow()

    def set_filter(self, criteria: FailedFilter) -> None:
        self.criteria = criteria
        self._reshow()

    def row_at(self, r: int) -> FailedRow | None:
        return self.shown[r].row if 0 <= r < len(self.shown) else None

    def _reshow(self) -> None:
        self.beginResetModel()
        keep = self.criteria.keeps
        self.shown = [p for p in self.every if keep(p.row, p.search, p.owner, p.step)]
        if self.sorted_by is not None:
            self._order(*self.sorted_by)
        self.endResetModel()

    def _order(self, column: int, order: Qt.SortOrder) -> None:
        self.shown.sort(key=lambda p: p.keys[column], reverse=order == Qt.SortOrder.DescendingOrder)

    # Qt model API ---------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """A header click: a stable sort on the column's prepared key (ties keep the queue's order)."""
        self.layoutAboutToBeChanged.emit()
        self.sorted_by = (column, order)
        self._order(column, order)
        self.layoutChanged.emit()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.shown):
            return None
        p, c = self.shown[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return p.cells[c]
        if role == ROW_ROLE:
            return p.row
        if role == Qt.ItemDataRole.TextAlignmentRole and c in RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and c in (COLUMNS.index("Decline"), STEP_COL):
            return p.row.decline_words()  # plain text: Qt shows a tooltip without tags as plain
        if role == Qt.ItemDataRole.FontRole and p.due:
            return _BOLD  # needs someone today, as on the churn queue
        if role == Qt.ItemDataRole.ForegroundRole and c == STEP_COL and p.step == "new_card":
            return QColor(theme.colour("error"))
        return None
