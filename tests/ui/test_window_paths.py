"""Window paths run to completion against the sandbox: Journal → Retry and Undo, Portal → "Open portal as customer…"."""

from __future__ import annotations

import pytest
import stripe
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from console.actions import Consent
from console.domain.offers import RevokeOffer
from console.errors import StripeUnavailable
from console.services.changes import Changes
from console.ui.portal.dialogs import TryItDialog
from tests.ui.gestures import acted


def client_for(sb):
    return stripe.StripeClient(sb.secret_key, base_addresses={"api": sb.url})


def fill_dialog(kind, act):
    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def select_action(page, action_id: str) -> None:
    row = next(
        i
        for i in range(page.model.rowCount())
        if page.model.data(page.model.index(i, 0), Qt.ItemDataRole.UserRole).id == action_id
    )
    page.table.selectRow(row)


def test_journal_retry_sends_a_failed_action_once_and_undo_puts_it_back(qtbot, open_window, demo):
    window = open_window(demo)
    sub_id = window.workspace.queue()[0].subscription_id
    actions = window.workspace.actions("Sam")
    reread = actions._reread

    def then_fail(sub):  # the re-read succeeds; Stripe then answers the update with a 500, before running it
        found = reread(sub)
        demo.configure_faults(fail_next=1)
        return found

    actions._reread = then_fail
    with pytest.raises(StripeUnavailable):
        actions.apply(sub_id, RevokeOffer(), Consent("call"))
    failed = window.workspace.journal.all(limit=1)[0]
    assert failed.state == "failed" and failed.retryable
    window.tabs.setCurrentWidget(window.journal_page)
    page = window.journal_page
    with qtbot.waitSignal(page.refreshed, timeout=10000):  # as after any change to the journal
        window.bus.announce(Changes(journal=True))
    select_action(page, failed.id)
    assert page.retry.isEnabled() and not page.undo.isEnabled()
    qtbot.mouseClick(page.retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.workspace.journal.get(failed.id).state == "applied", timeout=20000)
    live = client_for(demo).v1.subscriptions.retrieve(sub_id)
    assert live.metadata["churn_console_action"] == failed.id and not live.cancel_at_period_end and live.cancel_at is None
    qtbot.waitUntil(lambda: any(a.id == failed.id and a.state == "applied" for a in page.model.actions), timeout=10000)
    select_action(page, failed.id)
    assert page.undo.isEnabled()
    with acted(qtbot, window):
        qtbot.mouseClick(page.undo, Qt.MouseButton.LeftButton)
    back = client_for(demo).v1.subscriptions.retrieve(sub_id)
    assert back.cancel_at_period_end or back.cancel_at
    assert window.workspace.journal.get(failed.id).state == "undone"


def test_open_portal_as_customer_copies_a_working_link(qtbot, open_window, demo):
    window = open_window(demo)
    window.tabs.setCurrentWidget(window.portal_tab)  # the page is built when its tab is first shown
    page = window.portal_page
    qtbot.waitUntil(lambda: page.loaded and page.list.count() == 2, timeout=15000)
    row = window.workspace.queue()[0]
    email = row.email

    def fill(dialog: TryItDialog) -> None:
        dialog.customer.setText(email)
        dialog.coupon.setCurrentIndex(dialog.coupon.findData("RETAIN25-3M"))
        dialog.subscription.setText(row.subscription_id)
        dialog.accept()

    fill_dialog(TryItDialog, fill)
    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(page.try_it, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("http"), timeout=15000)
    url = QGuiApplication.clipboard().text()
    sessions = list(demo.state.table("billing_portal.session").values())
    made = next(s for s in sessions if s["url"] == url)
    assert made["customer"] == row.customer_id and made["configuration"] == page.original.id
    assert made["flow"]["type"] == "subscription_cancel"
    assert "Portal link copied" in page.status.text()


def test_journal_offers_a_damaged_copy_and_recover_merges_it_back(qtbot, open_window, demo):
    import shutil

    window = open_window(demo)
    ws = window.workspace
    action = ws.actions("Sam").apply(ws.queue()[0].subscription_id, RevokeOffer(), Consent("call"))
    journal = ws.journal
    journal.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(journal.path, journal.path.with_name(journal.path.name + ".damaged-20260101-000000"))
    journal.db.conn.execute("DELETE FROM actions WHERE id = ?", [action.id])  # what the damage lost
    window.tabs.setCurrentWidget(window.journal_page)
    page = window.journal_page
    with qtbot.waitSignal(page.refreshed, timeout=10000):  # as after any change to the journal
        window.bus.announce(Changes(journal=True))
    assert page.recover.isVisible() and "damaged copy" in page.damaged.text()
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        qtbot.mouseClick(page.recover, Qt.MouseButton.LeftButton)
    assert journal.get(action.id).state == "applied" and not page.recover.isVisible()
    assert page.model.rowCount() == 1


def test_the_window_opens_on_a_damaged_cache_and_its_first_sync_rebuilds_it(qtbot, open_window, demo, tmp_path):
    """The window opens before SQLite's integrity check; a damaged cache is then set aside (kept) and rebuilt by
    the first sync, and the status line says so."""
    from console.services.workspace import Workspace
    from console.stripe_gateway import StripeGateway

    ws = Workspace.connect(StripeGateway(demo.key, demo.url), tmp_path)
    ws.sync()
    path, pending = ws.cache.path, len(ws.queue())
    ws.close()
    path.write_bytes(path.read_bytes()[:4096] + b"\0" * 8192)  # the header survives, the pages do not
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    messages: list[str] = []
    window = open_window(demo, wait=False)
    window.statusBar().messageChanged.connect(messages.append)
    with qtbot.waitSignal(window.synced, timeout=30000) as synced:
        pass
    assert "set aside" in synced.args[0].summary() and any("set aside" in m for m in messages)  # said, not silent
    assert list(tmp_path.glob(f"{path.name}.damaged-*"))
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == pending, timeout=10000)
