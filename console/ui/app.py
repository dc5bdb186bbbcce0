"""Start the Qt application: the window, its theme, and a headless smoke mode."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from .. import __version__
from ..domain.text import terminal
from ..services.connection import Connection
from ..services.keys import KeyService
from . import theme
from .crash_dialog import CrashNotifier
from .main_window import MainWindow
from .signals import SignalEnd
from .welcome import WelcomeDialog


def settle_heap() -> None:
    """Take what start-up allocated (Qt bindings, the SDK's classes, the cached queue) out of the
    garbage collector's reach: each full collection then walks only what a sync allocates, and
    the GUI thread no longer stalls 50-100 ms for each one (measured by tests/benchmarks/bench_ui.py)."""
    gc.collect()
    gc.freeze()


SWITCH_INTERVAL_S = 0.0005


def application() -> QApplication:
    """The one QApplication, named, themed and with its icon (created on first use)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # never a QCoreApplication: this process shows windows
    if not app.property("churnConfigured"):
        # The GUI thread paints the table through the model's Python data(): one call per cell and role, each taking
        # the GIL back from a worker still reading the queue. Python hands the GIL over only after the switch
        # interval (5 ms), so a repaint during a 200,000-row read waited 1.4-2.4 s (py-spy --native: the GUI thread in
        # Shiboken::GilState::acquire under QTableView::paintEvent). At 0.5 ms the same repaint waits about 0.3 s,
        # and the read took no longer (bench_screen.py; a heartbeat under Xvfb while typing during the read).
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        app.setApplicationName("Churn Console")
        app.setApplicationVersion(__version__)
        app.setOrganizationName("churn-console")
        app.setDesktopFileName("churn-console")  # matches resources/churn-console.desktop
        theme.apply(app)
        app.setProperty("churnConfigured", True)
    return app


def first_run_choice() -> str | None:
    """The welcome screen: "demo", "connect", or None when the user closed it."""
    application()
    dialog = WelcomeDialog()
    dialog.exec()
    return dialog.choice


def run(
    connect: Callable[[], Connection],
    data_dir: Path,
    *,
    keys: KeyService | None = None,
    smoke: bool = False,
    screenshot: str | None = None,
    log_dir: Path | None = None,
) -> int:
    """Open the main window; with `smoke`, exit 0 once the data has loaded (1 on failure)."""
    app = application()
    notifier = CrashNotifier(log_dir or data_dir / "logs")  # noqa: F841 - lives as long as the app runs
    window = MainWindow(connect, data_dir, keys=keys)
    settle_heap()  # before the window is shown: collecting after it would hold up its first paint (a black window)
    window.show()
    if smoke or screenshot:
        status = {"code": 1}

        def finish(code: int) -> None:
            status["code"] = code
            if screenshot:
                window.grab().save(screenshot)
            window.close()
            app.quit()

        def loaded(_ov: object) -> None:
            if not window.queue.model.rowCount():  # a smoke test passes only with the queue on screen
                print("churn-console: the window opened but the queue is empty", file=sys.stderr)
                finish(1)
                return
            window.queue.table.selectRow(0)  # so the detail pane shows a customer
            QTimer.singleShot(800, lambda: finish(0))

        def failed(error: object) -> None:
            print(f"churn-console: the smoke test failed: {terminal(str(error))}", file=sys.stderr)
            finish(1)

        def timed_out() -> None:
            print("churn-console: the smoke test failed: the data did not load within 60 s", file=sys.stderr)
            finish(1)

        window.overview_loaded.connect(loaded)
        window.load_failed.connect(failed)
        QTimer.singleShot(60_000, timed_out)
        app.exec()
        return status["code"]
    ending = SignalEnd(window)  # Ctrl+C and SIGTERM end the window as File → Quit does
    try:
        return app.exec()
    finally:
        ending.restore()
