"""Every label and tooltip of every page and dialog, with markup in every field that holds outside text: none renders it.

Outside text: customers' names, e-mails and comments; the save desk's owners and notes (other consoles, through
Stripe's metadata); coupon, product, price, portal configuration and feedback option names; the portal's headline;
the profile's label. Each carries MARK. A widget renders markup when the text a person sees holds HOSTILE without
its tags: the tags were taken as markup (issue "Nothing lost, II", point 3).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt  # Qt::mightBeRichText lives in QtGui
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QTextEdit

from console.domain import desk
from console.domain.offers import CouponOffer
from console.sandbox.app import Sandbox
from console.services.connection import Connection
from console.stripe_gateway import StripeGateway
from console.ui.dialogs.consent import ConsentDialog
from console.ui.dialogs.desk import NoteDialog, OutreachDialog
from console.ui.dialogs.playbook import PlaybookDialog
from console.ui.dialogs.templates import TemplatesDialog
from console.ui.help import ShortcutsDialog
from console.ui.main_window import MainWindow
from console.ui.preferences import PreferencesDialog
from tests.support.reliability import record
from tests.ui.gestures import admin, answer, click_tab

# A coupon name holds 40 characters: this fits with a word. It ends in a right-to-left override, which must not reach
# what a person sees either: shown, it reverses what follows ("Trojan Source"); the window shows it as `\u202e`.
MARK = "<i style='color:red'>HOSTILE</i>\u202e"
SEEN = "HOSTILE"
OVERRIDE = "\u202e"


def visible(text: str, fmt: Qt.TextFormat) -> str:
    """What a person sees of `text` in a widget with this format (Qt renders AutoText that looks like HTML)."""
    if fmt == Qt.TextFormat.PlainText or (fmt == Qt.TextFormat.AutoText and not GuiQt.mightBeRichText(text)):
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def renders_markup(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> bool:
    shown = visible(text, fmt)
    return SEEN in shown and "<i" not in shown


def offenders(checked: list[int]) -> list[str]:
    """Every widget alive now (the window's pages and any open dialog): labels, tooltips, text views, and the
    tooltips of item views' cells."""
    found = []
    for widget in QApplication.allWidgets():
        where = f"{type(widget).__name__} {widget.objectName() or ''}".strip()
        if isinstance(widget, QLabel) and SEEN in widget.text():
            checked[0] += 1
            if renders_markup(widget.text(), widget.textFormat()) or OVERRIDE in widget.text():
                found.append(f"{where}: {widget.text()!r}")
        if SEEN in widget.toolTip():
            checked[0] += 1
            if renders_markup(widget.toolTip()) or OVERRIDE in widget.toolTip():
                found.append(f"{where} tooltip: {widget.toolTip()!r}")
        if isinstance(widget, QTextEdit) and SEEN in widget.toPlainText():
            checked[0] += 1
            if "<i" not in widget.toPlainText():
                found.append(f"{where}: {widget.toPlainText()!r}")
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()

            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # a list model (QStringListModel keeps columnCount private): one column
                columns = 1
            for row in range(min(model.rowCount(QModelIndex()), 200)):
                for col in range(columns):
                    tip = model.data(model.index(row, col), Qt.ItemDataRole.ToolTipRole)
                    if isinstance(tip, str) and SEEN in tip:
                        checked[0] += 1
                        if renders_markup(tip) or OVERRIDE in tip:
                            found.append(f"{where} cell {row},{col} tooltip: {tip!r}")
                    text = model.data(model.index(row, col), Qt.ItemDataRole.DisplayRole)
                    if isinstance(text, str) and SEEN in text and OVERRIDE in text:  # a cell, a combo's item
                        found.append(f"{where} cell {row},{col}: {text!r}")
    return found


def hostile_account(sb: Sandbox) -> str:
    """Markup in every outside field the console shows; returns the pending subscription that carries it."""
    client = admin(sb)
    sub = next(
        s
        for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
        if s.cancel_at_period_end and s.status == "active" and not s.discounts
    )
    client.v1.customers.update(sub.customer, {"name": f"Mallory {MARK}", "email": "mallory@example.com"})
    price = sub["items"].data[0].price
    with sb.state.lock:  # the sandbox serves prices and products read-only: named as a Dashboard user would
        sb.state.table("price")[price.id]["nickname"] = f"Monthly {MARK}"
        sb.state.table("product")[price.product]["name"] = f"Plan {MARK}"
    now = sb.state.clock.now()
    from datetime import UTC, datetime

    when = datetime.fromtimestamp(now, UTC)
    metadata = {**desk.for_take(f"Eve {MARK}", when), **desk.for_note(f"Call back {MARK}", f"Eve {MARK}", when)}
    client.v1.subscriptions.update(sub.id, {"cancellation_details": {"comment": f"Too pricey {MARK}"}, "metadata": metadata})
    client.v1.coupons.create({"id": "DEAL-10", "name": f"Deal {MARK}", "percent_off": 10, "duration": "once"})
    for config in client.v1.billing_portal.configurations.list({"limit": 10}).data:
        client.v1.billing_portal.configurations.update(
            config.id, {"name": f"Portal {MARK}", "business_profile": {"headline": f"Headline {MARK}"}}
        )
    client.raw_request("post", "/v1/billing/feedback_options", description=f"Reason {MARK}")
    return sub.id


def test_every_label_and_tooltip_of_every_page_and_dialog_shows_outside_markup_as_text(qtbot, tmp_path):
    checked = [0]
    with Sandbox(seed=5, customers=120) as sb:
        sub_id = hostile_account(sb)
        window = MainWindow(lambda: Connection(StripeGateway(sb.key, sb.url), "sandbox", label=f"Acme {MARK}"), tmp_path / "data")
        qtbot.addWidget(window)
        window.context.set_operator(f"Ann {MARK}")
        done: list = []
        window.synced.connect(done.append)
        window.sync_failed.connect(done.append)
        window.resize(1400, 900)
        window.show()
        qtbot.waitUntil(lambda: bool(done) and not window.runner.busy, timeout=30000)
        window.queue.select_subscription(sub_id)
        qtbot.waitUntil(lambda: SEEN in window.queue.detail.title.text(), timeout=10000)
        bad = offenders(checked)
        for page in (window.journal_page, window.portal_page, window.outcomes_tab, window.overview):
            click_tab(window, page)
            qtbot.wait(300)
            qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
            bad += offenders(checked)
        click_tab(window, window.queue)
        window.queue.select_subscription(sub_id)

        def look_and_close(dialog) -> None:
            bad.extend(offenders(checked))
            dialog.reject()

        for kind, open_it in (
            (NoteDialog, window.queue.desk.note),
            (OutreachDialog, window.queue.desk.write),
            (PreferencesDialog, lambda: _menu(window, "&Preferences…")),
            (PlaybookDialog, lambda: _menu(window, "Retention &playbook…")),
            (TemplatesDialog, lambda: _menu(window, "E-mail &templates…")),
            (ShortcutsDialog, lambda: _menu(window, "&Keyboard shortcuts")),
        ):
            answer(kind, look_and_close)
            open_it()
            qtbot.wait(50)
        answer(ConsentDialog, look_and_close)
        window.queue.controller.offer_chosen(CouponOffer(coupon_id="DEAL-10"))  # "Other offers" → the coupon
        qtbot.wait(200)
    assert bad == [], "\n".join(sorted(set(bad)))
    assert checked[0] >= 20, f"only {checked[0]} labels and tooltips held the hostile text"
    record(hostile_inputs=checked[0])
    print(f"labels and tooltips checked with hostile text: {checked[0]}")


def _menu(window, text: str) -> None:
    for action in window.menuBar().actions():
        for item in action.menu().actions():
            if item.text() == text:
                item.trigger()
                return
    raise AssertionError(f"no menu entry {text!r}")
