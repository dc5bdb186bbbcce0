"""A yes-or-cancel question in a message box whose text is plain text (it names customers and operators, whose
names are their own text): the save desk's and the failed-payments desk's questions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from ..domain.text import no_reordering


def ask(parent: QWidget, title: str, text: str, *, warning: bool = False) -> bool:
    icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question
    box = QMessageBox(
        icon, title, no_reordering(text), QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent
    )
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box.exec() == QMessageBox.StandardButton.Yes
