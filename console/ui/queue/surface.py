"""What the queue's controllers (actions, the save desk) need of the queue page: a Protocol, so they do not import
the page that makes them (the UI holds no import circle: tests/unit/test_import_graph.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from PySide6.QtWidgets import QWidget

from ...domain.desk import Desk
from ...domain.offers import Offer
from ...domain.outreach import Letter
from ...domain.queue import QueueRow
from ...services.workspace import Workspace
from ..context import PageContext
from ..said_bar import SaidBar
from .action_bar import ActionBar
from .filter_bar import FilterBar


class DeskRow(Protocol):
    """A row the save desk works on, in either queue (a pending cancellation, a failed payment)."""

    @property
    def subscription_id(self) -> str: ...

    @property
    def customer_id(self) -> str: ...

    @property
    def customer_name(self) -> str | None: ...

    @property
    def email(self) -> str | None: ...

    @property
    def desk(self) -> Desk: ...


class MeFilter(Protocol):
    def set_me(self, name: str) -> None: ...


class DeskSurface(Protocol):
    """What the save desk's controller (desk_controller.py) needs of a queue page: either queue's."""

    context: PageContext
    selection_changed: Any  # Signal(list): the selected rows
    refreshed: Any  # Signal(): the queue was read again
    failed_payments: bool  # whose e-mail templates Write to customer… offers (domain/outreach.py FAILED)

    def letter(self, workspace: Workspace, operator: str, sub_id: str, template: str | None) -> Letter:
        """The e-mail Write to customer… shows for one of its rows (services/desk.py or services/card_link.py)."""
        ...

    @property
    def action_bar(self) -> SaidBar: ...

    @property
    def filters(self) -> MeFilter: ...  # "Mine" follows the name in Preferences

    def selected_rows(self) -> Sequence[DeskRow]: ...

    def window(self) -> QWidget: ...


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
