"""Saving customers from the window: one click, consent, the row leaves, Stripe holds the change."""

from __future__ import annotations

import stripe
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from console.sandbox.app import Sandbox
from console.services.changes import Changes
from console.ui.dialogs.bulk import BulkDialog
from console.ui.dialogs.consent import ConsentDialog
from console.ui.dialogs.offer_forms import CouponDialog
from console.ui.queue.model import COLUMNS, ROW_ROLE
from tests.ui.gestures import acted, active, click_tab


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
    window.context.set_operator("Dana (CS)")
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


def test_the_overview_counts_a_save_and_its_undo_before_the_next_sync(qtbot, open_window, demo):
    """The Overview's pending cancellations and MRR at risk follow an action (read again when the tab is shown): they
    had stayed at the last sync's 50 beside a queue of 49 after a save."""
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")

    def pending_on_stripe() -> int:
        subs = client_for(demo).v1.subscriptions.list({"limit": 100}).auto_paging_iter()
        return sum(1 for s in subs if s.cancel_at_period_end or s.cancel_at)

    def overview_says(n: int) -> None:
        click_tab(window, window.overview)
        qtbot.waitUntil(lambda: window.overview.cards["pending"].value.text() == f"{n:,}", timeout=10000)
        click_tab(window, window.queue)

    before = pending_on_stripe()
    overview_says(before)
    risk = window.overview.cards["at_risk"].value.text()
    target = next(r for r in shown(window) if r.feedback == "too_expensive")
    window.queue.select_subscription(target.subscription_id)
    when_dialog(qtbot, ConsentDialog, confirm_with("call"))
    with acted(qtbot, window) as blocker:
        qtbot.mouseClick(window.queue.action_bar.primary, Qt.MouseButton.LeftButton)
    assert pending_on_stripe() == before - 1 == len(shown(window))
    overview_says(before - 1)
    assert window.overview.cards["at_risk"].value.text() != risk  # the saved customer's MRR is no longer at risk
    with acted(qtbot, window):
        window.queue.action_bar.status.linkActivated.emit(f"undo:{blocker.args[0].id}")
    assert pending_on_stripe() == before
    overview_says(before)
    assert window.overview.cards["at_risk"].value.text() == risk


def test_keyboard_pause_and_cancelled_consent_sends_nothing(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Sam")
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
    window.context.set_operator("Sam")
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
    window.context.set_operator("Bulk")
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
        if result.action.offer_code == "desk:contact":  # the desk's contact: billing untouched, the desk state moved
            assert sub.cancel_at_period_end or sub.cancel_at
            assert sub.metadata["churn_console_desk_state"] == "contacted"
            assert sub.metadata["churn_console_desk_contact"].startswith("ticket ")
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
        window.context.set_operator("Priya")
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
    window.context.set_operator("Sam")
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
    """The Experiment cell, clicked: the dialog refuses a bad name in place, then sets up A/B/C with weights; each
    row then shows its assigned offer; opened again it shows the same and keeps it whole; End experiment ends it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from console.domain import experiments
    from console.domain.playbook import Playbook
    from console.ui.dialogs.experiment import ExperimentDialog
    from console.ui.dialogs.playbook import TEST, PlaybookDialog
    from tests.ui.gestures import answer

    window = open_window(demo)

    def editor() -> PlaybookDialog:
        dialog = PlaybookDialog(window.workspace.playbook(), window.coupons(), ["usd", "eur", "jpy"], window)
        qtbot.addWidget(dialog)
        return dialog

    def price_row(dialog) -> int:
        return next(
            i
            for i in range(dialog.table.rowCount())
            if dialog.table.cellWidget(i, 0).currentData() == "too_expensive"
            and dialog.table.cellWidget(i, 2).currentData() == "any"
        )

    def pick(combo, code: str) -> None:
        combo.setFocus()
        while combo.currentData() is None or combo.currentData().code != code:
            QTest.keyClick(combo, Qt.Key.Key_Down)  # as a person steps through the list

    def set_up(dialog: ExperimentDialog) -> None:
        dialog.name.selectAll()
        QTest.keyClicks(dialog.name, "price test")  # a space: refused in place, the dialog stays
        pick(dialog.offers["B"], "pause:2m")
        assert not dialog.weights["C"].isEnabled()  # no offer C yet: its weight is greyed
        pick(dialog.offers["C"], "pause:1m")
        assert dialog.weights["C"].isEnabled()
        dialog.weights["A"].selectAll()
        QTest.keyClicks(dialog.weights["A"], "2")
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
        assert dialog.isVisible() and "name" in dialog.problem.text()
        dialog.name.selectAll()
        QTest.keyClicks(dialog.name, "price-test")
        qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    first = editor()
    row = price_row(first)
    cell = first.table.cellWidget(row, TEST)
    assert cell.text() == "No experiment"
    seen: list = []
    answer(ExperimentDialog, set_up, seen)
    qtbot.mouseClick(cell, Qt.MouseButton.LeftButton)
    assert seen and cell.text().startswith("A/B/C 50/25/25: Pause 2 months")
    qtbot.mouseClick(first.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert first.result() == 1
    window.workspace.save_playbook(first.playbook())  # as the window does once the editor is saved
    ((rule,),) = Playbook.load(tmp_path / "playbook.json").experiments().values()
    assert rule.experiment == "price-test" and rule.started
    assert [(v.label, v.offer.code, v.weight) for v in rule.variants] == [
        ("A", rule.offer.code, 2), ("B", "pause:2m", 1), ("C", "pause:1m", 1)
    ]  # fmt: skip
    for target in (r for r in shown(window) if r.feedback == "too_expensive" and r.interval == "month"):
        offer, matched = window.workspace.playbook().recommend(target, target.interval)
        if matched is rule or matched == rule:
            assert offer == experiments.assign(rule.experiment, target.subscription_id, rule.variants).offer
    # opened again: the same experiment, whole, through a save that changes nothing; then ended
    again = editor()
    assert [r for r in again.playbook().rules if r.variants] == [rule]
    seen_again: list = []

    def check_and_end(dialog: ExperimentDialog) -> None:
        assert dialog.name.text() == "price-test" and dialog.weights["A"].value() == 2
        assert dialog.offers["C"].currentData().code == "pause:1m"
        qtbot.mouseClick(dialog.end, Qt.MouseButton.LeftButton)

    answer(ExperimentDialog, check_and_end, seen_again)
    qtbot.mouseClick(again.table.cellWidget(price_row(again), TEST), Qt.MouseButton.LeftButton)
    assert seen_again and not any(r.variants for r in again.playbook().rules)
    assert again.table.cellWidget(price_row(again), TEST).text() == "No experiment"


def test_the_playbook_editor_will_not_save_a_playbook_it_could_not_read_back(qtbot, open_window, demo):
    """Two rows of one experiment whose offers came apart (A changed on one only): Save says why, saves nothing."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    from console.domain.experiments import Variant
    from console.domain.offers import CouponOffer
    from console.domain.playbook import DEFAULT_RULES, PAUSE_2, Playbook, Rule
    from console.ui.dialogs.playbook import PlaybookDialog
    from tests.ui.gestures import answer

    window = open_window(demo)
    a = CouponOffer(coupon_id="RETAIN25-3M")
    both = Rule(
        ("too_expensive", "unused"), a, experiment="t", variants=(Variant("A", a), Variant("B", PAUSE_2)), started="2026-10-01"
    )
    dialog = PlaybookDialog(Playbook(rules=[both, *DEFAULT_RULES]), window.coupons(), ["usd"], window)
    qtbot.addWidget(dialog)
    offers = dialog.table.cellWidget(1, 4)  # the second row of the experiment: its offer A changes alone
    offers.setCurrentIndex(next(i for i in range(offers.count()) if offers.itemData(i).code == "pause:1m"))
    said: list[str] = []

    def read_and_close(box: QMessageBox) -> None:
        said.append(box.text())
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    answer(QMessageBox, read_and_close)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert said and "differ in their offers" in said[0] and dialog.result() != 1  # not accepted: nothing saved


def test_the_playbook_editor_marks_a_rule_that_can_never_match(qtbot, open_window, demo):
    """Two rules for "too expensive" split by MRR catch every such customer: a third one below them is marked in
    place and said under the table; moving it up makes it used again, and the mark goes."""
    from console.domain.offers import ContactOffer, CouponOffer, PauseOffer
    from console.domain.playbook import ANY, Playbook, Rule
    from console.ui.dialogs.playbook import PlaybookDialog

    window = open_window(demo)
    rules = [
        Rule(("too_expensive",), CouponOffer(coupon_id="RETAIN25-3M"), segment="high_mrr"),
        Rule(("too_expensive",), PauseOffer(pause_months=2), segment="low_mrr"),
        Rule((ANY,), ContactOffer()),
    ]
    dialog = PlaybookDialog(Playbook(rules=rules, no_repeat_discount=False), window.coupons(), ["usd"], window)
    qtbot.addWidget(dialog)
    assert dialog.unused.text() == ""
    dialog.table.selectRow(1)
    dialog.add_new_rule()  # "Add rule": too_expensive, a contact, before the catch-all
    added = dialog.table.currentRow()
    assert dialog._combo_at(added, 0).currentData() == "too_expensive"
    assert f"Rule {added + 1} is never used: rules 1 and 2 above get every customer it would." in dialog.unused.text()
    assert "Never used" in dialog._combo_at(added, 0).toolTip()
    segment = dialog._combo_at(0, 1)
    segment.setCurrentIndex(segment.findData("any"))  # rule 1 now takes every price objection alone
    assert "Rule 2 is never used: rule 1 above gets every customer it would." in dialog.unused.text()
    segment.setCurrentIndex(segment.findData("high_mrr"))
    dialog.table.selectRow(added)
    for _ in range(added):
        dialog.move_rule(-1)  # to the top: it takes them first, and the ones below it…
    assert dialog._combo_at(0, 0).toolTip() == ""
    assert "Rule 2 is never used" in dialog.unused.text() and "Rule 3 is never used" in dialog.unused.text()
