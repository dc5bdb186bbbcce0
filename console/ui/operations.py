"""Run the console's operations off the GUI thread and tell the pages what changed (Anki's CollectionOp, smaller)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from ..errors import ConsoleError
from ..services.changes import NOTHING, Changes, Done
from .workers import Runner

T = TypeVar("T")


class ChangeBus(QObject):
    """Broadcasts what an operation changed; each page listens and refreshes what it shows. A sync's end is said
    too (`synced` with its report, `sync_failed` with the error), so pages show or clear their offline notes."""

    changed = Signal(object)  # Changes
    synced = Signal(object)  # SyncReport
    sync_failed = Signal(object)  # ConsoleError
    permissions_checked = Signal()  # the key's permissions were read again: what is allowed may have changed

    def announce(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)


class Operations(QObject):
    """One way to run an operation: on the thread pool, then `on_done(result)` on the GUI thread, then its changes
    announced. A failure goes to `on_failed` (or the default error display) and announces `if_failed`: a failed
    action is in the journal too."""

    def __init__(
        self, runner: Runner, bus: ChangeBus, show_error: Callable[[ConsoleError], None], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.runner, self.bus, self.show_error = runner, bus, show_error

    def run(
        self,
        op: Callable[[], Done[T]],
        on_done: Callable[[T], None] | None = None,
        on_failed: Callable[[ConsoleError], None] | None = None,
        if_failed: Changes = NOTHING,
    ) -> None:
        def done(outcome: Done[T]) -> None:
            if on_done is not None:
                on_done(outcome.result)
            self.bus.announce(outcome.changes)

        def failed(error: ConsoleError) -> None:
            (on_failed or self.show_error)(error)
            self.bus.announce(if_failed)

        self.runner.submit_side(op, done, failed)
