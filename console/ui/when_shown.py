"""A page that reads the cache again after a change: at once while it is shown, else once when it is shown next (not
at every sync or desk change while another tab is in front)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget


class ReadWhenShown:
    """`changed()` from the page's change handler; `shown()` from its showEvent (True when it read)."""

    def __init__(self, page: QWidget, read: Callable[[], None], *, stale: bool = False) -> None:
        self.page, self.read, self.stale = page, read, stale

    def changed(self) -> None:
        if self.page.isVisible():
            self.read()
        else:
            self.stale = True

    def shown(self) -> bool:
        if not self.stale:
            return False
        self.stale = False
        self.read()
        return True
