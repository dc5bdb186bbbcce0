"""The other tabs made ready at quiet moments, so each opens at once when first shown: the Failed payments page's module
imported on a worker and the page built with its first rows (a second queue: a click on its tab is then a tab switch,
not a page built and a read begun), then the heavier modules of the charts and the portal imported on workers."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from .queue.page import QueuePage
from .workers import warm_import

FIRST_IDLE_MS = 300  # the search box's rest before the Failed payments page's module is imported, then again before
# the page is built (~20 ms on the GUI thread, its first rows read on a worker)
WARM_IDLE_MS = 1500  # the rest before the charts' and the portal's modules (pyqtgraph: long stretches) are imported
FIRST = ("console.ui.failed.page",)
MODULES = ("console.ui.analytics.page", "console.ui.portal.page")


class TabWarmer(QObject):
    """Once the whole cached queue is shown, each step at a rest of the search box: import FIRST, build the page
    (`then`), import MODULES. Not while the rest of a large queue is read, nor under a typist's keys (each key starts
    the wait again): an import holds the interpreter in long stretches, and a key typed meanwhile waited 60 ms for its
    echo (tests/benchmarks/bench_screen.py). A step waits for the imports before it to finish."""

    def __init__(self, queue: QueuePage, parent: QObject | None = None, *, then: Callable[[], object] | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.threads: list[threading.Thread] = []
        self.then = then
        self.steps: list[tuple[int, Callable[[], None]]] = [
            (FIRST_IDLE_MS, lambda: self._import(FIRST)),
            (FIRST_IDLE_MS, self._build),
            (WARM_IDLE_MS, lambda: self._import(MODULES)),
        ]
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.timeout.connect(self._step)
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
        self._next()

    def _next(self) -> None:
        if self.steps:
            self.idle.setInterval(self.steps[0][0])
            self.idle.start()

    def _step(self) -> None:
        if any(t.is_alive() for t in self.threads):  # an import still runs: what follows would wait for it
            self.idle.start()
            return
        _, step = self.steps.pop(0)
        step()
        self._next()

    def _import(self, modules: tuple[str, ...]) -> None:
        self.threads.extend(warm_import(m) for m in modules)

    def _build(self) -> None:
        if self.then is not None:
            then, self.then = self.then, None
            then()

    def finish(self) -> None:
        """Before the window closes: no import starts, and those running end (one cut off by the interpreter's exit
        crashed the process, exit -11)."""
        self.idle.stop()
        self.steps.clear()
        for thread in self.threads:
            thread.join(5)
