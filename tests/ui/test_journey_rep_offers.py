"""Each "Other offers" item, chosen with the mouse from the menu as a rep does, carried through its form and the
consent step by keyboard, and checked on the Stripe side (the sandbox read back with the SDK)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from console.ui.dialogs.consent import ConsentDialog
from console.ui.dialogs.offer_forms import CouponDialog, PauseDialog

from .gestures import acted, active, admin, answer, choose_menu_item, keys, retype, shown


def consent_by_keyboard(note: str):
    def act(dialog: ConsentDialog) -> None:
        QTest.keyClicks(dialog.note, note)
        QTest.keyClick(dialog.note, Qt.Key.Key_Return)

    return act


def coupon_ids(sub) -> set[str]:
    """The coupons of a subscription's discounts (expanded), whether Stripe names or embeds each coupon."""
    return {c if isinstance(c, str) else c.id for c in (d.source.coupon for d in sub.discounts if not isinstance(d, str))}


def find_and_select(qtbot, window, row) -> None:
    """Ctrl+F, type the customer's e-mail, Down into the one result."""
    active(qtbot, window)  # back to the window after a dialog (offscreen, nothing hands the focus back)
    keys(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    retype(window.queue.filters.search, row.email)
    qtbot.waitUntil(lambda: [r.subscription_id for r in shown(window)] == [row.subscription_id], timeout=5000)
    keys(window, Qt.Key.Key_Down)
    assert [r.subscription_id for r in window.queue.selected_rows()] == [row.subscription_id]


@pytest.fixture
def rep(qtbot, open_window, demo):
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    return window


def choose(qtbot, window, item: str, form=None, fill=None, note="Agreed on the phone", queue=True):
    """Other offers → `item`; fill its form (if any) by keyboard; confirm the consent by Enter; wait for the answer."""
    bar = window.queue.action_bar
    if form is not None:
        answer(form, fill)
    seen: list = []
    answer(ConsentDialog, consent_by_keyboard(note), seen)
    with acted(qtbot, window, queue=queue) as done:
        choose_menu_item(qtbot, bar.more, bar.menu, item)
    assert seen, "the consent step was shown"
    return done.args[0], seen[0]


def test_an_existing_coupon_from_the_menu(qtbot, rep, demo):
    row = next(r for r in shown(rep) if r.currency == "usd" and not r.discount and r.customer_name)
    find_and_select(qtbot, rep, row)
    action, dialog = choose(qtbot, rep, "25% off for 3 months")
    sub = admin(demo).v1.subscriptions.retrieve(row.subscription_id, {"expand": ["discounts"]})
    assert not sub.cancel_at_period_end and sub.cancel_at is None
    assert "RETAIN25-3M" in coupon_ids(sub)
    assert action.consent_note == "Agreed on the phone" and action.offer_code == "coupon:RETAIN25-3M"
    assert any("25% off for 3 months" in label.text() for label in dialog.findChildren(QLabel))  # what was agreed
    assert row.subscription_id not in {r.subscription_id for r in shown(rep)}


def test_new_coupon_through_its_form(qtbot, rep, demo):
    row = next(r for r in shown(rep) if r.currency == "eur" and r.customer_name)
    find_and_select(qtbot, rep, row)

    def fill(dialog: CouponDialog) -> None:
        dialog.kind.setFocus()
        QTest.keyClick(dialog.kind, Qt.Key.Key_Down)  # Amount off (EUR)
        retype(dialog.value, "15")
        dialog.duration.setFocus()
        QTest.keyClick(dialog.duration, Qt.Key.Key_Down)  # For a number of months
        retype(dialog.months, "2")
        retype(dialog.name, "Stay with us")
        QTest.keyClick(dialog.name, Qt.Key.Key_Return)

    before = {c.id for c in admin(demo).v1.coupons.list({"limit": 100}).data}
    action, _ = choose(qtbot, rep, "New coupon…", CouponDialog, fill)
    made = [c for c in admin(demo).v1.coupons.list({"limit": 100}).data if c.id not in before]
    assert [(c.amount_off, c.currency, c.duration, c.duration_in_months, c.name) for c in made] == [
        (1500, "eur", "repeating", 2, "Stay with us")
    ]
    sub = admin(demo).v1.subscriptions.retrieve(row.subscription_id, {"expand": ["discounts"]})
    assert made[0].id in coupon_ids(sub)
    assert action.kind == "save"


@pytest.mark.parametrize("months", [1, 2, 3])
def test_pause_for_months_from_the_menu(qtbot, rep, demo, months):
    row = next(r for r in shown(rep) if r.customer_name and r.status == "active")
    find_and_select(qtbot, rep, row)
    action, _ = choose(qtbot, rep, f"Pause {months} month{'s' if months > 1 else ''}")
    sub = admin(demo).v1.subscriptions.retrieve(row.subscription_id)
    assert sub.pause_collection is not None and not sub.cancel_at_period_end
    resumes = datetime.fromtimestamp(sub.pause_collection.resumes_at, UTC)
    assert 28 * months <= (resumes - datetime.now(UTC)).days + 1 <= 31 * months + 1
    assert action.offer_code == f"pause:{months}m"


def test_pause_until_a_date_through_its_form(qtbot, rep, demo):
    row = next(r for r in shown(rep) if r.customer_name and r.status == "active")
    find_and_select(qtbot, rep, row)
    from datetime import timedelta

    from console.ui.dates import day_text

    wanted = datetime.now(UTC).date() + timedelta(days=45)

    def fill(dialog: PauseDialog) -> None:
        dialog.until.setFocus()
        QTest.keyClick(dialog.until, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(dialog.until, day_text(wanted))  # as the field shows a day: the locale's format
        dialog.behavior.setFocus()
        QTest.keyClick(dialog.behavior, Qt.Key.Key_Down)  # Keep invoices as drafts
        QTest.keyClick(dialog.behavior, Qt.Key.Key_Return)

    choose(qtbot, rep, "Pause until a date…", PauseDialog, fill)
    sub = admin(demo).v1.subscriptions.retrieve(row.subscription_id)
    assert sub.pause_collection.behavior == "keep_as_draft"
    assert datetime.fromtimestamp(sub.pause_collection.resumes_at, UTC).date() == wanted


def test_pause_the_subscription_where_stripe_allows_it(qtbot, rep, demo):
    row = next(r for r in shown(rep) if r.pause_blocker is None)
    find_and_select(qtbot, rep, row)
    assert rep.queue.action_bar.real_pause.isEnabled()
    choose(qtbot, rep, "Pause the subscription")
    assert admin(demo).v1.subscriptions.retrieve(row.subscription_id).status == "paused"


def test_the_real_pause_is_disabled_with_the_reason_where_stripe_refuses_it(qtbot, rep):
    row = next(r for r in shown(rep) if r.pause_blocker is not None)
    find_and_select(qtbot, rep, row)
    pause = rep.queue.action_bar.real_pause
    assert not pause.isEnabled() and pause.toolTip() == row.pause_blocker


def test_revoke_only_and_record_a_contact(qtbot, rep, demo):
    row, other = [r for r in shown(rep) if r.customer_name][:2]
    find_and_select(qtbot, rep, row)
    action, _ = choose(qtbot, rep, "Revoke only")
    assert action.kind == "revoke" and not admin(demo).v1.subscriptions.retrieve(row.subscription_id).cancel_at_period_end
    find_and_select(qtbot, rep, other)
    posts = [e for e in demo.log if e.method == "POST"]
    action, dialog = choose(qtbot, rep, "Record a contact", note="Left a voicemail", queue=False)
    assert action.offer_code == "desk:contact" and action.consent_note == "Left a voicemail"  # the desk's contact
    sent = [e for e in demo.log if e.method == "POST"][len(posts) :]
    assert len(sent) == 1 and sent[0].path.endswith(other.subscription_id)  # one desk write, billing untouched
    assert set(sent[0].params) <= {"metadata", "expand"}
    assert all(k.startswith("churn_console_desk_") for k in sent[0].params["metadata"])
    assert other.subscription_id in {r.subscription_id for r in shown(rep)}  # still pending
