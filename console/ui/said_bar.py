"""A row of buttons with a line under it about the last action, that clears itself: the base of the Queue tab's
action bar and the Failed payments tab's (and where the save desk's buttons join either)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from .status_line import StatusLine

OK_SECONDS = 30  # a success line (with its Undo link) stays this long; the Undo button stays until the next action


class SaidBar(QWidget):
    """`row`: the buttons (a stretch last: desk buttons go before it); `status`: the line under them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(0, 0, 0, 0)
        self.outer.setSpacing(2)
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.status = StatusLine("actionStatus", rich=True)  # our own words; customers' text is escaped by the callers
        self._targets: tuple[str, ...] = ()
        self._said_for: tuple[str, ...] | None = None  # an error's customers: it clears when others are selected
        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.timeout.connect(lambda: self.say(""))

    def finish(self) -> None:
        """After the subclass has put its buttons in `row`: the stretch, then the line under them."""
        self.row.addStretch(1)
        self.outer.addLayout(self.row)
        self.outer.addWidget(self.status)

    def say(self, html: str, *, error: bool = False, progress: bool = False) -> None:
        """A line under the buttons about the last action, that clears itself: a success after OK_SECONDS; a
        refusal or an error once the operator selects other customers (it was about the ones selected then);
        a progress line ("Sending…") when its answer replaces it."""
        self.status.say(html, error=error)
        self._said_for = self._targets if error else None
        self._clear_timer.stop()
        if html and not error and not progress:
            self._clear_timer.start(OK_SECONDS * 1000)

    def selection_is(self, ids: list[str]) -> None:
        """The customers now selected: a refusal or error about others is cleared."""
        self._targets = tuple(ids)
        if self._said_for is not None and set(self._targets) - set(self._said_for):
            self.say("")
