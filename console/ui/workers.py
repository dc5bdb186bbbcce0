"""Run blocking work (network, disk) on the thread pool and report back through signals."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ..errors import ConsoleError, redact

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class Task(QRunnable):
    """One call of `fn` off the GUI thread; `done(result)` or `failed(ConsoleError)` on the GUI thread."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except ConsoleError as exc:
            self._report(self.signals.failed, exc)
        except Exception as exc:  # a bug: report it instead of dying silently in a worker
            log.exception("background task failed")
            error = ConsoleError(f"Unexpected error: {redact(str(exc)) or type(exc).__name__}", "See the log file for details.")
            self._report(self.signals.failed, error)
        else:
            self._report(self.signals.done, result)

    def _report(self, signal: Any, value: Any) -> None:
        """Emit unless the application is already gone (a task finishing after the window closed)."""
        if shiboken6.isValid(self.signals):
            try:
                signal.emit(value)
            except RuntimeError:
                log.debug("a background task finished after its receiver was deleted")


class Runner(QObject):
    """Keeps tasks alive until they report, so their signals are never lost."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._live: set[Task] = set()
        self._side: set[Task] = set()
        self.pool = QThreadPool.globalInstance()  # side work: reads, lookups, orders made ahead
        # The refresh cycle (connect, sync) has a thread of its own: behind a large queue's read and the lookups in
        # the shared pool (two threads on two cores), a failed connect's banner came 4 s late (bench_screen.py).
        self.cycle = QThreadPool(self)
        self.cycle.setMaxThreadCount(1)

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[ConsoleError], None]) -> Task:
        task = Task(fn)
        self._live.add(task)

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._live.discard(task)  # before the callback, so it may submit the next task
            if shiboken6.isValid(self):  # the window may have closed while the task ran
                callback(value)

        task.signals.done.connect(lambda result: finish(on_done, result))
        task.signals.failed.connect(lambda error: finish(on_error, error))
        self.cycle.start(task)
        return task

    def submit_side(
        self, fn: Callable[[], Any], on_done: Callable[[Any], None], on_error: Callable[[ConsoleError], None]
    ) -> Task:
        """Work that may overlap the refresh cycle (e.g. the detail pane's lookups): not counted as busy."""
        task = Task(fn)
        self._side.add(task)

        def finish(callback: Callable[[Any], None], value: Any) -> None:
            self._side.discard(task)
            if shiboken6.isValid(self):
                callback(value)

        task.signals.done.connect(lambda result: finish(on_done, result))
        task.signals.failed.connect(lambda error: finish(on_error, error))
        self.pool.start(task)
        return task

    def wait(self, ms: int) -> None:
        """Wait for every task to finish (the window closing, a test's end)."""
        self.cycle.waitForDone(ms)
        self.pool.waitForDone(ms)

    @property
    def busy(self) -> bool:
        return bool(self._live)


class ProgressRelay(QObject):
    """Carries progress callbacks from a worker thread to the GUI thread (a queued signal)."""

    progress = Signal(int, object, str)

    def __call__(self, done: int, total: int | None, message: str) -> None:
        self.progress.emit(done, total, message)


def warm_import(module: str) -> threading.Thread:
    """Import `module` on a thread of its own, for the GUI thread to find it imported when it asks (a later import
    on the GUI thread waits for this one, under Python's import lock, then returns it). Importing holds the
    interpreter only a few milliseconds at a time, so the window stays responsive meanwhile. A failure is left for
    that later import to raise where it is handled."""

    def run() -> None:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - raised again, and reported, by the GUI thread's own import
            log.debug("warm import of %s failed", module, exc_info=True)

    thread = threading.Thread(target=run, name=f"import-{module}", daemon=True)
    thread.start()
    return thread
