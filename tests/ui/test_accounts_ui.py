"""Connecting accounts in the window (a real Secret Service under ./dev test) and what a key may do."""

from __future__ import annotations

import os
import uuid

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.domain import permissions
from console.sandbox.app import Sandbox
from console.sandbox.keys import ALL_PERMISSIONS
from console.secrets.keystore import SERVICE
from console.services.connection import open_profile
from console.services.keys import KeyService
from console.ui import theme
from console.ui.dialogs.connect import ConnectDialog
from console.ui.main_window import MainWindow
from tests.ui.legible import assert_whole

REAL = os.environ.get("CHURN_CONSOLE_REAL_KEYRING") == "1"
pytestmark = pytest.mark.skipif(not REAL, reason="run through ./dev test, which starts gnome-keyring in a private session")


@pytest.fixture
def names():
    made: list[str] = []
    yield lambda: made.append(f"Acme {uuid.uuid4().hex[:6]}") or made[-1]
    for name in made:
        try:
            keyring.delete_password(SERVICE, name)
        except keyring.errors.KeyringError:
            pass


def test_first_start_opens_connect_then_the_queue_of_the_new_profile(qtbot, tmp_path, demo, names):
    keys = KeyService(tmp_path)
    window = MainWindow(lambda: open_profile(tmp_path, keys.profiles.last), tmp_path, keys=keys)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(
        lambda: isinstance(QApplication.activeModalWidget(), ConnectDialog) or bool(window.findChildren(ConnectDialog)),
        timeout=10000,
    )
    dialog = window.findChildren(ConnectDialog)[0]
    qtbot.keyClicks(dialog.key, "pk_test_" + "x" * 24)
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    assert "publishable" in dialog.message.text()
    assert not dialog.store_button.isEnabled()
    dialog.key.setText(demo.key)
    dialog.api_base.setText(demo.url)
    name = names()
    dialog.name.setText(name)
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.store_button.isEnabled, timeout=10000)
    assert f"Stripe account {demo.state.account['id']}" in dialog.message.text() and "TEST" in dialog.message.text()
    assert dialog.permissions.rowCount() == len(permissions.NEEDED)  # each permission the console needs, listed
    assert_whole(qtbot, dialog.permissions, 2, wraps=False)  # what each enables, never cut to "…"
    granted = dialog.permissions.item(0, 1)  # "yes" in the theme's own green (Qt's dark green was unreadable on dark)
    assert granted.text() == "yes" and granted.foreground().color().name() == theme.colour("ok")
    with qtbot.waitSignal(window.synced, timeout=30000):
        qtbot.mouseClick(dialog.store_button, Qt.MouseButton.LeftButton)
    assert keyring.get_password(SERVICE, name) == demo.key
    assert window.queue.model.rowCount() > 0
    assert window.accounts.combo.currentData() == name
    assert window.mode_badge.text() == "TEST MODE"


def test_switching_profiles_switches_account_mode_and_cache(qtbot, tmp_path, demo, names):
    keys = KeyService(tmp_path)
    test_name = names()
    keys.connect(test_name, demo.key, demo.url)
    from console.secrets.destination import allow_live_key_to

    with Sandbox(seed=8, customers=40, live=True) as live:
        allow_live_key_to(live.url)  # as --allow-live-key-to does: a live key to a server that is not Stripe
        live.state.account["id"] = "acct_live_one"
        live_name = names()
        keys.connect(live_name, live.key, live.url)
        keys.profiles.use(test_name)
        window = MainWindow(lambda: open_profile(tmp_path, keys.profiles.last), tmp_path, keys=keys)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.synced, timeout=30000):
            window.show()
        test_rows = window.queue.model.rowCount()
        with qtbot.waitSignal(window.synced, timeout=30000):
            window.accounts.switch(live_name)
        assert window.mode_badge.text() == f"LIVE KEY SENT TO {live.url}"  # live, and not to Stripe: named in red
        assert window.queue.model.rowCount() != test_rows or window.workspace.account.id == "acct_live_one"
        assert window.workspace.account.id == "acct_live_one"
        assert {p.name for p in tmp_path.glob("acct_*.sqlite3")} == {
            "acct_sandbox000005-test.sqlite3",
            "acct_live_one-live.sqlite3",
        }
        window.close()


def test_missing_permissions_disable_features_with_a_tooltip(qtbot, tmp_path, demo, names):
    keys = KeyService(tmp_path)
    name = names()
    keys.connect(name, demo.make_key(ALL_PERMISSIONS - {"rak_coupon_write", "rak_billing_portal_write"}), demo.url)
    window = MainWindow(lambda: open_profile(tmp_path, keys.profiles.last), tmp_path, keys=keys)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.show()
    window.queue.table.selectRow(0)
    bar = window.queue.action_bar
    assert not bar.link.isEnabled() and "Customer portal: Write" in bar.link.toolTip()
    coupon_items = [a for a in bar.menu.actions() if "off" in a.text() or a.text().startswith("New coupon")]
    assert coupon_items and all(not a.isEnabled() and "Coupons: Write" in a.toolTip() for a in coupon_items)
    pauses = [a for a in bar.menu.actions() if a.text().startswith("Pause 1")]
    assert pauses[0].isEnabled()


def _menu_action(window, text: str):
    return next(a for a in window.accounts.menu_button.menu().actions() if a.text().startswith(text))


def _answer(kind, act):
    from PySide6.QtCore import QTimer

    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_account_menu_check_rotate_rename_and_delete(qtbot, tmp_path, demo, names):
    """Account → Check the key's permissions, Rotate the key…, Rename this profile…, Delete this profile…,
    each run to completion: the report, the keyring and the profile list afterwards."""
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    keys = KeyService(tmp_path)
    name = names()
    keys.connect(name, demo.key, demo.url)
    window = MainWindow(lambda: open_profile(tmp_path, keys.profiles.last), tmp_path, keys=keys)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.show()

    _menu_action(window, "Check the key").trigger()
    qtbot.waitUntil(
        lambda: any(w.objectName() == "permissionReport" and w.isVisible() for w in window.findChildren(QMessageBox)),
        timeout=10000,
    )
    report = next(w for w in window.findChildren(QMessageBox) if w.objectName() == "permissionReport")
    assert "rak_subscription_write" in report.text() or "Subscriptions" in report.text()
    report.close()

    fresh = demo.make_key()
    _menu_action(window, "Rotate the key").trigger()
    qtbot.waitUntil(
        lambda: bool(window.findChildren(ConnectDialog)) and window.findChildren(ConnectDialog)[-1].isVisible(), timeout=10000
    )
    dialog = window.findChildren(ConnectDialog)[-1]
    assert not dialog.name.isEnabled() and dialog.name.text() == name
    dialog.key.setText(fresh)
    qtbot.mouseClick(dialog.verify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.store_button.isEnabled, timeout=10000)
    with qtbot.waitSignal(window.synced, timeout=30000):
        qtbot.mouseClick(dialog.store_button, Qt.MouseButton.LeftButton)
    assert keyring.get_password(SERVICE, name) == fresh

    renamed = names()

    def rename(box: QInputDialog) -> None:
        box.setTextValue(renamed)
        box.accept()

    _answer(QInputDialog, rename)
    _menu_action(window, "Rename this profile").trigger()
    assert keyring.get_password(SERVICE, renamed) == fresh and keyring.get_password(SERVICE, name) is None
    assert window.accounts.combo.currentData() == renamed

    def delete(box: QMessageBox) -> None:
        box.checkBox().setChecked(True)
        box.button(QMessageBox.StandardButton.Yes).click()

    _answer(QMessageBox, delete)
    _menu_action(window, "Delete this profile").trigger()
    assert keyring.get_password(SERVICE, renamed) is None and renamed not in keys.profiles.items
    assert not list(tmp_path.glob("acct_*-test.sqlite3"))  # purged: no other profile uses that cache
    window.close()


def test_the_account_controls_work_on_a_page_context_without_a_window(qtbot, tmp_path, demo, names):
    """AccountsController on a session and a change bus (no MainWindow): choosing another profile in the combo
    asks `switch_to` for it; checking the key says so on the bus (the queue re-fits what is allowed)."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox, QWidget

    from console.services.session import Session
    from console.ui.accounts import AccountsController
    from console.ui.context import PageContext
    from console.ui.operations import ChangeBus, Operations
    from console.ui.workers import Runner

    keys = KeyService(tmp_path)
    first, second = names(), names()
    keys.connect(first, demo.key, demo.url)
    keys.connect(second, demo.make_key(ALL_PERMISSIONS - {"rak_coupon_write"}), demo.url)
    keys.profiles.use(first)
    session = Session(tmp_path, lambda: open_profile(tmp_path, keys.profiles.last), keys=keys, profile=first)
    runner, bus = Runner(), ChangeBus()
    context = PageContext(
        session, Operations(runner, bus, print), bus, runner, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    )
    parent = QWidget()
    qtbot.addWidget(parent)
    asked: list[str] = []
    accounts = AccountsController(context, keys, asked.append, parent)
    assert [accounts.combo.itemData(i) for i in range(accounts.combo.count())] == [first, second]
    accounts.combo.setCurrentIndex(1)
    accounts.combo.activated.emit(1)
    assert asked == [second] and keys.profiles.last == second
    session.profile = second
    with qtbot.waitSignal(bus.permissions_checked, timeout=10000):
        _menu_action_of(accounts, "Check the key").trigger()
    assert session.granted("rak_coupon_write") is False and session.why_not("rak_coupon_write")
    qtbot.waitUntil(lambda: any(w.objectName() == "permissionReport" for w in parent.findChildren(QMessageBox)), timeout=5000)
    for box in parent.findChildren(QMessageBox):
        box.close()
    runner.wait(5000)
    session.close()


def _menu_action_of(accounts, text: str):
    return next(a for a in accounts.menu_button.menu().actions() if a.text().startswith(text))
