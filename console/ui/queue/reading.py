"""How the queue page reads its rows and lets go of old ones: the queue read and prepared on a worker, and a
replaced table freed a few milliseconds at a time between the window's events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

from PySide6.QtCore import QObject, QTimer

from ...heap import collector_paused, out_of_reach
from ...services.queue_view import QueueData
from ...services.workspace import Workspace
from .table import MRR_COL, Kept, PreparedQueue

HEAD_ROWS = 200  # what the window shows before the rest of a large queue is read


def clock_text(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M") if ts else "never"


def prepare(
    workspace: Workspace, sort: tuple[int, bool] | None = (MRR_COL, True), kept: Kept | None = None
) -> tuple[QueueData, PreparedQueue]:
    """The queue read from the cache and prepared for the table, sorted as the table shows it (`sort`: column,
    descending), on a worker: the GUI thread only swaps it in. The collector is paused meanwhile, and the new
    rows are out of its reach before it runs again: a full collection among 200,000 new rows holds the GIL,
    and the GUI thread, for a quarter of a second. With `kept` (the shown table's), a row read back unchanged
    is the shown one, texts and all: the window holds one table's rows, not two, while it reads again."""
    try:
        with collector_paused():
            data = QueueData.read(workspace, known=kept.known if kept is not None else None)
            prepared = PreparedQueue.build(
                data.rows,
                offers=data.offers,
                sort=sort,
                kept=kept,
                lapse_days=data.lapse_days,
                repeat_months=data.playbook.repeat_months,
            )
            out_of_reach()
    finally:
        if kept is not None:
            kept.release()
    return data, prepared


class Retired(QObject):
    """Tables the page replaced, freed between events: dropping 200,000 rows at once holds the GUI thread (and,
    freed on a worker, the GIL it waits for) for a fifth of a second."""

    def __init__(self, parent: QObject, budget_s: float = 0.004) -> None:
        super().__init__(parent)
        self.budget_s = budget_s
        self.pending: list[tuple[PreparedQueue, Iterator[None]]] = []
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._free_some)

    def free(self, table: PreparedQueue) -> None:
        self.pending.append((table, table.dispose()))
        self.timer.start()

    def _free_some(self) -> None:
        start = time.perf_counter()
        while self.pending and time.perf_counter() - start < self.budget_s:
            table, steps = self.pending[0]
            if table.in_use():  # a read still takes over its rows: look again in a while
                self.timer.setInterval(50)
                return
            self.timer.setInterval(0)
            if next(steps, StopIteration) is StopIteration:
                self.pending.pop(0)
        if not self.pending:
            self.timer.stop()
