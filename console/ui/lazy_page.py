"""A tab whose page is built the first time the tab is shown or the page is asked for, not before the first frame."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

P = TypeVar("P", bound=QWidget)


class LazyPage(QWidget, Generic[P]):
    """Holds the place of a page in the tabs; `page` builds it (once) and lays it out here."""

    def __init__(self, make: Callable[[], P], parent: QWidget | None = None, *, module: str | None = None) -> None:
        super().__init__(parent)
        self._make = make
        self.module = module  # the page's module, for ui/warming.py to import ahead when the pointer is on its tab
        self._page: P | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @property
    def built(self) -> P | None:
        """The page if it was built, without building it."""
        return self._page

    @property
    def page(self) -> P:
        return self.build()

    def build(self) -> P:
        """The page, built now if it was not."""
        if self._page is None:
            self._page = self._make()
            self._layout.addWidget(self._page)
            self._page.show()  # now, not when the layout gets to it: a page may read as it is shown
        return self._page

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.build()
