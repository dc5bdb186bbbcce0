"""What the queue's controllers (actions, the save desk) need of the queue page: a Protocol, so they do not import
the page that makes them (the UI holds no import circle: tests/unit/test_import_graph.py)."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QWidget

from ...domain.offers import Offer
from ...domain.queue import QueueRow
from ..context import PageContext
from .action_bar import ActionBar
from .filter_bar import FilterBar


class QueueSurface(Protocol):
    """The queue page (ui/queue/page.py), as its controllers see it; it is also their QObject parent."""

    context: PageContext
    action_bar: ActionBar
    filters: FilterBar
    selection_changed: Any  # Signal(list): the selected rows
    refreshed: Any  # Signal(): the queue was read again

    def selected_rows(self) -> list[QueueRow]: ...

    def recommendation(self, row: QueueRow) -> Offer: ...

    def window(self) -> QWidget: ...
