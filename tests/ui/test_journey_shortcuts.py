"""Every shortcut Help → Keyboard shortcuts lists, pressed on the focused widget (Qt resolves it) and seen to do
what the list says. A shortcut added to the list without a test here fails the last test."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.ui.dialogs.consent import ConsentDialog
from console.ui.dialogs.offer_forms import CouponDialog
from console.ui.help import SHORTCUTS, ShortcutsDialog
from console.ui.preferences import PreferencesDialog

from .gestures import acted, active, admin, answer, click_row, keys, sequence, shown


def pressed(*cells: str) -> None:
    """Names the "Keys" cells of SHORTCUTS a test pressed (the last test reads these names in this file)."""


def opened(qtbot, kind, seen: list, close=lambda d: QTest.keyClick(d, Qt.Key.Key_Escape)):
    answer(kind, lambda d: (seen.append(d), close(d)))


def consent_summary(dialog: ConsentDialog) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in dialog.findChildren(QLabel))


def test_everywhere_shortcuts(qtbot, open_window, demo):
    window = open_window(demo)
    active(qtbot, window)
    with qtbot.waitSignal(window.synced, timeout=20000):
        sequence(window, "F5")
    pressed("F5")
    seen: list = []
    opened(qtbot, PreferencesDialog, seen)
    sequence(window, "Ctrl+,")
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    pressed("Ctrl+,")
    active(qtbot, window)
    sequence(window, "Ctrl+/")
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ShortcutsDialog)), timeout=5000)
    listed = next(d for d in window.findChildren(ShortcutsDialog) if d.isVisible())
    assert listed.table.rowCount() == len(SHORTCUTS)
    listed.reject()
    pressed("Ctrl+/")
    active(qtbot, window)
    sequence(window, "Ctrl+Q")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    pressed("Ctrl+Q")


def test_queue_navigation_shortcuts(qtbot, open_window, demo):
    window = open_window(demo)
    active(qtbot, window)
    queue = window.queue
    sequence(window, "Ctrl+F")
    assert QApplication.focusWidget() is queue.filters.search
    pressed("Ctrl+F")
    keys(window, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is queue.table and queue.table.currentIndex().row() == 0
    pressed("↓ (in the search box)")
    keys(window, Qt.Key.Key_Down)
    keys(window, Qt.Key.Key_Down)
    assert queue.table.currentIndex().row() == 2
    keys(window, Qt.Key.Key_Up)
    assert queue.table.currentIndex().row() == 1 and queue.detail.title.text() == shown(window)[1].display_name
    pressed("↑ / ↓")
    # the rep dragged the detail pane shut; Enter opens it again and puts the focus in it
    handle = queue.splitter.handle(1)
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, pos=QPoint(handle.width() // 2, 1))
    QTest.mouseMove(handle, QPoint(handle.width() // 2, queue.splitter.height()))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=QPoint(handle.width() // 2, queue.splitter.height()))
    qtbot.waitUntil(lambda: queue.splitter.sizes()[1] < 160, timeout=5000)
    queue.table.setFocus()
    keys(window, Qt.Key.Key_Return)
    assert queue.splitter.sizes()[1] >= 160 and queue.detail.hasFocus()
    pressed("Enter")


def test_offer_shortcuts_open_the_consent_for_what_they_name(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    at = next(i for i, r in enumerate(shown(window)) if window.recommendation(r).kind == "coupon")
    click_row(window.queue.table, at)
    row = window.queue.selected_rows()[0]
    posts = [e for e in demo.log if e.method == "POST"]
    for keys_text, words in (
        ("Ctrl+Enter", window.recommendation(row).describe({c.id: c for c in window.coupons()})),
        ("Ctrl+1", "Pause 1 month for"),
        ("Ctrl+2", "Pause 2 months for"),
        ("Ctrl+3", "Pause 3 months for"),
        ("Ctrl+R", "Revoke"),
    ):
        seen: list = []
        opened(qtbot, ConsentDialog, seen)  # Esc: nothing is sent
        active(qtbot, window)
        sequence(window, keys_text)
        qtbot.waitUntil(lambda seen=seen: bool(seen) and QApplication.activeModalWidget() is None, timeout=5000)
        assert words.lower() in consent_summary(seen[0]).lower(), (keys_text, consent_summary(seen[0]))
    assert [e for e in demo.log if e.method == "POST"] == posts
    pressed("Ctrl+Enter", "Ctrl+1 / Ctrl+2 / Ctrl+3", "Esc")
    seen = []
    opened(qtbot, CouponDialog, seen)
    active(qtbot, window)
    sequence(window, "Ctrl+K")
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    pressed("Ctrl+K")


def test_revoke_by_keyboard_confirmed_by_enter_then_undone_with_ctrl_z(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    click_row(window.queue.table, 0)
    row = window.queue.selected_rows()[0]
    answer(ConsentDialog, lambda d: QTest.keyClick(d.note, Qt.Key.Key_Return))
    with acted(qtbot, window):
        sequence(window, "Ctrl+R")
    assert not admin(demo).v1.subscriptions.retrieve(row.subscription_id).cancel_at_period_end
    pressed("Ctrl+R", "Enter")
    active(qtbot, window)
    with acted(qtbot, window):
        sequence(window, "Ctrl+Z")
    back = admin(demo).v1.subscriptions.retrieve(row.subscription_id)
    assert back.cancel_at_period_end or back.cancel_at
    pressed("Ctrl+Z")


def test_ctrl_l_copies_a_portal_link(qtbot, open_window, demo):
    window = open_window(demo)
    active(qtbot, window)
    click_row(window.queue.table, 0)
    QGuiApplication.clipboard().setText("")
    sequence(window, "Ctrl+L")
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith(demo.url), timeout=10000)
    assert "copied" in window.queue.action_bar.status.text()
    pressed("Ctrl+L")


def test_the_save_desk_by_keyboard_take_release_note_and_write(qtbot, open_window, demo):
    """Ctrl+T, Ctrl+Shift+T, Ctrl+N (type, Tab, Space ticks "Follow up on", Enter saves), Ctrl+E: each fires its
    desk action on the selected row, as the buttons do; and each button has its mnemonic."""
    from console.ui.dialogs.desk import NoteDialog, OutreachDialog

    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    click_row(window.queue.table, 1)
    row = window.queue.selected_rows()[0]
    model = window.queue.model

    def desk_of():
        return model.rows[model.row_of(row.subscription_id)].desk

    sequence(window, "Ctrl+T")
    qtbot.waitUntil(lambda: desk_of().owner == "Dana (CS)", timeout=20000)
    assert admin(demo).v1.subscriptions.retrieve(row.subscription_id).metadata["churn_console_desk_owner"] == "Dana (CS)"
    pressed("Ctrl+T")
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    active(qtbot, window)
    sequence(window, "Ctrl+Shift+T")
    qtbot.waitUntil(lambda: desk_of().owner == "", timeout=20000)
    pressed("Ctrl+Shift+T")
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)

    def note_by_keys(dialog: NoteDialog) -> None:
        QTest.keyClicks(dialog.text, "Called, will think it over")
        QTest.keyClick(dialog.text, Qt.Key.Key_Tab)  # out of the text, onto "Follow up on"
        assert QApplication.focusWidget() is dialog.follow
        QTest.keyClick(dialog.follow, Qt.Key.Key_Space)
        assert dialog.follow.isChecked() and dialog.date.isEnabled()
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    answer(NoteDialog, note_by_keys)
    active(qtbot, window)
    sequence(window, "Ctrl+N")
    qtbot.waitUntil(lambda: desk_of().note == "Called, will think it over" and desk_of().follow_up is not None, timeout=20000)
    pressed("Ctrl+N")
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    seen: list = []
    answer(OutreachDialog, lambda d: (seen.append(d), d.reject()))
    active(qtbot, window)
    sequence(window, "Ctrl+E")
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    pressed("Ctrl+E")
    texts = {k: b.text() for k, b in window.queue.desk.buttons.items()}
    assert texts == {"take": "&Take", "release": "Re&lease", "note": "&Note…", "write": "&Write to customer…"}


def test_the_failed_payments_tabs_keys(qtbot, open_window, demo):
    """Ctrl+Shift+P asks how the customer paid (Escape: nothing is sent); Ctrl+T takes the row and Ctrl+Shift+T gives it
    back, as on the queue; Ctrl+Shift+U asks for the customer's consent to a pause (Ctrl+R, Ctrl+E and Ctrl+F on this tab: tests/ui/test_failed_tab.py)."""
    from PySide6.QtWidgets import QDialog

    from tests.ui.gestures import click_tab
    from tests.ui.test_failed_tab import at, failing

    [(sub_id, invoice)] = failing(demo, {})
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    click_tab(window, window.failed_tab)
    page = window.failed_page
    qtbot.waitUntil(lambda: page.settled and page.model.rowCount() > 0, timeout=20000)
    click_row(page.table, at(page, sub_id))
    seen: list = []
    opened(qtbot, QDialog, seen)
    sequence(window, "Ctrl+Shift+P")
    pressed("Ctrl+Shift+P")
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert admin(demo).v1.invoices.retrieve(invoice).status == "open"  # escaped: nothing sent
    active(qtbot, window)
    page.table.setFocus()
    sequence(window, "Ctrl+T")
    qtbot.waitUntil(lambda: bool(page.selected_rows()) and page.selected_rows()[0].desk.owner == "Dana (CS)", timeout=20000)
    sequence(window, "Ctrl+Shift+T")
    pressed("Ctrl+T / Ctrl+Shift+T / Ctrl+N")
    qtbot.waitUntil(lambda: bool(page.selected_rows()) and not page.selected_rows()[0].desk.owner, timeout=20000)
    active(qtbot, window)
    page.table.setFocus()
    asked: list = []
    opened(qtbot, QDialog, asked)
    sequence(window, "Ctrl+Shift+U")  # Pause instead…: the consent step (escaped: nothing is sent; Ctrl+Z and the
    pressed("Ctrl+Shift+U")  # pause itself: tests/ui/test_failed_tab.py)
    qtbot.waitUntil(lambda: bool(asked), timeout=10000)
    assert admin(demo).v1.invoices.retrieve(invoice).status == "open"


def test_text_size_shortcuts(qtbot, open_window, demo, text_zoom):
    """Ctrl++ (or Ctrl+=, the same key unshifted), Ctrl+- and Ctrl+0: the queue's text a step larger, smaller, and
    back to the system's size; the same actions as View → Text size (tests/ui/test_text_size.py)."""
    from console.ui import text_size

    window = open_window(demo)
    active(qtbot, window)
    table = window.queue.table
    normal = table.font().pointSizeF()
    for shortcut, zoom in (("Ctrl++", 1.1), ("Ctrl+=", 1.25), ("Ctrl+-", 1.1), ("Ctrl+-", 1.0), ("Ctrl+-", 0.9)):
        sequence(window, shortcut)
        qtbot.waitUntil(lambda zoom=zoom: text_size.zoom() == zoom, timeout=3000)
        assert table.font().pointSizeF() == pytest.approx(normal * zoom, abs=0.05), shortcut
    sequence(window, "Ctrl+0")
    qtbot.waitUntil(lambda: text_size.zoom() == 1.0, timeout=3000)
    assert table.font().pointSizeF() == normal
    pressed("Ctrl++ / Ctrl+- / Ctrl+0")


def test_every_listed_shortcut_was_pressed_above():
    """Runs last in this module (pytest keeps file order; xdist sends a module's tests to one worker only with
    --dist loadfile, so the check reads the list itself, not the other tests' record)."""
    listed = {keys for _, keys, _ in SHORTCUTS}
    source = open(__file__, encoding="utf-8").read()
    missing = {k for k in listed if f'"{k}"' not in source.split("def test_every_listed_shortcut")[0]}
    assert not missing, f"shortcuts in Help → Keyboard shortcuts with no test pressing them: {sorted(missing)}"
