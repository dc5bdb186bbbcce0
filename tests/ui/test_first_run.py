"""First run, help and themes: the welcome screen, Help → Shortcuts / About, light and dark palettes."""

from __future__ import annotations

from contextlib import contextmanager

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from console import __version__, cli
from console.secrets.keys import NEEDED
from console.ui import theme
from console.ui.help import SHORTCUTS, ShortcutsDialog, about_text
from console.ui.main_window import MainWindow
from console.ui.welcome import CONNECT, DEMO, WelcomeDialog
from tests.ui.legible import assert_whole


def fresh_screen():
    """For a test that runs the whole app (cli.main): a window an earlier test in this process left open would
    keep app.exec() running after this run's window closes, and could be taken for it. Closes those, and
    returns what lists only the visible windows this run opens."""
    before = set(QApplication.topLevelWidgets())
    for stale in before:
        if stale.isVisible():
            stale.close()
    return lambda: [w for w in QApplication.topLevelWidgets() if w not in before and w.isVisible()]


@contextmanager
def stuck_guard(mine, after_ms: int = 60_000):
    """A journey stuck: its windows are closed after a minute, so the test fails instead of hanging. Stopped when
    the run ends: left running, it closed whatever window a later test in this process had open a minute on."""
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(lambda: [w.close() for w in mine()])
    guard.start(after_ms)
    try:
        yield
    finally:
        guard.stop()


def test_welcome_offers_the_demo(qtbot):
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == DEMO and not dialog.isVisible()


def test_connecting_first_lists_exactly_the_permissions_to_set(qtbot):
    dialog = WelcomeDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1
    shown = [dialog.permissions.item(r, 0).text() for r in range(dialog.permissions.rowCount())]
    assert shown == [label for _code, label, _why in NEEDED]
    assert_whole(qtbot, dialog.permissions, 1)
    qtbot.mouseClick(dialog.open_connect, Qt.MouseButton.LeftButton)
    assert dialog.choice == CONNECT


def test_a_new_user_who_picks_the_demo_reaches_the_demo_queue(qtbot, tmp_path, monkeypatch, process_hooks):
    """`churn-console` on a machine with no profile and no cache: welcome → Try the demo → the queue."""
    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    seen = {}
    mine = fresh_screen()

    def click_demo():
        dialog = next((w for w in mine() if isinstance(w, WelcomeDialog)), None)
        if dialog is None:
            QTimer.singleShot(50, click_demo)
            return
        seen["welcome"] = True
        dialog.demo_button.click()
        QTimer.singleShot(100, wait_for_queue)

    def wait_for_queue():
        window = next((w for w in mine() if isinstance(w, MainWindow)), None)
        if window is None or window.queue.model.rowCount() == 0 or window.runner.busy:
            QTimer.singleShot(100, wait_for_queue)
            return
        seen["rows"] = window.queue.model.rowCount()
        seen["badge"] = window.mode_badge.text()
        window.close()

    QTimer.singleShot(0, click_demo)
    with stuck_guard(mine):
        assert cli.main(["--data-dir", str(tmp_path)]) == 0
    assert seen.get("welcome") and seen.get("rows", 0) > 10 and seen["badge"] == "TEST MODE"
    info = next(tmp_path.rglob("demo-server.json"), None) or next(tmp_path.rglob("demo-sandbox.json"), None)
    assert info is not None  # the demo account lives in the data dir (its server's address, or the account once saved)


def test_help_lists_the_shortcuts_and_about_names_the_versions(qtbot, open_window, demo):
    window = open_window(demo)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    shortcuts, about = help_menu.actions()[:2]
    assert shortcuts.shortcut().toString() == "Ctrl+/"
    shortcuts.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ShortcutsDialog) and w.isVisible())
    assert dialog.table.rowCount() == len(SHORTCUTS)
    keys = {dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert {"F5", "Ctrl+Enter", "Ctrl+F", "Ctrl+K"} <= keys
    qtbot.waitExposed(dialog)
    table, font = dialog.table, dialog.table.font()
    room = table.columnViewportPosition(2) + table.columnWidth(2)
    assert room <= table.viewport().width()  # the last column whole in view, no scrolling sideways
    widest = max([table.item(r, 2).text() for r in range(table.rowCount())], key=QFontMetrics(font).horizontalAdvance)
    assert QFontMetrics(font).horizontalAdvance(widest) + 8 <= table.columnWidth(2), widest  # no line cut
    dialog.close()
    text = about_text()
    assert __version__ in text and "PySide6" in text and "Stripe SDK" in text and "not installed" not in text


def test_themes_follow_the_setting_and_the_os(qtbot, monkeypatch):
    app = QApplication.instance()
    monkeypatch.setenv(theme.THEME_ENV, "dark")
    theme.apply(app)
    assert app.property("colorScheme") == "dark"
    assert app.palette().window().color().lightness() < 60
    assert "errorBanner" in app.styleSheet() and "#3b1d1d" in app.styleSheet()
    # dark check boxes draw their own frame and mark: the style sheet names images that exist and load
    import re
    from pathlib import Path

    from PySide6.QtGui import QImage

    images = re.findall(r"url\(([^)]+)\)", app.styleSheet())
    assert images and "{resources}" not in app.styleSheet()
    assert all(Path(i).is_file() and not QImage(i).isNull() for i in images), images
    monkeypatch.setenv(theme.THEME_ENV, "light")
    theme.apply(app)
    assert app.property("colorScheme") == "light" and app.palette().window().color().lightness() > 200
    monkeypatch.setenv(theme.THEME_ENV, "system")
    theme.apply(app)  # offscreen reports no scheme: light
    assert theme.wanted_scheme(app) in ("light", "dark")
    assert not theme.app_icon().isNull() and len(theme.app_icon().availableSizes()) == len(theme.ICON_SIZES)


def test_a_new_user_who_picks_connect_reaches_the_connect_dialog(qtbot, tmp_path, monkeypatch, process_hooks):
    """welcome → Connect your Stripe account → the permissions → the connect dialog, over the main window."""
    from console.ui.dialogs.connect import ConnectDialog

    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    seen = {}
    mine = fresh_screen()

    def click_connect():
        dialog = next((w for w in mine() if isinstance(w, WelcomeDialog)), None)
        if dialog is None:
            QTimer.singleShot(50, click_connect)
            return
        dialog.connect_button.click()
        seen["permissions"] = dialog.permissions.rowCount()
        dialog.open_connect.click()
        QTimer.singleShot(100, wait_for_connect_dialog)

    def wait_for_connect_dialog():
        found = next((w for w in mine() if isinstance(w, ConnectDialog)), None)
        if found is None:
            QTimer.singleShot(100, wait_for_connect_dialog)
            return
        seen["connect"] = found.windowTitle()
        found.reject()
        for window in mine():
            if isinstance(window, MainWindow):
                window.close()

    QTimer.singleShot(0, click_connect)
    assert cli.main(["--data-dir", str(tmp_path)]) == 0
    assert seen.get("permissions") == len(NEEDED) and seen.get("connect")


def test_first_run_all_the_way_welcome_connect_session_only_key_queue(qtbot, tmp_path, monkeypatch, process_hooks, demo):
    """`churn-console` with nothing set up: welcome → Connect your Stripe account → Open the connect dialog →
    the key and server typed → Verify → "Use for this session only" → the queue, from the account's own data."""
    from PySide6.QtTest import QTest

    from console.ui.dialogs.connect import ConnectDialog

    monkeypatch.delenv("STRIPE_API_KEY", raising=False)
    seen: dict = {}
    mine = fresh_screen()

    def welcome():
        dialog = next((w for w in mine() if isinstance(w, WelcomeDialog)), None)
        if dialog is None:
            QTimer.singleShot(50, welcome)
            return
        QTest.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
        QTest.mouseClick(dialog.open_connect, Qt.MouseButton.LeftButton)
        QTimer.singleShot(100, connect)

    def connect():
        found = next((w for w in mine() if isinstance(w, ConnectDialog)), None)
        if found is None:
            QTimer.singleShot(100, connect)
            return
        found.key.setFocus()
        QTest.keyClicks(found.key, demo.key)
        found.api_base.setFocus()
        QTest.keyClicks(found.api_base, demo.url)
        QTest.mouseClick(found.verify_button, Qt.MouseButton.LeftButton)
        QTimer.singleShot(100, lambda: session_only(found))

    def session_only(found):
        if not found.session_button.isEnabled():
            QTimer.singleShot(100, lambda: session_only(found))
            return
        QTest.mouseClick(found.session_button, Qt.MouseButton.LeftButton)
        QTimer.singleShot(100, queue)

    def queue():
        window = next((w for w in mine() if isinstance(w, MainWindow)), None)
        if window is None or window.queue.model.rowCount() == 0 or window.runner.busy:
            QTimer.singleShot(100, queue)
            return
        seen["rows"] = window.queue.model.rowCount()
        seen["account"] = window.workspace.account.id
        window.close()

    QTimer.singleShot(0, welcome)
    with stuck_guard(mine):
        assert cli.main(["--data-dir", str(tmp_path)]) == 0
    assert seen.get("rows", 0) > 5 and seen["account"] == demo.state.account["id"]
    assert demo.key not in "".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
