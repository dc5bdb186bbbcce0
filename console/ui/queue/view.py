"""The queue's table view: Enter opens the detail pane, and a narrow window hides the columns a rep needs least."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QTableView, QWidget

from ..text_size import rescaled, scale_columns, scaled
from .table import COLUMNS

COLUMN_WIDTHS = {
    "Customer": 130,
    "Email": 180,
    "Plan": 150,
    "MRR": 92,
    "Days left": 90,
    "Owner": 90,
    "Desk": 175,
    "Reason": 200,
    "Offer": 150,
    "Tenure": 78,
    "Status": 72,
    "Discount": 90,
}


OPTIONAL = ("Email", "Plan", "Discount", "Status", "Tenure")  # the detail pane says them: hidden first, in this order
COMMENT_ROOM = 160  # what the Comment column keeps at least before an optional column goes
NARROW = {"Desk": 130, "Reason": 150, "Offer": 130}  # their widths when even without the optional ones it is tight
ROW_HEIGHT = 28  # px at the designed 10pt, as the widths
MIN_COLUMN = 60


def first_width(name: str) -> int:
    """A column's width before a rep moves it, at the text size now drawn (ui/text_size.py)."""
    return scaled(COLUMN_WIDTHS.get(name, 80))


class QueueTable(QTableView):
    """A table where Enter opens the detail pane. Narrower than its columns (a 1024 px window), it hides the
    columns a rep needs least (OPTIONAL, which the detail pane shows) so that Reason, Offer and Comment stay on
    screen; wider again, it shows them again and the Comment column takes the room."""

    activated_row = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kept: dict[int, int] = {}  # a column's width before it was hidden or narrowed: given back
        self._tight: bool | None = None  # whether the last fit was tight (None: no fit yet)
        rescaled().changed.connect(self.rescale)

    def size_rows(self) -> None:
        """Rows and the narrowest column as tall and wide as the text now drawn needs."""
        self.verticalHeader().setDefaultSectionSize(scaled(ROW_HEIGHT))
        self.horizontalHeader().setMinimumSectionSize(scaled(MIN_COLUMN))

    def rescale(self, before: float, now: float) -> None:
        """The text grew or shrank (View → Text size, the system's font): every column by as much, a rep's own
        widths kept in proportion, then fitted to the window again."""
        ratio = now / before
        self.size_rows()
        scale_columns(self.horizontalHeader(), ratio, keep={COLUMNS.index("Comment")})  # Comment stretches
        self._kept = {i: round(width * ratio) for i, width in self._kept.items()}
        self.fit_width()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt naming
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.activated_row.emit()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self.fit_width()

    def fit_width(self) -> None:
        """Hide the optional columns that do not fit (the least needed first), narrowing Desk, Reason and Offer
        when even that is tight. Only a change of width moves a column: the first fit after a restored layout keeps
        the rep's widths, and a column shown again gets back the width it had."""
        header = self.horizontalHeader()
        if header.count() != len(COLUMNS):
            return  # no model yet
        kept = self._kept
        comment = COLUMNS.index("Comment")
        fixed = [i for i in range(len(COLUMNS)) if i != comment and COLUMNS[i] not in OPTIONAL]
        room = self.viewport().width()
        comment_room = scaled(COMMENT_ROOM)
        full = sum(kept.get(i, header.sectionSize(i)) for i in fixed) + comment_room
        tight, was = full > room, self._tight
        if tight != was:  # the widest a rep needs give a little when tight, and get it back
            for name, narrow in NARROW.items():
                i = COLUMNS.index(name)
                if was is None and header.sectionSize(i) != first_width(name):
                    continue  # the first fit after a restored layout: the rep's own width stays
                if tight:
                    kept[i] = header.sectionSize(i)
                    header.resizeSection(i, min(scaled(narrow), kept[i]))
                elif was is not None:
                    header.resizeSection(i, kept.pop(i, first_width(name)))
        self._tight = tight
        need = sum(header.sectionSize(i) for i in fixed) + comment_room
        for name in reversed(OPTIONAL):  # kept while they fit, the least optional first
            i = COLUMNS.index(name)
            width = kept.get(i) or header.sectionSize(i) or first_width(name)
            hide = need + width > room
            need += 0 if hide else width
            if header.isSectionHidden(i) != hide:
                if hide:
                    kept[i] = header.sectionSize(i)
                header.setSectionHidden(i, hide)
                if not hide:
                    header.resizeSection(i, kept.pop(i, width))
