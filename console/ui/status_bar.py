"""The window's status bar: a message longer than the room left of "Last synced" ends in "…", whole in its tooltip."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QStatusBar, QWidget

GAP = 8  # between the message's last letter and the first permanent widget


class ElidingStatusBar(QStatusBar):
    """QStatusBar draws a message whole, under its permanent widgets when it is longer than the room left of them
    (a sync's summary ran into "Last synced", cut mid-word). Here the message gives way: it ends in "…" where the
    first visible permanent widget begins, the whole message is the bar's tooltip, and currentMessage() is always the
    whole text, as shown or not. A resize lays the message out again, its time left kept."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = self._shown = ""
        self._until: float | None = None  # when the message goes (monotonic), None: until replaced
        self._permanent: list[QWidget] = []
        self.messageChanged.connect(self._changed)

    def addPermanentWidget(self, widget: QWidget, stretch: int | None = 0) -> None:  # noqa: N802 (Qt's name)
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch or 0)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:  # noqa: N802 (Qt's name)
        timeout = timeout or 0
        self._full = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        self._show(timeout)

    def currentMessage(self) -> str:  # noqa: N802 (Qt's name)
        return self._full

    def room(self) -> int:
        """Pixels the message may take: from the bar's left edge to the first visible permanent widget."""
        if (layout := self.layout()) is not None:
            layout.activate()  # a widget just shown, hidden or re-labelled has its place now
        right = self.width() - 12  # QStatusBar's own margin (qstatusbar.cpp, messageRect)
        for widget in self._permanent:
            if widget.isVisible():
                right = min(right, widget.x() - GAP)
        return max(0, right - 6)  # the message starts 6 px in

    def _show(self, timeout: int) -> None:
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, self.room())
        self._shown = shown
        self.setToolTip(self._full if shown != self._full else "")
        super().showMessage(shown, timeout)

    def _changed(self, shown: str) -> None:
        if shown != self._shown:  # cleared, timed out, or shown by Qt itself (an action's status tip)
            self._full = self._shown = shown
            self._until = None
            self.setToolTip("")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._full:
            left = None if self._until is None else max(1, int((self._until - time.monotonic()) * 1000))
            self._show(0 if left is None else left)
