"""The portal editor, driven through its widgets; Stripe (the sandbox) is read back with the SDK."""

from __future__ import annotations

import stripe
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from console.domain.portal import PortalConfig
from console.ui.portal.dialogs import DiffDialog

REASONS = ["too_expensive", "missing_features", "switched_service", "unused", "too_complex", "other"]


def client_for(sb):
    return stripe.StripeClient(sb.key, base_addresses={"api": sb.url})


def on_dialog(qtbot, act, seen: list, count: int = 1):
    """Answer the next `count` review/conflict dialogs with `act`, as they open."""

    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, DiffDialog) and dialog not in seen:
            seen.append(dialog)
            act(dialog)
        if len(seen) < count:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def open_portal(qtbot, window):
    window.tabs.setCurrentWidget(window.portal_tab)  # the page is built when its tab is first shown
    page = window.portal_page
    qtbot.waitUntil(lambda: page.loaded and page.list.count() == 2, timeout=15000)
    return page


def test_create_the_asked_configuration_through_the_editor(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    qtbot.mouseClick(page.buttons["New"], Qt.MouseButton.LeftButton)
    form = page.form
    form.name.setText("Retention first")
    form.headline.setText("Manage your subscription")
    form.privacy.setText("https://acme.example/privacy")
    form.terms.setText("https://acme.example/terms")
    form.customer_update.setChecked(True)
    for code in ("email", "address", "phone"):
        form.customer_fields[code].setChecked(True)
    form.payment_method_update.setChecked(True)
    form.cancel.setChecked(True)
    form.reasons_enabled.setChecked(True)
    for code in REASONS:
        form.reasons[code].setChecked(True)
    form.plan_switching.setChecked(True)
    form.plan_updates["price"].setChecked(True)
    form.plan_updates["quantity"].setChecked(True)
    form.plan_proration.setCurrentIndex(form.plan_proration.findData("create_prorations"))
    team = next(
        form.products.topLevelItem(i)
        for i in range(form.products.topLevelItemCount())
        if form.products.topLevelItem(i).text(0) == "Team"
    )
    team.setCheckState(0, Qt.CheckState.Checked)
    usd = [team.child(j) for j in range(team.childCount()) if "(USD)" in team.child(j).text(0)][:2]
    for child in usd:
        child.setCheckState(0, Qt.CheckState.Checked)
    form.invoice_history.setChecked(True)
    seen: list = []
    on_dialog(qtbot, lambda d: d.accept(), seen)
    with qtbot.waitSignal(page.saved, timeout=15000) as blocker:
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert seen and seen[0].table.rowCount() >= 10  # the review listed the fields before sending
    created = blocker.args[0]
    obj = client_for(demo).v1.billing_portal.configurations.retrieve(created.id)
    f = obj.features
    assert obj.name == "Retention first" and obj.business_profile.headline == "Manage your subscription"
    assert obj.business_profile.privacy_policy_url == "https://acme.example/privacy"
    assert obj.business_profile.terms_of_service_url == "https://acme.example/terms"
    assert sorted(f.customer_update.allowed_updates) == ["address", "email", "phone"] and f.customer_update.enabled
    assert f.payment_method_update.enabled and f.invoice_history.enabled
    assert f.subscription_cancel.enabled and f.subscription_cancel.mode == "at_period_end"
    assert f.subscription_cancel.cancellation_reason.options == REASONS
    assert f.subscription_update.enabled and f.subscription_update.default_allowed_updates == ["price", "quantity"]
    assert f.subscription_update.proration_behavior == "create_prorations"
    assert [(p.product, p.prices) for p in f.subscription_update.products] == [
        (team.data(0, Qt.ItemDataRole.UserRole), [c.data(0, Qt.ItemDataRole.UserRole) for c in usd])
    ]


def test_invalid_fields_show_at_the_field_and_nothing_is_sent(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    form = page.form
    form.privacy.setText("http://insecure.example")
    form.return_url.setText("not a url")
    form.headline.setText("x" * 70)
    form.cancel_mode.setCurrentIndex(form.cancel_mode.findData("at_period_end"))
    form.cancel_proration.setCurrentIndex(form.cancel_proration.findData("always_invoice"))
    form.reasons_enabled.setChecked(True)
    for box in form.reasons.values():
        box.setChecked(False)
    before = len(demo.log)
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    for field in ("privacy_policy_url", "default_return_url", "headline", "cancel_proration", "reasons"):
        assert form.errors[field].isVisible() or form.errors[field].text(), field
        assert form.errors[field].text()
    assert "nothing was sent" in page.status.text()
    assert not [e for e in demo.log[before:] if e.method == "POST"]


def test_a_change_made_elsewhere_is_shown_not_overwritten(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    config = page.original
    client_for(demo).v1.billing_portal.configurations.update(
        config.id, {"business_profile": {"headline": "A colleague's headline"}}
    )
    page.form.headline.setText("My headline")
    seen: list = []
    on_dialog(qtbot, lambda d: d.accept() if d.objectName() == "reviewDialog" else d.reject(), seen, count=2)
    with qtbot.waitSignal(page.failed, timeout=15000):
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=5000)
    assert [d.objectName() for d in seen] == ["reviewDialog", "conflictDialog"]
    conflict_fields = [seen[1].table.item(i, 0).text() for i in range(seen[1].table.rowCount())]
    assert conflict_fields == ["Headline"]  # in words; the code is in the tooltip
    assert (
        client_for(demo).v1.billing_portal.configurations.retrieve(config.id).business_profile.headline
        == "A colleague's headline"
    )
    assert "changed on Stripe" in page.status.text()


def test_export_then_import_shows_no_changes(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    path = tmp_path / "portal.json"
    path.write_text(page.original.to_json())
    page.import_(str(path))
    assert page.form.value().diff(page.original) == []
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    assert "No changes" in page.status.text()
    assert PortalConfig.from_json(path.read_text()).to_json() == page.original.to_json()


def answer_input(qtbot, text: str):
    """Type `text` into the next QInputDialog and press OK."""
    from PySide6.QtWidgets import QInputDialog

    def poll():
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QInputDialog):
            dialog.setTextValue(text)
            dialog.accept()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_custom_reasons_are_created_renamed_deactivated_and_offered(qtbot, open_window, demo):
    """Feedback Options API from the portal editor: New reason…, Rename…, Deactivate act on Stripe at once;
    ticking a reason is saved with the configuration (`cancellation_reason.feedback_options`)."""
    admin = client_for(demo)
    window = open_window(demo)
    page = open_portal(qtbot, window)
    page.list.setCurrentRow(next(i for i, c in enumerate(page.configs) if c.is_default))
    custom = page.form.custom
    seeded = [o.id for o in admin.v1.billing.feedback_options.list({"status": "active"}).data]
    assert sorted(custom.selected()) == sorted(seeded)  # the demo's default survey offers them all
    answer_input(qtbot, "Budget <b>frozen</b> until Q3")
    qtbot.mouseClick(custom.new, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: custom.list.count() == len(seeded) + 1, timeout=10000)
    made = next(o for o in admin.v1.billing.feedback_options.list({"limit": 100}).data if o.description.startswith("Budget"))
    assert made.description == "Budget <b>frozen</b> until Q3" and made.id in custom.selected()
    item = next(
        custom.list.item(i) for i in range(custom.list.count()) if custom.list.item(i).data(Qt.ItemDataRole.UserRole) == made.id
    )
    assert item.text() == "Budget <b>frozen</b> until Q3"  # plain text, as typed
    custom.list.setCurrentItem(item)
    answer_input(qtbot, "Budget frozen until next year")
    qtbot.mouseClick(custom.rename, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: admin.v1.billing.feedback_options.retrieve(made.id).description == "Budget frozen until next year", timeout=10000
    )
    retired = seeded[0]
    custom.list.setCurrentItem(
        next(
            custom.list.item(i)
            for i in range(custom.list.count())
            if custom.list.item(i).data(Qt.ItemDataRole.UserRole) == retired
        )
    )
    qtbot.mouseClick(custom.deactivate, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: retired not in custom.selected(), timeout=10000)
    assert admin.v1.billing.feedback_options.retrieve(retired).status == "inactive"
    seen: list = []
    on_dialog(qtbot, lambda d: d.accept(), seen)
    with qtbot.waitSignal(page.saved, timeout=15000) as saved:
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    offered = admin.v1.billing_portal.configurations.retrieve(saved.args[0].id).features.subscription_cancel.cancellation_reason
    assert made.id in offered.feedback_options and retired not in offered.feedback_options


def test_a_too_long_custom_reason_is_refused_under_the_list(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    before = len(client_for(demo).v1.billing.feedback_options.list({"limit": 100}).data)
    answer_input(qtbot, "x" * 101)
    with qtbot.waitSignal(page.failed, timeout=10000):
        qtbot.mouseClick(page.form.custom.new, Qt.MouseButton.LeftButton)
    assert "100 characters" in page.form.errors["feedback_options"].text()
    assert len(client_for(demo).v1.billing.feedback_options.list({"limit": 100}).data) == before


def test_after_a_new_reason_is_saved_the_editor_is_clean_and_says_what_it_saved(qtbot, open_window, demo):
    """New reason…, Review and save: Stripe returns the custom reasons in its own order, which is no change;
    Discard has nothing to discard, switching asks nothing, and the status line names what was saved."""
    window = open_window(demo)
    page = open_portal(qtbot, window)
    page.list.setCurrentRow(next(i for i, c in enumerate(page.configs) if c.is_default))
    custom = page.form.custom
    before = custom.list.count()
    answer_input(qtbot, "Moving to an in-house tool")
    qtbot.mouseClick(custom.new, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: custom.list.count() == before + 1, timeout=10000)
    assert "Review and save" in page.status.text()
    seen: list = []
    on_dialog(qtbot, lambda d: d.accept(), seen)
    with qtbot.waitSignal(page.saved, timeout=15000):
        qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.list.count() == 2 and not window.runner.busy, timeout=15000)
    qtbot.waitUntil(lambda: page.status.text().startswith("Saved") or "Saved" in page.status.text(), timeout=10000)
    assert "configurations." not in page.status.text()  # the save's own words, not the reload's count
    assert not page.unsaved() and page.form.value().diff(page.original) == []
    other = next(i for i, c in enumerate(page.configs) if not c.is_default)
    page.list.setCurrentRow(other)  # no "Discard your changes?" question: nothing is unsaved
    assert page.original.id == page.configs[other].id


def test_an_import_of_a_new_configuration_clears_the_list_and_discard_goes_back(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    shown_before = page.original
    stripe_shape = tmp_path / "stripe.json"
    stripe_shape.write_text(page.original.to_stripe_json())  # Stripe's own body: no id, so a new configuration
    answer_box_button(qtbot, "As a new configuration")  # Stripe's shape names none: the editor asks which
    page.import_(str(stripe_shape))
    assert "Imported as a new configuration" in page.status.text()
    assert page.list.currentRow() == -1 and not page.list.selectedItems()  # the old one is not highlighted
    assert page.original.id is None and page.unsaved()
    qtbot.mouseClick(page.discard, Qt.MouseButton.LeftButton)
    assert page.original.id == shown_before.id and not page.unsaved()  # back where the admin was
    assert page.configs[page.list.currentRow()].id == shown_before.id
    assert page.status.text().endswith("Changes discarded.</span>") or "Changes discarded." in page.status.text()


def test_custom_reason_ticks_look_disabled_while_customers_cannot_cancel(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    form = page.form
    form.cancel.setChecked(False)
    form.follow_features()
    item = form.custom.list.item(0)
    assert not item.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert "turn on “Customers can cancel”" in item.toolTip()
    from PySide6.QtGui import QPalette

    assert item.foreground().color() == form.custom.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    form.cancel.setChecked(True)
    form.reasons_enabled.setChecked(True)
    form.follow_features()
    assert item.flags() & Qt.ItemFlag.ItemIsUserCheckable and "turn on" not in item.toolTip()


def answer_box_button(qtbot, text: str) -> None:
    """Click the button named `text` in the next message box."""
    from PySide6.QtWidgets import QMessageBox

    def poll():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            next(b for b in box.buttons() if b.text() == text).click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)


def test_export_in_stripes_shape_then_import_it_onto_the_configuration_shown(qtbot, open_window, demo, tmp_path):
    """Export… offers both shapes; Stripe's (the API body, no id) imported onto the configuration shown is no change,
    as `portal apply FILE --to bpc_…` would say."""
    import json

    from console.ui.portal.exchange import STRIPE_SHAPE
    from tests.ui.gestures import answer_file_dialog

    window = open_window(demo)
    page = open_portal(qtbot, window)
    shown = page.original
    path = tmp_path / "stripe-shape.json"
    answer_file_dialog(path, kind=STRIPE_SHAPE)
    qtbot.mouseClick(page.buttons["Export…"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(path.exists, timeout=10000)
    body = json.loads(path.read_text("utf-8"))
    assert "features" in body and "format" not in body and "id" not in body  # Stripe's own shape
    answer_box_button(qtbot, f"Onto “{shown.name or shown.id}”")
    page.import_(str(path))
    assert page.original.id == shown.id and f"Imported onto {shown.id}" in page.status.text()
    assert page.form.value().diff(page.original) == []  # the same configuration: nothing to save
