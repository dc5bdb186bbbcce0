"""The other tabs' modules imported on workers at a quiet moment, so each tab opens at once when first shown."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer

from .queue.page import QueuePage
from .workers import warm_import

WARM_IDLE_MS = 1500  # the search box's rest before the other tabs' modules are imported
MODULES = ("console.ui.failed.page", "console.ui.analytics.page", "console.ui.portal.page")


class TabWarmer(QObject):
    """Imports MODULES once the whole cached queue is shown and the search box has rested WARM_IDLE_MS. Not while the
    rest of a large queue is read, nor under a typist's keys: an import holds the interpreter in long stretches, and a
    key typed meanwhile waited 60 ms for its echo (tests/benchmarks/bench_screen.py)."""

    def __init__(self, queue: QueuePage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.threads: list[threading.Thread] = []
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(WARM_IDLE_MS)
        self.idle.timeout.connect(lambda: self.threads.extend(warm_import(m) for m in MODULES))
        self._armed = False

    def start(self) -> None:
        """From the window's first paint: wait for the queue, then for a rest."""
        queue = self.queue
        queue.refreshed.connect(self._queue_shown)
        queue.filters.changed.connect(lambda _criteria: self.idle.start() if self.idle.isActive() else None)
        self._queue_shown()

    def _queue_shown(self) -> None:
        if self.queue.reading or self._armed:
            return
        self._armed = True
        self.queue.refreshed.disconnect(self._queue_shown)
        self.idle.start()

    def finish(self) -> None:
        """Before the window closes: no import starts, and those running end (one cut off by the interpreter's exit
        crashed the process, exit -11)."""
        self.idle.stop()
        for thread in self.threads:
            thread.join(5)
