"""The failed-payments table: each row's cells prepared once (plain text: customers' names are their own text), sorted
and filtered in Python over the prepared keys (a failed-payments queue holds thousands, not the churn queue's
hundreds of thousands), shown through a plain table model."""

from __future__ import annotations

import functools
from array import array
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from ...domain.desk import column_words
from ...domain.failed import FailedRow
from ...domain.money import format_money
from ...domain.queue import display_name
from ...domain.text import no_reordering
from ...services.failed_queue import STEP_WORDS, FailedQueue
from .. import theme
from ..dates import Dates
from ..roles import fill

COLUMNS = ("Customer", "Due", "MRR", "Tries", "Decline", "Card", "Stripe's next try", "Ends", "Next step", "Owner", "Desk")
RIGHT = {COLUMNS.index("Due"), COLUMNS.index("MRR"), COLUMNS.index("Tries")}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
STEP_COL = COLUMNS.index("Next step")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class FailedFilter:
    """What the filter row asks: free text (customer, e-mail, ids, decline), a next step, whose rows."""

    text: str = ""
    step: str | None = None  # new_card, wait, retry, contact
    whose: str = "all"  # all, mine, unowned
    me: str = ""

    def kept(self, rows: list[Prepared]) -> list[Prepared]:
        """The rows this keeps, in their order: one comprehension a criterion (a pass over 50,000 rows is a few ms;
        a call per row was ten times that: bench_failed_screen.py)."""
        if self.step:
            rows = [p for p in rows if p.step == self.step]
        if self.whose == "mine":
            rows = [p for p in rows if self.me and p.owner == self.me]
        elif self.whose == "unowned":
            rows = [p for p in rows if not p.owner]
        for word in self.text.casefold().split():
            rows = [p for p in rows if word in p.search]
        return rows


class Formats:
    """How one read's rows are put in words (its time, the desk's settings, memoised money and desk words): each
    cell is worked out when drawn or sorted, not held (50,000 rows' eleven cells held were 18 MB of the window's peak:
    bench_failed_screen.py)."""

    def __init__(self, now: int) -> None:
        self.at = datetime.fromtimestamp(now, UTC)
        self.dates = Dates()
        self.money = functools.lru_cache(maxsize=4096)(format_money)
        self.desk = functools.lru_cache(maxsize=1024)(
            lambda state, due, follow: column_words(state, due, follow, self.at.date(), day=self.dates.day)
        )

    def cell(self, p: Prepared, column: int) -> str:
        """The text of one of COLUMNS for the row (plain text: a customer's name is their own)."""
        row, c, d = p.row, p.row.collection, p.row.decline
        match COLUMNS[column]:
            case "Customer":
                return display_name(row.customer_name, row.email, c.customer_id, False)
            case "Due":
                return self.money(c.amount_due, c.currency)
            case "MRR":
                return self.money(row.mrr_minor, c.currency)
            case "Tries":
                return str(c.attempt_count)
            case "Decline":
                return decline_code(row)
            case "Card":
                return d.card() if d else ""
            case "Stripe's next try":
                return self.dates.moment(c.next_attempt) if c.next_attempt and row.will_retry() else "none"
            case "Ends":
                return self.dates.day(datetime.fromtimestamp(p.ends, UTC).date())
            case "Next step":
                return STEP_WORDS[p.step]
            case "Owner":
                return p.owner
            case _:  # Desk
                return self.desk(row.desk.state, p.due, row.desk.follow_up)


def decline_code(row: FailedRow) -> str:
    d = row.decline
    return (d.decline_code or d.code or "?") if d else "not read yet"


@dataclass(frozen=True, slots=True)  # 50,000 of them in a large account's queue: no __dict__ each
class Prepared:
    """One row's search text, owner and step, worked out once per read (its cells when drawn: Formats)."""

    row: FailedRow
    search: str
    owner: str
    step: str
    due: bool
    ends: float  # when Stripe's retries run out (a timestamp): the Ends column's order
    at: int  # its place in the read (the sort ranks' index)
    formats: Formats

    def cell(self, column: int) -> str:
        return self.formats.cell(self, column)


def sort_key(p: Prepared, column: int) -> Any:
    """What a header click sorts a column by: amounts within their currency, dates as dates, text case-blind."""
    c = p.row.collection
    name = COLUMNS[column]
    if name == "Due":
        return (c.currency, c.amount_due)
    if name == "MRR":
        return (c.currency, p.row.mrr_minor)
    if name == "Tries":
        return c.attempt_count
    if name == "Stripe's next try":
        return c.next_attempt if p.row.will_retry() and c.next_attempt is not None else 2**62
    if name == "Ends":
        return p.ends
    return p.cell(column).casefold()


def prepare(queue: FailedQueue) -> list[Prepared]:
    """Every row's search text, owner and step in the queue's order (worked out on a worker: no Qt object is made)."""
    now, settings = queue.now, queue.settings
    formats = Formats(now)
    at = formats.at
    out = []
    for place, row in enumerate(queue.rows):
        c = row.collection
        owner = row.desk.owner_now(at, settings.lapse_days)
        ends = row.ends_at(settings.retry_days)
        due = row.desk.due(ends, at)
        name = display_name(row.customer_name, row.email, c.customer_id, False)
        search = " ".join((name, row.email or "", c.customer_id, c.subscription_id, c.invoice_id, decline_code(row), row.plan))
        out.append(Prepared(row, search.casefold(), owner, row.next_step(now), due, ends.timestamp(), place, formats))
    return out


def sort_ranks(prepared: list[Prepared]) -> list[array[int]]:
    """Each column's sort key as a whole number per row (equal keys, equal numbers), worked out on a worker after
    the rows are shown: a header click then sorts by an int (50,000 rows by their cells' keys took 100 ms on the GUI
    thread: bench_failed_screen.py)."""
    out = []
    for column in range(len(COLUMNS)):
        keys = [sort_key(p, column) for p in prepared]
        order = sorted(range(len(keys)), key=keys.__getitem__)
        rank, last, n = array("i", bytes(4 * len(keys))), None, -1
        for i in order:
            if n < 0 or keys[i] != last:
                n, last = n + 1, keys[i]
            rank[i] = n
        out.append(rank)
    return out


class FailedModel(QAbstractTableModel):
    """The prepared rows, those the filter keeps, in the order the header asks (the queue's order until then)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.every: list[Prepared] = []
        self.shown: list[Prepared] = []
        self.criteria = FailedFilter()
        self.sorted_by: tuple[int, Qt.SortOrder] | None = None
        self.ranks: list[array[int]] | None = None  # the columns' sort ranks of `every` (sort_ranks), once worked out
        self.bold = QFont()  # made here, on the GUI thread: this module may be imported on a worker (ui/warming.py)
        self.bold.setBold(True)

    def set_rows(self, prepared: list[Prepared]) -> None:
        self.every, self.ranks = prepared, None
        self._reshow()

    def set_ranks(self, prepared: list[Prepared], ranks: list[array[int]]) -> None:
        """The sort ranks worked out for `prepared`, kept while those are the rows (a later read makes its own)."""
        if prepared is self.every:
            self.ranks = ranks

    def set_filter(self, criteria: FailedFilter) -> None:
        self.criteria = criteria
        self._reshow()

    def row_at(self, r: int) -> FailedRow | None:
        return self.shown[r].row if 0 <= r < len(self.shown) else None

    def _reshow(self) -> None:
        self.beginResetModel()
        self.shown = self.criteria.kept(self.every)
        if self.sorted_by is not None:
            self._order(*self.sorted_by)
        self.endResetModel()

    def _order(self, column: int, order: Qt.SortOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        if self.ranks is not None:
            rank = self.ranks[column]
            self.shown.sort(key=lambda p: rank[p.at], reverse=descending)
        else:
            self.shown.sort(key=lambda p: sort_key(p, column), reverse=descending)

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

    def multiData(self, index: Index, roles: QModelRoleDataSpan | QModelRoleData) -> None:  # noqa: N802
        """Every role a cell is painted with, in one call (ui/roles.py): with the cells made when drawn, a key typed
        while a worker ranked the rows waited up to 90 ms for its echo, one call into Python a role."""
        fill(roles, lambda role: self.data(index, role))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.shown):
            return None
        p, c = self.shown[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return no_reordering(p.cell(c))  # anyone's text: nothing reorders it
        if role == ROW_ROLE:
            return p.row
        if role == Qt.ItemDataRole.TextAlignmentRole and c in RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and c in (COLUMNS.index("Decline"), STEP_COL):
            return p.row.decline_words()  # plain text: Qt shows a tooltip without tags as plain
        if role == Qt.ItemDataRole.FontRole and p.due:
            return self.bold  # needs someone today, as on the churn queue
        if role == Qt.ItemDataRole.ForegroundRole and c == STEP_COL and p.step == "new_card":
            return QColor(theme.colour("error"))
        return None
