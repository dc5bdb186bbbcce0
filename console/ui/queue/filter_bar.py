"""The filter bar: whose rows (everyone's, mine, nobody's), free text (Ctrl+F), reason, currency, days-left range
and plan."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QSpinBox, QWidget

from ...domain.feedback import NO_ANSWER as NO_ANSWER_LABEL
from ...domain.feedback import PORTAL_LABELS
from ...domain.queue_filter import NO_ANSWER, QueueFilter
from ...domain.text import no_reordering
from .table import Choices

ANY_DAYS = -1
WAIT_MS = 150  # typing waits this long for the next key, but only while a filter pass is slow
FAST_MS = 50.0  # a pass this fast runs on every key (a typist's keys come 100 ms or more apart): no wait
VIEW_ALL, VIEW_MINE, VIEW_UNOWNED = "all", "mine", "unowned"


class FilterBar(QWidget):
    """Emits `changed(QueueFilter)`. Each key filters as soon as its echo is painted while the last pass was fast
    (under FAST_MS); after a slow one (a very large queue), typing waits WAIT_MS for the next key, so the window
    keeps up with the typist."""

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.me = ""  # the operator's name (Preferences): what "Mine" means
        self.view = QComboBox()
        self.view.setObjectName("deskView")
        for text, key in (("Everyone", VIEW_ALL), ("Mine", VIEW_MINE), ("Unowned", VIEW_UNOWNED)):
            self.view.addItem(text, key)
        self.view.setToolTip("Everyone's rows, yours (those due first), or those nobody owns")
        self.search = QLineEdit()
        self.search.setObjectName("queueSearch")
        self.search.setPlaceholderText("Search name, e-mail or comment  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.reason = QComboBox()
        self.reason.setObjectName("reasonFilter")
        self.reason.addItem("All reasons", None)
        for code, text in PORTAL_LABELS.items():
            self.reason.addItem(text, code)
        self.reason.addItem(NO_ANSWER_LABEL, NO_ANSWER)
        self.currency = QComboBox()
        self.currency.setObjectName("currencyFilter")
        self.plan = QComboBox()
        for combo in (self.reason, self.currency, self.plan):  # long reasons or plan names must not widen the window
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(10)
        self.plan.setObjectName("planFilter")
        self.min_days = self._days_box("from")
        self.max_days = self._days_box("to")
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Show every pending cancellation")
        self.clear.clicked.connect(self.reset)
        layout.addWidget(self.view)
        layout.addWidget(self.search, 3)
        layout.addWidget(self.reason, 2)
        layout.addWidget(self.currency, 1)
        layout.addWidget(self.plan, 2)
        layout.addWidget(QLabel("Days left"))
        layout.addWidget(self.min_days)
        layout.addWidget(QLabel("–"))
        layout.addWidget(self.max_days)
        layout.addWidget(self.clear)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(WAIT_MS)
        self._debounce.timeout.connect(self._emit)
        # a fast pass runs on the event loop's next turn, once the key's echo is painted: run inside the key's own
        # handler, the search box's new text reached the screen only with the filtered table, whose paint waits on
        # the interpreter while the rest of a large queue is read (59-115 ms; tests/benchmarks/bench_screen.py)
        self._soon = QTimer(self)
        self._soon.setSingleShot(True)
        self._soon.setInterval(0)
        self._soon.timeout.connect(self._emit)
        self.last_pass_ms = 0.0  # how long the last filter pass took (the slots of `changed`, on this thread)
        self.search.textChanged.connect(self._typed)
        for combo in (self.view, self.reason, self.currency, self.plan):
            combo.currentIndexChanged.connect(self._emit)
        for box in (self.min_days, self.max_days):
            box.valueChanged.connect(self._emit)
        self.set_choices(Choices())

    def _days_box(self, name: str) -> QSpinBox:
        box = QSpinBox()
        box.setObjectName(f"days_{name}")
        box.setRange(ANY_DAYS, 3650)
        box.setValue(ANY_DAYS)
        box.setSpecialValueText("any")
        box.setAccelerated(True)
        return box

    def set_choices(self, choices: Choices) -> None:
        """Offer the currencies, plans and custom reasons present in the queue (prepared with it, on a worker),
        keeping the current choice."""
        for combo, label, values in (
            (self.currency, "All currencies", choices.currencies),
            (self.plan, "All plans", choices.plans),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for value in values:
                combo.addItem(value.upper() if combo is self.currency else no_reordering(value), value)  # a plan's name
            found = combo.findData(current)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)
        self._custom_reasons(choices.custom_reasons)

    def _custom_reasons(self, custom: list[tuple[str, str]]) -> None:
        """The portal's custom reasons (Feedback Options) the queue holds, after the survey's eight."""
        current = self.reason.currentData()
        self.reason.blockSignals(True)
        while self.reason.count() > len(PORTAL_LABELS) + 2:  # All reasons, the eight, No answer
            self.reason.removeItem(self.reason.count() - 1)
        for option_id, text in custom:
            self.reason.addItem(no_reordering(text), option_id)  # the portal's words, anyone's text
        found = self.reason.findData(current)
        self.reason.setCurrentIndex(found if found >= 0 else 0)
        self.reason.blockSignals(False)

    def criteria(self) -> QueueFilter:
        low, high = self.min_days.value(), self.max_days.value()
        if low != ANY_DAYS and high != ANY_DAYS and low > high:  # "30 – 7" means 7 to 30, not nothing
            low, high = high, low
        view = self.view.currentData()
        return QueueFilter(
            owner=self.me if view == VIEW_MINE else "" if view == VIEW_UNOWNED else None,
            due_first=view == VIEW_MINE,
            text=self.search.text(),
            reason=self.reason.currentData(),
            currency=self.currency.currentData(),
            plan=self.plan.currentData(),
            min_days=None if low == ANY_DAYS else low,
            max_days=None if high == ANY_DAYS else high,
        )

    def set_me(self, name: str) -> None:
        """Whose rows "Mine" shows (the name in Preferences); the view follows at once if it shows them."""
        if name != self.me:
            self.me = name
            if self.view.currentData() == VIEW_MINE:
                self._emit()

    def show_view(self, key: str) -> None:
        self.view.setCurrentIndex(max(0, self.view.findData(key)))

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def reset(self) -> None:
        for widget in (self.view, self.search, self.reason, self.currency, self.plan, self.min_days, self.max_days):
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.view, self.reason, self.currency, self.plan):
            combo.setCurrentIndex(0)
        self.min_days.setValue(ANY_DAYS)
        self.max_days.setValue(ANY_DAYS)
        for widget in (self.view, self.search, self.reason, self.currency, self.plan, self.min_days, self.max_days):
            widget.blockSignals(False)
        self._emit()

    def _typed(self) -> None:
        if self.last_pass_ms <= FAST_MS:
            self._debounce.stop()
            self._soon.start()
        else:
            self._soon.stop()
            self._debounce.start()

    def _emit(self) -> None:
        self._soon.stop()  # one pass for what is typed and chosen now
        self._debounce.stop()
        started = time.perf_counter()
        self.changed.emit(self.criteria())
        self.last_pass_ms = (time.perf_counter() - started) * 1000
