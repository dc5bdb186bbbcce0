"""The admin's journeys in the portal editor, driven as a person drives it: tab, list and checkbox clicks, typing,
the review read and answered by keyboard, a question box answered with the mouse."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from console.ui.portal.dialogs import DiffDialog

from .gestures import admin, answer, answer_box, answer_file_dialog, click, click_list_item, click_tab, retype, tick


def open_portal(qtbot, window, default: bool = True):
    page = window.portal_page
    click_tab(window, page)
    qtbot.waitUntil(lambda: page.loaded and page.list.count() == 2, timeout=15000)
    row = next(i for i, c in enumerate(page.configs) if c.is_default == default)
    click_list_item(page.list, row)
    qtbot.waitUntil(lambda: page.original is not None and page.original.id == page.configs[row].id, timeout=5000)
    return page


def posts(sb) -> list:
    return [e for e in sb.log if e.method == "POST"]


def test_opening_a_configuration_and_reviewing_it_finds_no_change(qtbot, open_window, demo):
    """Nothing the admin did not touch is listed or sent (products and prices keep Stripe's order)."""
    window = open_window(demo)
    for default in (True, False):
        page = open_portal(qtbot, window, default)
        before = posts(demo)
        reviews: list = []
        answer(DiffDialog, lambda d: d.reject(), reviews)  # should it open, it lists changes nobody made
        click(page.save)
        assert not reviews and "No changes to save" in page.status.text()
        assert posts(demo) == before


def test_admin_edits_reads_the_review_in_words_and_saves_by_keyboard(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    form = page.form
    retype(form.headline, "Acme: your plan, your way")
    assert not form.pause.isChecked() and not any(box.isEnabled() for box in form.pause_options.values())
    tick(form.pause)  # pausing on: its lengths can be chosen
    assert form.pause.isChecked() and all(box.isEnabled() for box in form.pause_options.values())
    tick(form.customer_update)  # updating details off: which details no longer matters
    assert not any(box.isEnabled() for box in form.customer_fields.values())
    seen: list = []
    answer(DiffDialog, lambda d: QTest.keyClick(d.table, Qt.Key.Key_Return), seen)  # Enter saves
    with qtbot.waitSignal(page.saved, timeout=15000):
        click(page.save)
    review = seen[0]
    cells = {review.table.item(i, 0).text(): (review.table.item(i, 1).text(), review.table.item(i, 2).text())
             for i in range(review.table.rowCount())}  # fmt: skip
    assert cells == {
        "Headline": ("Acme Analytics: manage your plan", "Acme: your plan, your way"),
        "Customers can pause": ("Off", "On"),
        "Customers can update their details": ("On", "Off"),
    }
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert review.width() <= screen.width() and review.height() <= screen.height()
    saved = admin(demo).v1.billing_portal.configurations.retrieve(page.original.id)
    assert saved.business_profile.headline == "Acme: your plan, your way"
    assert saved.features.subscription_pause.enabled and not saved.features.customer_update.enabled


def test_the_review_names_products_prices_and_reasons_not_their_ids(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    form = page.form
    tick(form.reasons["low_quality"])  # unticked now
    top = next(form.products.topLevelItem(i) for i in range(form.products.topLevelItemCount())
               if form.products.topLevelItem(i).checkState(0) == Qt.CheckState.Checked)  # fmt: skip
    price = next(top.child(j) for j in range(top.childCount()) if top.child(j).checkState(0) == Qt.CheckState.Unchecked)
    form.products.scrollToItem(price)
    rect = form.products.visualItemRect(price)
    click(form.products.viewport(), QPoint(rect.left() + 10, rect.center().y()))  # on its check box
    assert price.checkState(0) == Qt.CheckState.Checked
    seen: list = []
    answer(DiffDialog, lambda d: QTest.keyClick(d.table, Qt.Key.Key_Escape), seen)  # Esc: nothing is sent
    before = posts(demo)
    click(page.save)
    qtbot.waitUntil(lambda: bool(seen) and QApplication.activeModalWidget() is None, timeout=5000)
    table = seen[0].table
    texts = [table.item(i, j).text() for i in range(table.rowCount()) for j in range(3)]
    assert "Reasons offered" in texts and "Products and prices to switch between" in texts
    assert not any("prod_" in t or "price_" in t or "fo_" in t or "low_quality" in t for t in texts), texts
    assert any("Quality was less than expected" in t for t in texts)
    assert any("price_" in table.item(i, 2).toolTip() for i in range(table.rowCount()))  # the ids, on hover
    assert posts(demo) == before


def test_switching_configuration_with_unsaved_edits_asks_first(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    default_id = page.original.id
    retype(page.form.headline, "Half-typed headline")
    other = next(i for i, c in enumerate(page.configs) if not c.is_default)
    asked: list = []
    answer_box(QMessageBox.StandardButton.Cancel, asked)
    click_list_item(page.list, other)
    qtbot.waitUntil(lambda: bool(asked) and QApplication.activeModalWidget() is None, timeout=5000)
    assert "Discard your changes" in asked[0].text()
    assert page.original.id == default_id and page.form.headline.text() == "Half-typed headline"
    assert page.list.currentRow() == next(i for i, c in enumerate(page.configs) if c.id == default_id)
    answer_box(QMessageBox.StandardButton.Discard, asked)
    click_list_item(page.list, other)
    qtbot.waitUntil(lambda: page.original.id == page.configs[other].id, timeout=5000)
    assert len(asked) == 2
    assert admin(demo).v1.billing_portal.configurations.retrieve(default_id).business_profile.headline != "Half-typed headline"


def test_reload_and_new_ask_before_dropping_edits_and_quitting_does_too(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    retype(page.form.headline, "Unsaved")
    for button in ("Reload", "New"):
        asked: list = []
        answer_box(QMessageBox.StandardButton.Cancel, asked)
        click(page.buttons[button])
        qtbot.waitUntil(lambda asked=asked: bool(asked) and QApplication.activeModalWidget() is None, timeout=5000)
        assert page.form.headline.text() == "Unsaved", button
    asked = []
    answer_box(QMessageBox.StandardButton.Cancel, asked)
    window.close()  # as the window manager's close button does
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert window.isVisible() and page.form.headline.text() == "Unsaved"


def test_fields_are_checked_as_you_type_and_a_fixed_field_loses_its_error(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    form = page.form
    retype(form.privacy, "http://acme.example/privacy")
    assert form.errors["privacy_policy_url"].isVisible()
    assert "https://" in form.errors["privacy_policy_url"].text()
    QTest.keyClick(form.privacy, Qt.Key.Key_Home)
    QTest.keyClick(form.privacy, Qt.Key.Key_Right)
    QTest.keyClick(form.privacy, Qt.Key.Key_Right)
    QTest.keyClick(form.privacy, Qt.Key.Key_Right)
    QTest.keyClick(form.privacy, Qt.Key.Key_Right)
    QTest.keyClicks(form.privacy, "s")
    assert form.privacy.text() == "https://acme.example/privacy"
    assert not form.errors["privacy_policy_url"].isVisible() and not form.errors["privacy_policy_url"].text()


def test_the_default_configuration_says_why_it_cannot_be_deactivated(qtbot, open_window, demo):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    button = page.buttons["Deactivate"]
    assert not button.isEnabled() and "default" in button.toolTip()
    page = open_portal(qtbot, window, default=False)
    assert button.isEnabled()
    assert [page.list.item(i).text().count("(default)") for i in range(page.list.count())] in ([1, 0], [0, 1])


def test_export_then_import_through_the_file_dialogs_changes_nothing(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    page = open_portal(qtbot, window)
    path = tmp_path / "portal.json"
    answer_file_dialog(path)
    click(page.buttons["Export…"])
    qtbot.waitUntil(path.exists, timeout=5000)
    assert "Exported to" in page.status.text()
    retype(page.form.headline, "Edited after the export")
    asked: list = []
    answer_box(QMessageBox.StandardButton.Discard, asked)  # importing replaces the form: it asks first
    folders: list = []
    answer_file_dialog(path, folders)
    click(page.buttons["Import…"])
    qtbot.waitUntil(lambda: "Imported onto" in page.status.text(), timeout=5000)
    assert asked and folders == [str(tmp_path)]  # the open dialog started where the export went
    reviews: list = []
    answer(DiffDialog, lambda d: d.reject(), reviews)
    click(page.save)
    assert not reviews and "No changes to save" in page.status.text()
