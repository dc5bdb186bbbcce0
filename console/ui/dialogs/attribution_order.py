"""The recovery attribution's order (issue 34 §1): a list of the reasons a recovered invoice can be credited to, moved
with the mouse or Ctrl+Up and Ctrl+Down; a recovered invoice is credited to the first that applies."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.recovery import REASON_WORDS, REASONS
from ..text_size import scaled


def order_words(order: tuple[str, ...]) -> str:
    """The order in words, as the report prints it."""
    return " → ".join(REASON_WORDS[r] for r in order)


class AttributionOrderDialog(QDialog):
    """The reasons in their order, first at the top; Save keeps the order shown."""

    def __init__(self, order: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Recovery attribution order")
        self.setMinimumWidth(scaled(460))
        layout = QVBoxLayout(self)
        hint = QLabel(
            "A recovered invoice is credited to the first reason that applies, from the top. Drag a reason, or select "
            "it and press Ctrl+Up or Ctrl+Down. The recovery report shows the order it used."
        )
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.list = QListWidget()
        self.list.setObjectName("attributionOrder")
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self._fill(order)
        rows = self.list.sizeHintForRow(0) * self.list.count() + 2 * self.list.frameWidth() + 4
        self.list.setMinimumHeight(rows)  # every reason in sight, no scrolling
        layout.addWidget(self.list)
        moves = QHBoxLayout()
        self.up = QPushButton("Move up")
        self.down = QPushButton("Move down")
        self.default = QPushButton("Default order")
        self.default.setToolTip("Recurly's: Stripe's retry, the card updater, the customer's card, then the reps' actions")
        for button, step in ((self.up, -1), (self.down, 1)):
            button.clicked.connect(lambda _=False, s=step: self.shift(s))
        self.default.clicked.connect(lambda: self._fill(REASONS))
        for key, step in (("Ctrl+Up", -1), ("Ctrl+Down", 1)):
            QShortcut(QKeySequence(key), self.list, lambda s=step: self.shift(s))
        for button in (self.up, self.down, self.default):
            moves.addWidget(button)
        moves.addStretch(1)
        layout.addLayout(moves)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentRowChanged.connect(self._enable)
        self.list.setCurrentRow(0)
        self._enable()

    def _fill(self, order: tuple[str, ...]) -> None:
        self.list.clear()
        for reason in order:
            item = QListWidgetItem(REASON_WORDS[reason])  # our own words: plain text, never a customer's
            item.setData(Qt.ItemDataRole.UserRole, reason)
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def shift(self, step: int) -> None:
        """The selected reason one place up (-1) or down (1); nothing at either end."""
        row = self.list.currentRow()
        to = row + step
        if row < 0 or not 0 <= to < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(to, item)
        self.list.setCurrentRow(to)

    def _enable(self) -> None:
        row = self.list.currentRow()
        self.up.setEnabled(row > 0)
        self.down.setEnabled(0 <= row < self.list.count() - 1)

    def order(self) -> tuple[str, ...]:
        return tuple(str(self.list.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.list.count()))


class OrderRow(QWidget):
    """The playbook dialog's row: the order in words and a button that opens the order's dialog."""

    def __init__(self, order: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.order = order
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.words = QLabel()
        self.words.setObjectName("attributionOrderWords")
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setWordWrap(True)
        self.change = QPushButton("Change order…")
        self.change.setObjectName("changeAttributionOrder")
        self.change.clicked.connect(self.edit)
        row.addWidget(QLabel("A recovered invoice is credited to the first that applies:"))
        row.addWidget(self.words, 1)
        row.addWidget(self.change)
        self._show()

    def _show(self) -> None:
        self.words.setText(order_words(self.order))

    def edit(self) -> None:
        dialog = AttributionOrderDialog(self.order, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.order = dialog.order()
            self._show()
