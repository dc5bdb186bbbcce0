"""Bulk, as a rep does it: click a row, Ctrl+click others, Save; the consent lists who, what and how much;
Enter; each row's result; Close; the selection is on the customer who came next."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.domain.money import format_money
from console.ui.dialogs.bulk import BulkDialog
from console.ui.dialogs.consent import ConsentDialog

from .gestures import active, admin, answer, click, click_row, shown


def test_bulk_lists_who_and_how_much_then_applies_each_and_moves_on(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    table = window.queue.table
    before = shown(window)
    picks = [i for i, r in enumerate(before) if i and window.recommendation(r).kind != "contact"][:4]
    click_row(table, picks[0])
    for i in picks[1:]:
        click_row(table, i, modifier=Qt.KeyboardModifier.ControlModifier)
    chosen = [before[i] for i in picks]
    assert [r.subscription_id for r in window.queue.selected_rows()] == [r.subscription_id for r in chosen]
    assert "4 selected" in window.queue.action_bar.primary.text()
    listed: list = []

    def read_and_confirm(dialog: ConsentDialog) -> None:
        grid = dialog.customers
        listed.extend(tuple(grid.item(i, j).text() for j in range(3)) for i in range(grid.rowCount()))
        QTest.keyClick(dialog.note, Qt.Key.Key_Return)

    answer(ConsentDialog, read_and_confirm)
    click(window.queue.action_bar.primary)
    qtbot.waitUntil(lambda: bool(window.findChildren(BulkDialog)), timeout=10000)
    bulk = window.findChildren(BulkDialog)[0]
    qtbot.waitUntil(bulk.close_button.isEnabled, timeout=30000)
    assert [(name, mrr) for name, _, mrr in listed] == [(r.display_name, format_money(r.mrr_minor, r.currency)) for r in chosen]
    results = [bulk.table.item(i, 2).text() for i in range(bulk.table.rowCount())]
    assert results == ["Applied"] * 4, results
    assert [bulk.table.item(i, 0).text() for i in range(4)] == [r.display_name for r in chosen]  # names whole
    assert [offer for _, offer, _ in listed] == [window.recommendation(r).describe(coupons(window)) for r in chosen]
    for r in chosen:
        sub = admin(demo).v1.subscriptions.retrieve(r.subscription_id)
        assert not sub.cancel_at_period_end and sub.cancel_at is None and sub.metadata["churn_console_operator"] == "Dana (CS)"
    click(bulk.close_button)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None and not bulk.isVisible(), timeout=5000)
    gone = {r.subscription_id for r in chosen}
    qtbot.waitUntil(lambda: not gone & {x.subscription_id for x in shown(window)}, timeout=5000)
    left = {x.subscription_id for x in shown(window)}
    following = next(r for r in before[picks[0] :] if r.subscription_id in left)  # the first row from where they were
    assert [r.subscription_id for r in window.queue.selected_rows()] == [following.subscription_id]
    status = window.queue.action_bar.status.text()
    assert "Saved 4 of 4 customers." in status and "Undo all 4" in status  # the batch's line, not the last single one
    active(qtbot, window)
    with qtbot.waitSignal(window.controller.applied, timeout=30000):
        QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Z: the whole batch
    qtbot.waitUntil(lambda: "Undone: 4 customers set to cancel again." in window.queue.action_bar.status.text(), timeout=10000)
    for r in chosen:
        again = admin(demo).v1.subscriptions.retrieve(r.subscription_id)
        assert again.cancel_at_period_end or again.cancel_at  # set to cancel again, as the customer had asked


def coupons(window) -> dict:
    return {c.id: c for c in window.coupons()}
