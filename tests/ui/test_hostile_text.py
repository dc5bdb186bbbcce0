"""Customer-controlled text is text: names, e-mails and comments that look like markup are shown as typed."""

from __future__ import annotations

import stripe
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from console.ui.queue.model import ROW_ROLE
from tests.support.reliability import record

NAME = "<h1>ACCOUNT LOCKED</h1><a href=https://evil.example>re-verify your Stripe login</a><img width=8000 src=x>"
COMMENT = "can't <b>stop</b> & won't"


def pending_with(demo, name: str, comment: str):
    """A pending cancellation whose customer is now called `name`, with `comment` as the reason's words."""
    admin = stripe.StripeClient(demo.secret_key, base_addresses={"api": demo.url})
    target = next(
        s
        for s in admin.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
        if s.cancel_at_period_end and s.status == "active"
    )
    admin.v1.customers.update(target.customer, {"name": name})
    admin.v1.subscriptions.update(target.id, {"cancellation_details": {"comment": comment}})
    return admin, target


def test_a_hostile_name_and_comment_show_as_plain_text_everywhere(qtbot, open_window, demo):
    _admin, target = pending_with(demo, NAME, COMMENT)
    window = open_window(demo)
    window.resize(1280, 800)
    window.queue.select_subscription(target.id)
    detail = window.queue.detail
    qtbot.waitUntil(lambda: detail.title.text() == NAME, timeout=10000)
    for label in (detail.title, detail.email, detail.reason, detail.comment):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert detail.comment.text() == COMMENT  # not "can&#x27;t"
    assert window.width() < 2000 and detail.width() < 2000  # an <img width=8000> does not widen anything
    proxy = window.queue.proxy
    row = next(i for i in range(proxy.rowCount()) if proxy.data(proxy.index(i, 0), ROW_ROLE).subscription_id == target.id)
    comment_col = next(c for c in range(proxy.columnCount()) if proxy.headerData(c, Qt.Orientation.Horizontal) == "Comment")
    tip = proxy.data(proxy.index(row, comment_col), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;stop&lt;/b&gt;" in tip and "<b>stop" not in tip  # escaped: Qt would render it
    assert proxy.data(proxy.index(row, 0), Qt.ItemDataRole.DisplayRole).startswith("<h1>")  # the cell: plain text
    rich = [
        w
        for w in window.findChildren(QLabel)
        if "ACCOUNT LOCKED" in w.text() and w.textFormat() != Qt.TextFormat.PlainText and "&lt;h1&gt;" not in w.text()
    ]
    assert rich == []
    record(hostile_inputs=2)


def test_a_hostile_owner_and_note_on_the_save_desk_stay_text(qtbot, open_window, demo):
    """Reps' names and notes come from other consoles through Stripe's metadata: as untrusted as a customer's."""
    from datetime import UTC, datetime

    from console.domain import desk
    from console.ui.queue.detail import timeline_html

    admin = stripe.StripeClient(demo.secret_key, base_addresses={"api": demo.url})
    target = next(
        s
        for s in admin.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
        if s.cancel_at_period_end and s.status == "active"
    )
    now = datetime.now(UTC)
    admin.v1.subscriptions.update(
        target.id, {"metadata": desk.for_take(NAME[:200], now) | desk.for_note(COMMENT, NAME[:200], now)}
    )
    window = open_window(demo)
    proxy = window.queue.proxy
    row = next(i for i in range(proxy.rowCount()) if proxy.data(proxy.index(i, 0), ROW_ROLE).subscription_id == target.id)
    owner_col = next(c for c in range(proxy.columnCount()) if proxy.headerData(c, Qt.Orientation.Horizontal) == "Owner")
    assert proxy.data(proxy.index(row, owner_col), Qt.ItemDataRole.DisplayRole).startswith("<h1>")  # a plain cell
    tip = proxy.data(proxy.index(row, owner_col), Qt.ItemDataRole.ToolTipRole)
    assert "&lt;h1&gt;" in tip and "<h1>" not in tip and "&lt;b&gt;stop" in tip
    shown = timeline_html(window.workspace.timeline(target.id))
    assert "&lt;h1&gt;ACCOUNT LOCKED" in shown and "<h1>" not in shown  # the timeline is rich text: escaped
    record(hostile_inputs=2)


def test_a_name_with_a_bidirectional_override_cannot_reorder_what_the_window_shows(qtbot, open_window, demo):
    """The name "Ann\u202e<img src=x>" drew as "Ann<x=crs gmi>" (the demo's hostile-text screenshot): an override or isolate
    reverses what follows it ("Trojan Source"). The window shows each as its escape, as the terminal does; the name
    on Stripe is left as the customer typed it."""
    name, comment = "Ann \u202e<img src=x>", "refund \u2066now\u2069 or \u202bcancel"
    admin, target = pending_with(demo, name, comment)
    window = open_window(demo)
    window.queue.select_subscription(target.id)
    detail = window.queue.detail
    qtbot.waitUntil(lambda: detail.title.text().startswith("Ann"), timeout=10000)

    assert detail.title.text() == "Ann \\u202e<img src=x>"
    assert detail.comment.text() == "refund \\u2066now\\u2069 or \\u202bcancel"
    proxy = window.queue.proxy
    row = next(i for i in range(proxy.rowCount()) if proxy.data(proxy.index(i, 0), ROW_ROLE).subscription_id == target.id)
    comment_col = next(c for c in range(proxy.columnCount()) if proxy.headerData(c, Qt.Orientation.Horizontal) == "Comment")
    shown = [
        proxy.data(proxy.index(row, 0), Qt.ItemDataRole.DisplayRole),
        proxy.data(proxy.index(row, comment_col), Qt.ItemDataRole.DisplayRole),
        proxy.data(proxy.index(row, comment_col), Qt.ItemDataRole.ToolTipRole),
    ]
    assert shown[0] == "Ann \\u202e<img src=x>" and "\\u2066now\\u2069" in shown[1]
    assert not any(ch in text for text in shown for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    assert admin.v1.customers.retrieve(target.customer).name == name  # shown escaped, never changed
    record(hostile_inputs=2)


def test_the_filter_bar_shows_a_plan_or_reason_with_an_override_escaped_and_still_filters_by_it(qtbot):
    """Plan names and the portal's custom reasons are anyone's text too (the sandbox cannot rename a product)."""
    from console.ui.queue.filter_bar import FilterBar
    from console.ui.queue.table import Choices

    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_choices(Choices(["usd"], ["Pro \u202eXL monthly (USD)"], [("fo_1", "Too \u2067slow")]))
    plan = bar.plan.findData("Pro \u202eXL monthly (USD)")  # the data is the plan as the rows hold it
    assert plan > 0 and bar.plan.itemText(plan) == "Pro \\u202eXL monthly (USD)"
    reason = bar.reason.findData("fo_1")
    assert bar.reason.itemText(reason) == "Too \\u2067slow"
