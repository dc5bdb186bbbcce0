"""The other tabs made ready ahead, so each opens at once when first shown: at a quiet moment the Failed payments page's
module imported on a worker and the page built with its first rows (a second queue: a click on its tab is then a tab
switch, not a page built and a read begun); the other pages' modules imported on a worker when the pointer comes onto
their tabs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QTabWidget

from .lazy_page import LazyPage
from .queue.page import QueuePage
from .workers import warm_import

FIRST_IDLE_MS = 300  # the search box's rest before the Failed payments page's module is imported, then again before
# the page is built (~20 ms on the GUI thread, its first rows read on a worker)
FIRST = ("console.ui.failed.page",)


class TabWarmer(QObject):
    """Once the whole cached queue is shown, each step at a rest of the search box: import FIRST, then build the page
    (`then`). Not while the rest of a large queue is read, nor under a typist's keys (each key starts the wait again):
    an import holds the interpreter in long stretches, and a key typed meanwhile waited 60 ms for its echo
    (tests/benchmarks/bench_screen.py). A step waits for the imports before it to finish.
    The other tabs' pages (the charts' library: 0.24 s of import, 25 MB the window kept whether or not the charts
    were ever opened: bench_failed_screen.py) are imported on a worker when the pointer comes onto their tab: the
    click that follows finds the module imported, or waits for the rest of its import."""

    def __init__(self, queue: QueuePage, parent: QObject | None = None, *, then: Callable[[], object] | None = None) -> None:
        super().__init__(parent)
        self.queue = queue
        self.threads: list[threading.Thread] = []
        self.then = then
        self.steps: list[tuple[int, Callable[[], None]]] = [
            (FIRST_IDLE_MS, lambda: self._import(FIRST)),
            (FIRST_IDLE_MS, self._build),
        ]
        self.warmed: set[str] = set()  # the modules imported for a tab the pointer came onto
        self.tabs: QTabWidget | None = None
        self.finished = False
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

    def watch(self, tabs: QTabWidget) -> None:
        """Import a lazy tab's module when the pointer comes onto that tab (its page not built yet)."""
        self.tabs = tabs
        tabs.tabBar().setMouseTracking(True)
        tabs.tabBar().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if self.tabs is not None and event.type() in (QEvent.Type.MouseMove, QEvent.Type.HoverMove):
            bar = self.tabs.tabBar()
            page = self.tabs.widget(bar.tabAt(cast(QMouseEvent, event).position().toPoint()))
            module = page.module if isinstance(page, LazyPage) and page.built is None else None
            if module and module not in self.warmed and not self.finished:
                self.warmed.add(module)
                self._import((module,))
        return False

    def _import(self, modules: tuple[str, ...]) -> None:
        self.threads.extend(warm_import(m) for m in modules)

    def _build(self) -> None:
        if self.then is not None:
            then, self.then = self.then, None
            then()

    def finish(self) -> None:
        """Before the window closes: no import starts, and those running end (one cut off by the interpreter's exit
        crashed the process, exit -11)."""
        self.finished = True
        self.idle.stop()
        self.steps.clear()
        for thread in self.threads:
            thread.join(5)
