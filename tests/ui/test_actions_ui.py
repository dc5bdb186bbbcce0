"""Saving customers from the window: one click, consent, the row leaves, Stripe holds the change."""

from __future__ import annotations

import stripe
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel

from console.sandbox.app import Sandbox
from console.services.changes import Changes
from console.ui.dialogs.bulk import BulkDialog
from console.ui.dialogs.consent import OPERATOR_KEY, ConsentDialog
from console.ui.dialogs.offer_forms import CouponDialog
from console.ui.queue.model import COLUMNS, ROW_ROLE
from tests.ui.gestures import acted, active


def client_for(sb):
    return stripe.StripeClient(sb.key, base_addresses={"api": sb.url})


def shown(window) -> list:
    proxy = window.queue.proxy
    return [proxy.data(proxy.index(i, 0), ROW_ROLE) for i in range(proxy.rowCount())]


def when_dialog(qtbot, kind, act):
    """Run `act(dialog)` on the next modal dialog of `kind`, as a person at the keyboard would."""

    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def confirm_with(channel: str, note: str = ""):
    def act(dialog: ConsentDialog) -> None:
        dialog.channel.setCurrentIndex(dialog.channel.findData(channel))
        dialog.note.setText(note)
        if not dialog.operator.text():
            dialog.operator.setText("Dana (CS)")
        dialog.ok.setFocus()
        dialog.ok.click()  # Enter on the default button does the same

    return act


def test_one_click_save_with_consent(qtbot, open_window, demo):
    window = open_window(demo)
    window.settings.setValue(OPERATOR_KEY, "Dana (CS)")
    rows = shown(window)
    target = next(r for r in rows if r.feedback == "too_expensive")
    window.queue.select_subscription(target.subscription_id)
    bar = window.queue.action_bar
    assert bar.primary.isEnabled() and "Save:" in bar.primary.text()
    when_dialog(qtbot, ConsentDialog, confirm_with("email", "Replied to our offer"))
    with acted(qtbot, window) as blocker:
        qtbot.mouseClick(bar.primary, Qt.MouseButton.LeftButton)
    action = blocker.args[0]
    assert action.state == "applied" and action.consent_channel == "email" and action.consent_note == "Replied to our offer"
    assert target.subscription_id not in [r.subscription_id for r in shown(window)]
    sub = client_for(demo).v1.subscriptions.retrieve(target.subscription_id, {"expand": ["discounts"]})
    assert sub.cancel_at_period_end is False and sub.cancel_at is None
    assert sub.metadata["churn_console_operator"] == "Dana (CS)" and sub.metadata["churn_console_consent"] == "email"
    assert sub.discounts and sub.discounts[-1].source.coupon.startswith("churn-console-")
    assert "Undo" in bar.status.text()
    assert window.journal_page.model.rowCount() == 1
    # the consent step remembers the channel
    assert window.settings.value("actions/last_channel") == "email"

    # undo from the status line's link
    with acted(qtbot, window):
        bar.status.linkActivated.emit(f"undo:{action.id}")
    assert target.subscription_id in [r.subscription_id for r in shown(window)]
    back = client_for(demo).v1.subscriptions.retrieve(target.subscription_id)
    assert back.cancel_at_period_end or back.cancel_at  # restored as it was, in either billing mode


def test_keyboard_pause_and_cancelled_consent_sends_nothing(qtbot, open_window, demo):
    window = open_window(demo)
    window.settings.setValue(OPERATOR_KEY, "Sam")
    target = shown(window)[0]
    window.queue.select_subscription(target.subscription_id)
    active(qtbot, window)  # window shortcuts need an active window
    before = len(demo.log)
    seen = []

    def cancel(dialog):
        seen.append(dialog)
        dialog.reject()

    when_dialog(qtbot, ConsentDialog, cancel)
    window.queue.table.setFocus()
    qtbot.keyClick(window.queue.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen) and QApplication.activeModalWidget() is None, timeout=5000)
    assert not [e for e in demo.log[before:] if e.method == "POST"]
    active(qtbot, window)
    when_dialog(qtbot, ConsentDialog, confirm_with("chat"))
    with acted(qtbot, window):
        qtbot.keyClick(window.queue.table, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    sub = client_for(demo).v1.subscriptions.retrieve(target.subscription_id)
    assert sub.pause_collection.behavior == "void" and sub.pause_collection.resumes_at > 0


def test_refused_action_is_explained_inline(qtbot, open_window, demo):
    window = open_window(demo)
    window.settings.setValue(OPERATOR_KEY, "Sam")
    target = shown(window)[0]
    client_for(demo).v1.subscriptions.update(
        target.subscription_id, {"cancel_at_period_end": False, "cancel_at": ""}
    )  # revoked elsewhere
    window.queue.select_subscription(target.subscription_id)
    when_dialog(qtbot, ConsentDialog, confirm_with("call"))
    with qtbot.waitSignal(window.controller.failed, timeout=20000):
        qtbot.mouseClick(window.queue.action_bar.primary, Qt.MouseButton.LeftButton)
    assert "no longer set to cancel" in window.queue.action_bar.status.text()


def test_new_coupon_form_shows_errors_at_the_field(qtbot, open_window, demo):
    dialog = CouponDialog("usd")
    qtbot.addWidget(dialog)
    dialog.value.setValue(150)
    dialog.accept()
    assert dialog.result() == 0  # not accepted: nothing would be sent
    assert "at most 100" in dialog.value_error.text()
    dialog.kind.setCurrentIndex(dialog.kind.findData("amount"))
    dialog.value.setValue(12.5)
    dialog.duration.setCurrentIndex(dialog.duration.findData("repeating"))
    dialog.months.setValue(2)
    assert dialog.preview.text() == "$12.50 off for 2 months"
    dialog.accept()
    offer = dialog.offer()
    assert offer.new_coupon.amount_off == 1250 and offer.new_coupon.currency == "usd"


def test_bulk_apply_to_selected_rows(qtbot, open_window, demo):
    window = open_window(demo)
    window.settings.setValue(OPERATOR_KEY, "Bulk")
    rows = shown(window)[:4]
    window.queue.table.selectRow(0)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(window.queue.table, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert [r.subscription_id for r in window.queue.selected_rows()] == [r.subscription_id for r in rows]
    assert "4 selected" in window.queue.action_bar.primary.text()
    when_dialog(qtbot, ConsentDialog, confirm_with("ticket", "T-1234"))
    qtbot.mouseClick(window.queue.action_bar.primary, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: any(isinstance(w, BulkDialog) and w.close_button.isEnabled() for w in QApplication.topLevelWidgets()),
        timeout=30000,
    )
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, BulkDialog))
    assert dialog.summary.text() == "4 applied, 0 refused, 0 failed."
    client = client_for(demo)
    for r, result in zip(rows, dialog.results, strict=True):
        sub = client.v1.subscriptions.retrieve(r.subscription_id)
        if result.action.kind == "contact":
            assert sub.cancel_at_period_end or sub.cancel_at  # a contact changes nothing in Stripe
        else:
            assert sub.metadata["churn_console_action"] == result.action.id
            assert sub.metadata["churn_console_consent"] == "ticket"
    dialog.accept()


def test_actions_are_disabled_offline(qtbot, open_window, demo):
    window = open_window(demo)
    window.queue.table.selectRow(0)
    assert window.queue.action_bar.primary.isEnabled()
    demo.stop()
    with qtbot.waitSignal(window.sync_failed, timeout=30000):
        window.refresh()
    window.queue.table.selectRow(1)
    assert not window.queue.action_bar.primary.isEnabled()
    assert "read-only" in window.queue.action_bar.primary.toolTip()


def test_live_mode_consent_names_live_customer_and_amount(qtbot, open_window):
    from console.secrets.destination import allow_live_key_to

    with Sandbox(seed=5, customers=60, live=True) as live:
        allow_live_key_to(live.url)  # the user's --allow-live-key-to: a live key to a server that is not Stripe
        window = open_window(live)
        window.settings.setValue(OPERATOR_KEY, "Priya")
        target = next(r for r in shown(window) if window.recommendation(r).kind != "contact")  # contacts change nothing
        window.queue.select_subscription(target.subscription_id)
        seen = {}

        def look(dialog):
            warning = dialog.findChild(QLabel, "liveWarning")
            seen["text"] = warning.text() if warning else ""
            seen["ok_before_ack"] = dialog.ok.isEnabled()
            dialog.live_ack.setChecked(True)
            seen["ok_after_ack"] = dialog.ok.isEnabled()
            dialog.reject()

        when_dialog(qtbot, ConsentDialog, look)
        qtbot.mouseClick(window.queue.action_bar.primary, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "text" in seen, timeout=5000)
        assert "LIVE MODE" in seen["text"]
        assert (target.customer_name or "") in seen["text"]
        assert "/month at stake" in seen["text"]
        assert seen["ok_before_ack"] is False and seen["ok_after_ack"] is True  # explicit confirmation (on by default)


def test_playbook_edits_change_the_recommendations_and_are_saved(qtbot, open_window, demo, tmp_path):
    from console.domain.playbook import Playbook
    from console.ui.dialogs.playbook import PlaybookDialog

    window = open_window(demo)
    target = next(r for r in shown(window) if r.feedback == "too_expensive" and r.interval == "month")
    assert window.recommendation(target).kind == "coupon"
    dialog = PlaybookDialog(window.workspace.playbook(), window.coupons(), ["usd", "eur", "jpy"], window)
    qtbot.addWidget(dialog)
    row = next(
        i
        for i in range(dialog.table.rowCount())
        if dialog.table.cellWidget(i, 0).currentData() == "too_expensive" and dialog.table.cellWidget(i, 2).currentData() == "any"
    )
    offers = dialog.table.cellWidget(row, 4)
    offers.setCurrentIndex(next(i for i in range(offers.count()) if offers.itemData(i).code == "pause:1m"))
    dialog.high["usd"].setValue(250.0)
    window.workspace.save_playbook(dialog.playbook())
    with qtbot.waitSignal(window.queue.refreshed, timeout=10000):  # as the window does once the dialog is saved
        window.bus.announce(Changes(queue=True))
    assert window.recommendation(target).code == "pause:1m"
    saved = Playbook.load(tmp_path / "playbook.json")
    assert saved.high_mrr["usd"] == 25000
    assert any(r.offer.code == "pause:1m" and r.reasons == ("too_expensive",) for r in saved.rules)
    offer_col = window.queue.model.index(window.queue.model.row_of(target.subscription_id), COLUMNS.index("Offer")).data()
    assert offer_col == "Pause 1 month"


def test_portal_link_with_a_chosen_configuration_is_copied(qtbot, open_window, demo):
    window = open_window(demo)
    window.queue.table.selectRow(0)
    menu = window.queue.action_bar.link_menu
    labels = [a.text() for a in menu.actions()]
    assert any("(default)" in t for t in labels) and len(labels) == 2
    other = next(a for a in menu.actions() if "(default)" not in a.text())
    other.trigger()
    qtbot.waitUntil(lambda: "copied" in window.queue.action_bar.status.text(), timeout=10000)
    url = QApplication.clipboard().text()
    assert url.startswith(demo.url + "/p/session/")
    session = next(s for s in demo.state.table("billing_portal.session").values() if url.endswith(s["_secret"]))
    assert session["configuration"] != next(
        c["id"] for c in demo.state.table("billing_portal.configuration").values() if c["is_default"]
    )


def test_real_pause_menu_entry_is_offered_where_stripe_allows_it(qtbot, open_window, demo):
    """Other offers → "Pause the subscription": disabled with Stripe's reason on a classic-mode subscription,
    and on a flexible one it pauses for real (status paused); the row leaves the queue."""
    window = open_window(demo)
    window.settings.setValue(OPERATOR_KEY, "Sam")
    bar = window.queue.action_bar
    rows = shown(window)
    blocked = next(r for r in rows if r.pause_blocker and "flexible billing mode" in r.pause_blocker)
    window.queue.select_subscription(blocked.subscription_id)
    assert not bar.real_pause.isEnabled() and "flexible billing mode" in bar.real_pause.toolTip()
    allowed = next(r for r in rows if r.pause_blocker is None)
    window.queue.select_subscription(allowed.subscription_id)
    assert bar.real_pause.isEnabled() and "paused" in bar.real_pause.toolTip()
    when_dialog(qtbot, ConsentDialog, confirm_with("call", "Taking the summer off"))
    with acted(qtbot, window) as done:
        bar.real_pause.trigger()
    assert done.args[0].offer_code == "pause:subscription"
    assert client_for(demo).v1.subscriptions.retrieve(allowed.subscription_id).status == "paused"
    assert allowed.subscription_id not in {r.subscription_id for r in shown(window)}


def test_the_playbook_editor_starts_keeps_and_ends_an_experiment(qtbot, open_window, demo, tmp_path):
    """'Test against' gives a rule a second offer: each row then shows its assigned offer; a loaded experiment
    (weights, first day) comes back unchanged; 'No experiment' ends it."""
    from console.domain import experiments
    from console.domain.playbook import Playbook
    from console.ui.dialogs.playbook import TEST, PlaybookDialog

    window = open_window(demo)
    dialog = PlaybookDialog(window.workspace.playbook(), window.coupons(), ["usd", "eur", "jpy"], window)
    qtbot.addWidget(dialog)
    row = next(
        i
        for i in range(dialog.table.rowCount())
        if dialog.table.cellWidget(i, 0).currentData() == "too_expensive" and dialog.table.cellWidget(i, 2).currentData() == "any"
    )
    test = dialog.table.cellWidget(row, TEST)
    assert test.currentData() is None
    test.setCurrentIndex(next(i for i in range(1, test.count()) if test.itemData(i).code == "pause:2m"))
    book = dialog.playbook()
    window.workspace.save_playbook(book)
    (rules,) = Playbook.load(tmp_path / "playbook.json").experiments().values()
    (rule,) = rules
    assert [v.offer.code for v in rule.variants] == [rule.offer.code, "pause:2m"] and rule.started
    targets = [r for r in shown(window) if r.feedback == "too_expensive" and r.interval == "month"]
    for target in targets:
        assigned = experiments.assign(rule.experiment, target.subscription_id, rule.variants)
        if window.workspace.playbook().recommend(target, target.interval)[1] is rule:
            assert window.workspace.playbook().recommend(target, target.interval)[0] == assigned.offer
    # opened again, the experiment comes back whole; a note edit keeps its first day and arms
    again = PlaybookDialog(window.workspace.playbook(), window.coupons(), ["usd", "eur", "jpy"], window)
    qtbot.addWidget(again)
    kept = [r for r in again.playbook().rules if r.variants]
    assert kept == [rule]
    at = next(i for i in range(again.table.rowCount()) if again.table.cellWidget(i, TEST).currentData() is not None)
    again.table.cellWidget(at, TEST).setCurrentIndex(0)
    assert not any(r.variants for r in again.playbook().rules)
