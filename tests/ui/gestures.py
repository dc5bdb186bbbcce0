"""What a person does to the window, for the journey tests: keys to the focused widget, clicks on widgets,
rows, headers, tabs, list items and menu items, and answers to modal dialogs as they open."""

from __future__ import annotations

from contextlib import contextmanager

import stripe
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from console.ui.queue.model import ROW_ROLE


def admin(sb):
    """The sandbox read back with the SDK and its admin key (the Stripe side of a journey)."""
    return stripe.StripeClient(sb.secret_key, base_addresses={"api": sb.url})


def shown(window) -> list:
    """The queue rows in the order the table shows them."""
    proxy = window.queue.proxy
    return [proxy.data(proxy.index(i, 0), ROW_ROLE) for i in range(proxy.rowCount())]


TEST = [0]  # which test is running: bumped after each (tests/ui/conftest.py), so no answer outlives its test
STUCK: list[str] = []  # dialogs an answer acted on that were still open 10 s later (closed, and the test fails)


def answer(kind, act, seen: list | None = None):
    """When a modal dialog of `kind` opens (during this test), act on it as a person at the keyboard would."""
    test = TEST[0]

    def poll():
        if TEST[0] != test:
            return
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind) and dialog.isVisible() and (seen is None or dialog not in seen):
            if seen is not None:
                seen.append(dialog)
            QTimer.singleShot(30, lambda: when_focused(dialog, act))  # shown, laid out and focused, as a person sees it
            QTimer.singleShot(10_000, lambda: unstick(dialog))
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def when_focused(dialog, act, tries: int = 100) -> None:
    """Act on the dialog once the keyboard focus is inside it: a platform that is slow to activate a new window
    (offscreen under load) would send the keys to the window behind. Asked to the front again while waiting; after
    2 s it acts anyway, so a dialog that never takes focus fails on what the act asserts, not on a hang."""
    from shiboken6 import isValid

    if not isValid(dialog) or not dialog.isVisible():
        return
    focus = QApplication.focusWidget()
    if (focus is not None and dialog.isAncestorOf(focus)) or focus is dialog or tries <= 0:
        act(dialog)
        return
    dialog.activateWindow()
    QTimer.singleShot(20, lambda: when_focused(dialog, act, tries - 1))


def unstick(dialog) -> None:
    """A dialog the test answered but that did not close: say which, and close it, so the test fails instead of
    waiting forever on a modal loop."""
    from shiboken6 import isValid

    if isValid(dialog) and dialog.isVisible() and QApplication.activeModalWidget() is dialog:
        STUCK.append(f"{type(dialog).__name__} {dialog.windowTitle()!r} stayed open after it was answered")
        dialog.reject()


def answer_box(button: QMessageBox.StandardButton, seen: list | None = None):
    """When a question box opens, record its text and click `button`."""

    def act(box: QMessageBox) -> None:
        QTest.mouseClick(box.button(button), Qt.MouseButton.LeftButton)

    answer(QMessageBox, act, seen)


def keys(window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press to whatever has focus in the window, as the keyboard sends it."""
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, key, modifier)


def sequence(window, text: str) -> None:
    """A shortcut as written in Help → Keyboard shortcuts ("Ctrl+Shift+F"), pressed on the focused widget."""
    from PySide6.QtGui import QKeySequence

    combo = QKeySequence(text)[0]
    target = QApplication.focusWidget() or window
    QTest.keyClick(target, combo.key(), combo.keyboardModifiers())


def active(qtbot, window) -> None:
    """Bring the window to the front, as a click on its title bar does: asked again until it is (a window the
    platform was still mapping can drop the first request), and if it never is, say what holds the front."""

    def front() -> bool:
        if not window.isActiveWindow():
            window.raise_()
            window.activateWindow()
        return window.isActiveWindow()

    try:
        qtbot.waitUntil(front, timeout=5000)
    except Exception as exc:
        held = QApplication.activeModalWidget() or QApplication.activePopupWidget() or QApplication.activeWindow()
        shown = [f"{type(w).__name__} {w.windowTitle()!r}" for w in QApplication.topLevelWidgets() if w.isVisible()]
        raise AssertionError(f"the window never came to the front: {held!r} holds it; on screen: {shown}") from exc


def click(widget, pos: QPoint | None = None) -> None:
    if pos is None:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    else:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def tick(box) -> None:
    """Click a check box on its indicator, where a person aims (the widget may be wider than its text)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    click(box, rect.center())


def click_tab(window, page) -> None:
    """The tab of `page`: the page itself, or the holder of a page built when its tab is first shown (ui/lazy_page.py)."""
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(page)
    if index < 0:
        index = window.tabs.indexOf(page.parentWidget())
    assert index >= 0, f"{page!r} is in no tab"
    click(bar, bar.tabRect(index).center())


def click_row(view, row: int, column: int = 0, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    view.scrollTo(view.model().index(row, column))
    pos = view.visualRect(view.model().index(row, column)).center()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, modifier, pos)


def click_list_item(widget, row: int) -> None:
    item = widget.item(row)
    widget.scrollToItem(item)
    click(widget.viewport(), widget.visualItemRect(item).center())


def click_header(view, column: int) -> None:
    header = view.horizontalHeader()
    pos = QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)
    click(header.viewport(), pos)


def retype(widget, text: str) -> None:
    """Click into a field, select what is there and type over it."""
    widget.setFocus()
    click(widget)
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


def choose_menu_item(qtbot, button, menu, text_start: str) -> None:
    """Open a tool button's menu with the mouse and click the item whose text starts with `text_start`."""
    item = next(a for a in menu.actions() if a.text().startswith(text_start))
    test, tries, picked = TEST[0], [250], []

    def pick() -> None:  # as soon as the menu is up: a press on an instant-popup button may run the menu's own loop
        if TEST[0] != test or tries[0] <= 0:
            return
        if menu.isVisible():
            picked.append(item)
            click(menu, menu.actionGeometry(item).center())
        else:
            tries[0] -= 1
            QTimer.singleShot(20, pick)

    QTimer.singleShot(0, pick)
    click(button)
    qtbot.waitUntil(lambda: bool(picked) and not menu.isVisible(), timeout=5000)


def choose_from_menu_bar(qtbot, window, *path: str) -> None:
    """Open a menu of the menu bar by its title and choose an item, as with the mouse."""
    bar = window.menuBar()
    top = next(a for a in bar.actions() if a.text().replace("&", "") == path[0])
    click(bar, bar.actionGeometry(top).center())
    menu = top.menu()
    qtbot.waitUntil(menu.isVisible, timeout=5000)
    for name in path[1:]:
        item = next(a for a in menu.actions() if a.text().replace("&", "").split("\t")[0] == name)
        click(menu, menu.actionGeometry(item).center())
        if item.menu() is not None:
            menu = item.menu()
            qtbot.waitUntil(menu.isVisible, timeout=5000)


def answer_file_dialog(path, seen: list | None = None, kind: str | None = None):
    """Answer the next file dialog (save or open) as a person does: type the path into "File name", press Enter.
    `seen` gets the folder the dialog opened in; `kind`, the file type to pick in its type list first."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QFileDialog, QLineEdit
    from shiboken6 import isValid

    def act(dialog: QFileDialog) -> None:
        if seen is not None:
            seen.append(dialog.directory().absolutePath())
        if kind is not None:
            dialog.selectNameFilter(kind)
        paste(dialog)
        settle(dialog, 20)

    def paste(dialog: QFileDialog) -> None:
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        popup = name.completer().popup() if name.completer() is not None else None
        if popup is not None and popup.isVisible():
            QTest.keyClick(popup, Qt.Key.Key_Escape)  # a completion list in the way: dismissed first
        name.setFocus()
        QTest.keyClick(name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        # pasted, not typed: typed "/dev/" makes the dialog step into that folder as the completion catches up
        QGuiApplication.clipboard().setText(str(path))
        QTest.keyClick(name, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    def chosen(dialog: QFileDialog) -> str:
        text = dialog.findChild(QLineEdit, "fileNameEdit").text()
        return text if text.startswith("/") else f"{dialog.directory().absolutePath().rstrip('/')}/{text}"

    def settle(dialog: QFileDialog, tries: int) -> None:
        # the first dialog of a process reads folders on a thread: when the pasted path's folder has been read, its
        # completion may replace the field with the file's bare name; a person sees it and pastes the path again
        if not (isValid(dialog) and dialog.isVisible()):
            return
        if chosen(dialog) != str(path):
            if tries <= 1:  # leave it open: the test fails and says what the field held
                STUCK.append(f"the file dialog holds {chosen(dialog)!r}, not {str(path)!r}")
                return
            paste(dialog)
            QTimer.singleShot(100, lambda: settle(dialog, tries - 1))
            return
        QTimer.singleShot(100, lambda: enter(dialog, 6) if chosen(dialog) == str(path) else settle(dialog, tries - 1))

    def enter(dialog: QFileDialog, tries: int) -> None:
        # the name field completes as you type: once the folder has been read, an Enter may go to the completion
        # pop-up first and the next one saves, as for a person typing quickly; so Enter until the dialog closes
        if not (isValid(dialog) and dialog.isVisible()):
            return
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        popup = name.completer().popup() if name is not None and name.completer() is not None else None
        QTest.keyClick(popup if popup is not None and popup.isVisible() else (name or dialog), Qt.Key.Key_Return)
        if tries > 1:
            QTimer.singleShot(150, lambda: enter(dialog, tries - 1))

    answer(QFileDialog, act)


@contextmanager
def acted(qtbot, window, *, queue: bool = True, timeout: int = 20000):
    """Wait for an action's answer and the pages refreshed from what it changed, as a person sees the row go and
    the journal line appear (the refresh runs on a worker after the answer). `queue=False` for a contact, which
    changes nothing in Stripe."""
    # in the order they came: a page's refresh from before the answer (the first sync's, still on its worker)
    # does not count, only one after it
    seen: list[str] = []
    hooks = [
        (window.controller.applied, lambda *_: seen.append("applied")),
        (window.journal_page.refreshed, lambda: seen.append("journal")),
        (window.queue.refreshed, lambda: seen.append("queue")),
    ]
    for signal, hook in hooks:
        signal.connect(hook)
    try:
        with qtbot.waitSignal(window.controller.applied, timeout=timeout) as blocker:
            yield blocker

        def refreshed_after() -> bool:
            after = seen[seen.index("applied") + 1 :] if "applied" in seen else []
            return "journal" in after and (not queue or "queue" in after)

        qtbot.waitUntil(refreshed_after, timeout=timeout)
    finally:
        for signal, hook in hooks:
            signal.disconnect(hook)


def outcomes_drawn(qtbot, page) -> None:
    """The Outcomes tab's read or draw, done on its worker, is on screen (after it is shown, or a range, currency
    or cache change)."""
    qtbot.waitUntil(lambda: not page.busy and page.report is not None, timeout=20000)
