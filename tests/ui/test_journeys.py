"""User journeys driven only as a person drives the window: keys sent to the focused widget (shortcuts resolved
by Qt), menus opened and their items chosen, clicks on headers, typing into fields, dialogs answered by keyboard.
No page method is called and no signal emitted by the test."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.ui.dialogs.consent import ConsentDialog
from console.ui.dialogs.offer_forms import CouponDialog, PauseDialog

from .gestures import acted, active, admin, answer, choose_menu_item, keys, shown


def type_note_and_enter(note: str):
    def act(dialog: ConsentDialog) -> None:
        QTest.keyClicks(dialog.note, note)
        QTest.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter confirms (the default button)

    return act


def test_rep_searches_saves_with_ctrl_enter_and_undoes_with_ctrl_z(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    target = next(r for r in shown(window) if r.customer_name and window.recommendation(r).kind == "coupon")
    keys(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F
    assert QApplication.focusWidget() is window.queue.filters.search
    QTest.keyClicks(QApplication.focusWidget(), target.customer_name)
    qtbot.waitUntil(lambda: shown(window) and shown(window)[0].customer_name == target.customer_name, timeout=5000)
    keys(window, Qt.Key.Key_Down)  # into the results, on the first one
    assert QApplication.focusWidget() is window.queue.table
    rows = window.queue.selected_rows()
    assert len(rows) == 1
    chosen = rows[0]
    answer(ConsentDialog, type_note_and_enter("Agreed on the phone"))
    with acted(qtbot, window):
        keys(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter
    live = admin(demo).v1.subscriptions.retrieve(chosen.subscription_id)
    assert not live.cancel_at_period_end and live.cancel_at is None and live.metadata["churn_console_operator"] == "Dana (CS)"
    assert chosen.subscription_id not in {r.subscription_id for r in shown(window)}
    assert window.queue.action_bar.undo.isVisible()
    active(qtbot, window)
    with acted(qtbot, window):
        keys(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z
    back = admin(demo).v1.subscriptions.retrieve(chosen.subscription_id)
    assert back.cancel_at_period_end or back.cancel_at


def test_ctrl_enter_still_works_after_the_selection_changed_many_times(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    window.queue.table.setFocus()
    QTest.mouseClick(
        window.queue.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=window.queue.table.visualRect(window.queue.proxy.index(0, 0)).center(),
    )
    for _ in range(3):
        keys(window, Qt.Key.Key_Down)
    posts = [e for e in demo.log if e.method == "POST"]
    seen: list = []
    answer(ConsentDialog, lambda d: QTest.keyClick(d.note, Qt.Key.Key_Escape), seen)  # Esc: nothing is sent
    keys(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen) and QApplication.activeModalWidget() is None, timeout=5000)
    assert [e for e in demo.log if e.method == "POST"] == posts


def test_new_coupon_and_pause_until_a_date_open_their_forms_from_the_menu_and_by_shortcut(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    window.queue.table.setFocus()
    keys(window, Qt.Key.Key_Down)
    opened: list = []
    answer(CouponDialog, lambda d: d.reject(), opened)
    keys(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # Ctrl+K
    qtbot.waitUntil(lambda: bool(opened) and QApplication.activeModalWidget() is None, timeout=5000)
    answer(PauseDialog, lambda d: d.reject(), opened)
    bar = window.queue.action_bar
    choose_menu_item(qtbot, bar.more, bar.menu, "Pause until a date")  # the mouse: the button, then the item
    qtbot.waitUntil(lambda: len(opened) == 2 and QApplication.activeModalWidget() is None, timeout=5000)
    assert [type(d) for d in opened] == [CouponDialog, PauseDialog]


def test_sorting_keeps_the_same_customer_selected_and_the_detail_follows(qtbot, open_window, demo):
    window = open_window(demo)
    active(qtbot, window)
    table = window.queue.table
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(window.queue.proxy.index(2, 0)).center())
    chosen = window.queue.selected_rows()[0]
    header = table.horizontalHeader()
    for column in (0, 3, 4):  # Customer, MRR, Days left
        QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=_center(header, column))
        assert [r.subscription_id for r in window.queue.selected_rows()] == [chosen.subscription_id]
        assert window.queue.detail.title.text() == chosen.display_name
        assert "Save" in window.queue.action_bar.primary.text()
    filters = window.queue.filters
    filters.search.setFocus()
    QTest.keyClicks(filters.search, "zzzz-nobody")
    qtbot.waitUntil(lambda: not shown(window), timeout=5000)
    assert window.queue.selected_rows() == [] and window.queue.detail.title.text() == "Select a customer"
    assert not window.queue.action_bar.primary.isEnabled()


def _center(header, column):
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)


def test_a_contact_recommendation_asks_how_and_what_before_recording(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    target = next(r for r in shown(window) if window.recommendation(r).kind == "contact")
    window.queue.filters.search.setFocus()
    QTest.keyClicks(window.queue.filters.search, target.email)
    qtbot.waitUntil(lambda: [r.subscription_id for r in shown(window)] == [target.subscription_id], timeout=5000)
    keys(window, Qt.Key.Key_Down)
    seen: list = []
    answer(ConsentDialog, type_note_and_enter("Left a voicemail, will call Friday"), seen)
    with acted(qtbot, window, queue=False) as done:
        keys(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen and done.args[0].offer_code == "desk:contact"
    assert done.args[0].consent_note == "Left a voicemail, will call Friday"
    assert "Recorded a contact" in window.queue.action_bar.status.text()


def test_a_coupon_in_another_currency_is_disabled_with_the_reason_before_any_consent(qtbot, open_window, demo):
    window = open_window(demo)
    active(qtbot, window)
    usd = next(r for r in shown(window) if r.currency == "usd")
    window.queue.filters.search.setFocus()
    QTest.keyClicks(window.queue.filters.search, usd.email)
    qtbot.waitUntil(lambda: [r.subscription_id for r in shown(window)] == [usd.subscription_id], timeout=5000)
    keys(window, Qt.Key.Key_Down)
    bar = window.queue.action_bar
    eur = bar.coupon_actions["EUR15-2M"]
    assert not eur.isEnabled() and "EUR cannot apply to a USD subscription" in eur.toolTip()
    assert "EUR cannot apply to a USD subscription" in eur.text()  # said in the menu itself, without a hover
    assert bar.menu.toolTipsVisible()
    assert bar.coupon_actions["RETAIN25-3M"].isEnabled()  # a percentage applies in any currency
    assert (
        "(" + "RETAIN25-3M)" in bar.coupon_actions["RETAIN25-3M"].text() and "—" not in bar.coupon_actions["RETAIN25-3M"].text()
    )
    assert "FRIENDS100" not in bar.coupon_actions  # 100% off forever is never a retention offer
    assert not any("FRIENDS100" in a.text() for a in bar.menu.actions())


def test_the_window_works_at_1024_by_700(qtbot, open_window, demo):
    window = open_window(demo)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().width() == 1024 and window.size().height() == 700, timeout=5000)
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        qtbot.wait(50)
        hint = window.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 700, (window.tabs.tabText(i), hint)
        assert (window.width(), window.height()) == (1024, 700), window.tabs.tabText(i)


def test_first_run_with_a_key_for_this_session_only_reaches_the_queue(qtbot, tmp_path, demo):
    """Connect → Verify → "Use for this session only" (the only way in without a keyring): the queue fills,
    and nothing about the key is written."""
    from console.services.connection import open_profile
    from console.services.keys import KeyService
    from console.ui.dialogs.connect import ConnectDialog
    from console.ui.main_window import MainWindow

    keys = KeyService(tmp_path)
    window = MainWindow(lambda: open_profile(tmp_path, keys.profiles.last, service=keys), tmp_path, keys=keys)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: bool(window.findChildren(ConnectDialog)) and window.findChildren(ConnectDialog)[0].isVisible(), timeout=10000
    )
    dialog = window.findChildren(ConnectDialog)[0]
    dialog.key.setFocus()
    QTest.keyClicks(dialog.key, demo.key)
    dialog.api_base.setFocus()
    QTest.keyClicks(dialog.api_base, demo.url)
    QTest.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.session_button.isEnabled, timeout=10000)
    with qtbot.waitSignal(window.synced, timeout=30000):
        QTest.mouseClick(dialog.session_button, Qt.MouseButton.LeftButton)
    assert window.queue.model.rowCount() > 0
    assert not [d for d in window.findChildren(ConnectDialog) if d.isVisible()]  # no second dialog
    assert demo.key not in "".join(p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())


def test_add_rule_goes_before_the_catch_all_where_it_can_match(qtbot):
    from console.domain.playbook import Playbook
    from console.ui.dialogs.playbook import PlaybookDialog

    dialog = PlaybookDialog(Playbook(), [], ["usd"], None, [])
    qtbot.addWidget(dialog)
    add = next(
        b
        for b in dialog.findChildren(__import__("PySide6.QtWidgets", fromlist=["QPushButton"]).QPushButton)
        if b.text() == "Add rule"
    )
    QTest.mouseClick(add, Qt.MouseButton.LeftButton)
    rules = dialog.playbook().rules
    assert rules[-1].reasons == ("*",)  # the catch-all stays last
    assert rules[-2].note == "New rule" and dialog.table.currentRow() == len(rules) - 2


def test_small_words_that_mislead_are_gone(qtbot, open_window, demo):
    """The Dashboard button does not send sandbox ids to Stripe; an inverted days-left range still shows rows;
    the overview does not call test figures "live"; a 0-minute refresh reads "Off"."""
    from console.ui.preferences import PreferencesDialog

    window = open_window(demo)
    active(qtbot, window)
    window.queue.table.setFocus()
    keys(window, Qt.Key.Key_Down)
    detail = window.queue.detail
    assert not detail.dashboard.isEnabled() and "sandbox" in detail.dashboard.toolTip()
    filters = window.queue.filters
    filters.min_days.setFocus()
    filters.min_days.setValue(30)
    filters.max_days.setValue(7)
    qtbot.waitUntil(lambda: bool(shown(window)), timeout=5000)
    assert all(7 <= r.days_left() <= 30 for r in shown(window))
    assert "Live figures" not in window.overview.caption.text()
    prefs = PreferencesDialog(window.settings, window)
    qtbot.addWidget(prefs)
    prefs.refresh.setValue(0)
    assert prefs.refresh.text().startswith("Off")


def test_the_window_comes_back_as_it_was_left(qtbot, open_window, demo):
    from PySide6.QtCore import QPoint

    from console.ui.queue.model import COLUMNS

    first = open_window(demo)
    first.resize(1111, 733)  # as the window manager does when the edge is dragged
    qtbot.waitUntil(lambda: (first.width(), first.height()) == (1111, 733), timeout=5000)
    splitter = first.queue.splitter
    handle = splitter.handle(1)
    QTest.mousePress(handle, Qt.MouseButton.LeftButton, pos=QPoint(handle.width() // 2, 1))
    QTest.mouseMove(handle, QPoint(handle.width() // 2, -120))
    QTest.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=QPoint(handle.width() // 2, -120))
    split = splitter.sizes()
    header = first.queue.table.horizontalHeader()
    reason = COLUMNS.index("Reason")
    header.resizeSection(reason, 260)  # the rep widened the Reason column
    first.close()
    again = open_window(demo)
    assert (again.width(), again.height()) == (1111, 733)
    assert again.queue.splitter.sizes() == split
    assert again.queue.table.horizontalHeader().sectionSize(reason) == 260


def test_playbook_from_the_menu_changes_what_save_offers(qtbot, open_window, demo):
    """File → Retention playbook…: the price-objection rule's offer changed by keyboard, saved with Enter; the
    queue's Offer column and the one-click Save follow."""
    from console.domain.playbook import Playbook
    from console.ui.dialogs.playbook import PlaybookDialog

    from .gestures import choose_from_menu_bar

    window = open_window(demo)
    active(qtbot, window)
    row = next(r for r in shown(window) if r.feedback == "too_expensive" and r.interval == "month")

    def edit(dialog: PlaybookDialog) -> None:
        at = next(i for i, rule in enumerate(dialog.rules()) if rule.reasons == ("too_expensive",) and rule.interval == "any")
        offers = dialog.table.cellWidget(at, 4)
        offers.setFocus()
        QTest.keyClicks(offers, "Pause 1")  # a combo box finds its item as you type
        assert offers.currentText() == "Pause 1 month"
        QTest.keyClick(offers, Qt.Key.Key_Return)  # Enter: Save, the default button

    answer(PlaybookDialog, edit)
    choose_from_menu_bar(qtbot, window, "File", "Retention playbook…")
    qtbot.waitUntil(lambda: window.recommendation(row).describe() == "Pause 1 month", timeout=5000)
    assert Playbook.load(window.data_dir / "playbook.json").recommend(row, row.interval)[0].pause_months == 1
    active(qtbot, window)
    keys(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(window.queue.filters.search, row.email)
    qtbot.waitUntil(lambda: [r.subscription_id for r in shown(window)] == [row.subscription_id], timeout=5000)
    keys(window, Qt.Key.Key_Down)
    assert "Pause 1 month" in window.queue.action_bar.primary.text()
