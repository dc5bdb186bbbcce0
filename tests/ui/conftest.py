"""UI fixtures: a sandbox, and a main window connected to it with its own data dir."""

from __future__ import annotations

import pytest

from console.sandbox.app import Sandbox
from console.services.connection import Connection
from console.stripe_gateway import StripeGateway
from console.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _a_clean_screen(qapp):
    """Each test starts with no window of an earlier one on screen: a window left open (a dialog a failed test
    never closed) would take the activation and the focus this test's window asks for."""
    for widget in qapp.topLevelWidgets():
        if widget.isVisible():
            widget.close()
    yield


@pytest.fixture(autouse=True)
def _answers_end_with_their_test():
    from . import gestures

    gestures.STUCK.clear()
    yield
    gestures.TEST[0] += 1
    assert not gestures.STUCK, gestures.STUCK


@pytest.fixture
def demo():
    with Sandbox(seed=5, customers=120) as sb:
        yield sb


@pytest.fixture
def open_window(qtbot, tmp_path):
    """open_window(sandbox, url=None) -> a shown MainWindow whose first sync has finished (or failed)."""
    made = []

    def make(sb, url=None, retries=0, wait=True):
        target = url or sb.url
        window = MainWindow(
            lambda: Connection(StripeGateway(sb.key, target, max_retries=retries), f"sandbox at {target}", label="Acme profile"),
            tmp_path,
        )
        made.append(window)
        qtbot.addWidget(window, before_close_func=answer_discard)  # pytest-qt closes it after the test
        finished = []
        window.synced.connect(finished.append)
        window.sync_failed.connect(finished.append)
        window.show()
        if wait:
            qtbot.waitUntil(lambda: bool(finished) and not window.runner.busy, timeout=30000)
        return window

    yield make
    for window in made:
        answer_discard(window)
        window.close()


def answer_discard(window) -> None:
    """Before closing: answer "Discard" if the window asks about unsaved portal edits, as a user would."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.button(QMessageBox.StandardButton.Discard) is not None:
            box.button(QMessageBox.StandardButton.Discard).click()
        elif window.isVisible():
            QTimer.singleShot(20, answer)

    QTimer.singleShot(0, answer)


@pytest.fixture
def text_zoom(monkeypatch):
    """The light theme applied (its style sheet is what View → Text size scales), and the text back at the system's
    size afterwards: the zoom is the application's, not one window's."""
    from PySide6.QtWidgets import QApplication

    from console.ui import text_size, theme

    app = QApplication.instance()
    monkeypatch.setenv(theme.THEME_ENV, "light")
    theme.apply(app)
    yield
    theme.set_zoom(app, 1.0)
    assert text_size.zoom() == 1.0
