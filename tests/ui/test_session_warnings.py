"""A whole demo session raises no Qt threading warning ("QBasicTimer::start: Timers cannot be started from another
thread", "QObject: Cannot create children for a parent that is in a different thread", …): each means a Qt object
was touched from a worker thread, which Qt does not allow and which can crash (issue "One story…", point 5)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QtMsgType, qInstallMessageHandler

from console.ui.dialogs.consent import ConsentDialog
from tests.ui.gestures import active, answer, click_row, click_tab, sequence, shown

THREADING = ("another thread", "different thread", "from another thread", "Cannot create children", "moveToThread")


@pytest.fixture
def qt_messages():
    """Every message Qt prints during the test, with the thread that printed it."""
    seen: list[tuple[str, str]] = []

    def handler(kind, _context, message) -> None:
        if kind != QtMsgType.QtDebugMsg:
            seen.append((threading.current_thread().name, message))

    previous = qInstallMessageHandler(handler)
    yield seen
    qInstallMessageHandler(previous)


def test_a_demo_session_raises_no_qt_threading_warning(qtbot, open_window, demo, qt_messages):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    for page in (window.outcomes_tab, window.overview, window.journal_page, window.portal_page, window.queue):
        click_tab(window, page)  # the Outcomes page is made (and pyqtgraph imported) when first shown
        qtbot.wait(200)
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    at = next(i for i, r in enumerate(shown(window)) if window.recommendation(r).kind == "coupon")
    click_row(window.queue.table, at)
    answer(ConsentDialog, lambda d: d.ok.click())
    with qtbot.waitSignal(window.controller.applied, timeout=20000):
        sequence(window, "Ctrl+Enter")  # a save, then the refresh it announces
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.refresh()
    click_tab(window, window.outcomes_tab)
    qtbot.wait(300)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    threading_warnings = [m for m in qt_messages if any(t in m[1] for t in THREADING)]
    assert threading_warnings == [], threading_warnings
