"""The Queue tab's offline banner: why Stripe cannot be reached, since when, and what the cached queue still shows."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from ...errors import ConsoleError, Offline
from ..plain import escape
from .reading import clock_text


class OfflineBanner(QFrame):
    """Hidden until a sync fails; its words are rich text built from escaped parts only (banner_text)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        row = QHBoxLayout(self)
        self.text = QLabel("")
        self.text.setWordWrap(True)
        row.addWidget(self.text)
        self.hide()

    def say(self, text: str | None) -> None:
        """Show `text`, or hide the banner for None (back online)."""
        if text:
            self.text.setText(text)
            self.show()
        else:
            self.hide()


def banner_text(error: ConsoleError, offline_since: datetime | None, cached: float | None) -> str:
    """The banner's words: offline since when (or the error and what to do), and whether a cached queue is shown."""
    if isinstance(error, Offline) and offline_since is not None:
        head = f"<b>Offline since {offline_since:%H:%M}</b> — Stripe cannot be reached."
    else:
        head = f"<b>{escape(error.message)}</b> {escape(error.hint)}"
    if cached:
        return f"{head} Showing the queue as last synced at {clock_text(cached)}; it is read-only until the next successful sync."
    return f"{head} There is no cached queue for this account yet."
