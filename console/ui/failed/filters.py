"""The failed-payments tab's filter row: free text, the next step, whose rows, and the hold-out's view;
`changed(FailedFilter)` as it moves."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLineEdit, QWidget

from ...services.failed_queue import STEP_WORDS
from .model import FailedFilter

WHOSE = (("all", "Everyone's rows"), ("mine", "Mine"), ("unowned", "Nobody's"))


class FailedFilters(QWidget):
    changed = Signal(object)  # FailedFilter
    holdout_toggled = Signal(bool)  # the hold-out's view (rows left to Stripe alone) on or off

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.me = ""
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setObjectName("failedSearch")
        self.search.setPlaceholderText("Search customer, e-mail, id or decline…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.step = QComboBox()
        self.step.setObjectName("failedStep")
        self.step.addItem("Every next step", None)
        for code, words in STEP_WORDS.items():
            self.step.addItem(words, code)
        self.whose = QComboBox()
        self.whose.setObjectName("failedWhose")
        for code, words in WHOSE:
            self.whose.addItem(words, code)
        self.holdout = QCheckBox("Hold-out")
        self.holdout.setObjectName("failedHoldout")
        self.holdout.setToolTip(
            "The failed payments left to Stripe alone (the playbook's hold-out), to read: the desk never works them"
        )
        row.addWidget(self.search, 3)
        row.addWidget(self.step, 1)
        row.addWidget(self.whose, 1)
        row.addWidget(self.holdout)
        self.holdout.toggled.connect(self.holdout_toggled)
        self.search.textChanged.connect(lambda _t: self._emit())
        self.step.currentIndexChanged.connect(lambda _i: self._emit())
        self.whose.currentIndexChanged.connect(lambda _i: self._emit())

    def set_me(self, name: str) -> None:
        """ "Mine" is the rows of the name in Preferences."""
        if name != self.me:
            self.me = name
            self._emit()

    def criteria(self) -> FailedFilter:
        return FailedFilter(self.search.text(), self.step.currentData(), self.whose.currentData(), self.me)

    def _emit(self) -> None:
        self.changed.emit(self.criteria())
