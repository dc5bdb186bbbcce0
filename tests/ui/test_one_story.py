"""One story across the window and the command line (issue "One story across the window and the command line")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime

from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from console.ui.dialogs.consent import ConsentDialog
from console.ui.preferences import PreferencesDialog
from console.ui.queue.model import COLUMNS, DUE_ROLE
from tests.ui.gestures import active, admin, answer, choose_from_menu_bar, click_row, click_tab, sequence, shown


def test_the_overview_loads_after_a_relaunch_whose_first_sync_changes_nothing(qtbot, open_window, demo):
    first = open_window(demo)
    qtbot.waitUntil(lambda: first.overview.shown_once, timeout=20000)
    first.close()
    again = open_window(demo)  # the same data dir: the relaunch's sync finds no new event
    click_tab(again, again.overview)
    qtbot.waitUntil(lambda: again.overview.shown_once, timeout=20000)
    card = again.overview.cards["subscriptions"]
    assert card.value.text() not in ("…", "") and again.overview.heading.text() == "Overview"
    assert "Connecting" not in again.overview.heading.text()


def _cli(sb, data, *argv: str) -> tuple[int, str, str]:
    """`churn-console ARGS…` as its own process on the window's data dir, with no operator in the environment."""
    env = {k: v for k, v in os.environ.items() if k != "CHURN_CONSOLE_OPERATOR"}
    env["STRIPE_API_KEY"] = sb.key
    done = subprocess.run(
        [sys.executable, "-m", "console", "--data-dir", str(data), "--api-base", sb.url, *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def _owner(sb, sub_id: str) -> str | None:
    return admin(sb).v1.subscriptions.retrieve(sub_id).metadata.to_dict().get("churn_console_desk_owner")


def test_the_name_typed_in_preferences_is_the_clis_operator_too(qtbot, open_window, demo, monkeypatch):
    monkeypatch.delenv("CHURN_CONSOLE_OPERATOR", raising=False)
    window = open_window(demo)

    def type_name(dialog: PreferencesDialog) -> None:
        dialog.operator.setFocus()
        dialog.operator.selectAll()
        QTest.keyClicks(dialog.operator, "Priya Patel")
        QTest.keyClick(dialog.operator, Qt.Key.Key_Return)

    answer(PreferencesDialog, type_name)
    choose_from_menu_bar(qtbot, window, "File", "Preferences…")
    qtbot.waitUntil(lambda: window.context.operator() == "Priya Patel", timeout=10000)
    first, second = shown(window)[:2]
    window.queue.select_subscription(first.subscription_id)
    window.queue.desk.buttons["take"].click()
    qtbot.waitUntil(
        lambda: _owner(demo, first.subscription_id) == "Priya Patel",
        timeout=20000,
    )
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)

    code, out, err = _cli(demo, window.data_dir, "queue", "--mine", "--format", "json")
    assert code == 0, err
    assert [r["subscription"] for r in json.loads(out)] == [first.subscription_id]  # the window's take is the CLI's "mine"
    code, out, err = _cli(demo, window.data_dir, "take", second.subscription_id)
    assert code == 0, err
    assert _owner(demo, second.subscription_id) == "Priya Patel"  # the CLI signs with the same name


def test_a_contact_recorded_from_the_offer_button_reaches_the_desk_in_the_window_and_the_cli(qtbot, open_window, demo):
    """Ctrl+Enter on a row whose offer is "Contact the customer", then Enter: the same use case as the desk's
    Contacted, so the Desk column, the timeline, Stripe's metadata and `queue --format json` all move."""
    window = open_window(demo)
    window.context.set_operator("Dana (CS)")
    active(qtbot, window)
    at = next(i for i, r in enumerate(shown(window)) if window.recommendation(r).kind == "contact" and r.desk.state == "new")
    click_row(window.queue.table, at)
    row = window.queue.selected_rows()[0]

    def by_phone_then_enter(dialog: ConsentDialog) -> None:
        dialog.channel.setCurrentIndex(dialog.channel.findData("call"))
        QTest.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter: the default button

    answer(ConsentDialog, by_phone_then_enter)
    sequence(window, "Ctrl+Enter")
    model = window.queue.model
    qtbot.waitUntil(lambda: model.rows[model.row_of(row.subscription_id)].desk.state == "contacted", timeout=20000)
    assert model.index(model.row_of(row.subscription_id), COLUMNS.index("Desk")).data() == "Contacted"
    timeline = window.workspace.timeline(row.subscription_id)
    assert any("contact" in str(entry["detail"]).lower() for entry in timeline), timeline
    held = admin(demo).v1.subscriptions.retrieve(row.subscription_id).metadata.to_dict()
    assert held["churn_console_desk_state"] == "contacted" and held["churn_console_desk_contact"].startswith("call ")
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    code, out, err = _cli(demo, window.data_dir, "queue", "--format", "json")
    assert code == 0, err
    mine = next(r for r in json.loads(out) if r["subscription"] == row.subscription_id)
    assert mine["desk_state"] == "contacted" and mine["last_contact"] is not None


def test_due_is_one_rule_in_the_window_and_the_cli(qtbot, open_window, demo):
    """The rows the window shows in bold as Due are the rows `queue --due` lists, and the CLI's Desk column says
    Due for each, as the window's does (one rule, domain.desk.Desk.due, and one wording, column_words)."""
    window = open_window(demo)
    today = datetime.now(UTC).date().isoformat()
    target = shown(window)[-1]
    code, _, err = _cli(demo, window.data_dir, "note", target.subscription_id, "Call back", "--follow-up", today)
    assert code == 0, err
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    model = window.queue.model
    bold = {r.subscription_id for i, r in enumerate(model.rows) if model.index(i, 0).data(DUE_ROLE)}
    assert target.subscription_id in bold
    code, out, err = _cli(demo, window.data_dir, "queue", "--due", "--format", "json")
    assert code == 0, err
    listed = json.loads(out)
    assert {r["subscription"] for r in listed} == bold and all(r["due"] for r in listed)
    code, out, err = _cli(demo, window.data_dir, "queue", "--due")
    assert code == 0, err
    assert sum(" Due" in line for line in out.splitlines()) == len(bold)  # the CLI's Desk column, each row
    for sub_id in bold:
        assert model.index(model.row_of(sub_id), COLUMNS.index("Desk")).data().startswith("Due")


def test_the_timeline_says_offers_channels_coupons_and_the_rows_own_reason_in_words():
    """No internal code reaches the timeline: a save's offer by its terms and its channel by name, a discount by
    the coupon's terms, an e-mail's template by its label, and the ask's reason as the Reason column says it."""
    from console.domain.models import Coupon
    from console.ui.queue.detail import timeline_html

    coupon = Coupon("churn-console-15-off-once", None, 15.0, None, None, "once", None, True, 0, None)
    entries = [
        {"at": 1_796_000_000, "kind": "cancel_scheduled", "detail": {"feedback": None}},
        {"at": 1_796_000_100, "kind": "console_save",
         "detail": {"offer": "coupon:churn-console-15-off-once", "operator": "Dana", "consent": "call"}},
        {"at": 1_796_000_200, "kind": "discounts_changed", "detail": {"coupons": ["churn-console-15-off-once"]}},
    ]  # fmt: skip
    text = timeline_html(entries, {coupon.id: coupon}, reason="Budget approval fell through")
    assert "churn-console-15-off-once" not in text and "coupon:" not in text and "(call)" not in text
    assert "15% off once" in text and "phone call" in text and "Budget approval fell through" in text
    assert "No answer" not in text


def test_view_goes_to_each_page_and_switches_the_theme_which_is_kept(qtbot, open_window, demo, monkeypatch):
    from PySide6.QtWidgets import QApplication

    monkeypatch.delenv("CHURN_CONSOLE_THEME", raising=False)
    window = open_window(demo)
    choose_from_menu_bar(qtbot, window, "View", "Journal")
    assert window.tabs.currentWidget() is window.journal_page
    choose_from_menu_bar(qtbot, window, "View", "Overview")
    assert window.tabs.currentWidget() is window.overview
    app = QApplication.instance()
    kept = (app.styleSheet(), app.palette(), app.property("colorScheme"), app.property("themeChoice"))
    try:
        _switch_themes(qtbot, window, app)
    finally:  # the tests share one QApplication: the next ones run as before this one
        app.setStyleSheet(kept[0])
        app.setPalette(kept[1])
        app.setProperty("colorScheme", kept[2])
        app.setProperty("themeChoice", kept[3])
    prefs = PreferencesDialog(window.settings, window, data_dir=window.data_dir)
    qtbot.addWidget(prefs)
    assert "currency" in prefs.min_mrr.suffix()  # the threshold says what it is in


def _switch_themes(qtbot, window, app) -> None:
    choose_from_menu_bar(qtbot, window, "View", "Theme", "Dark")
    assert app.property("colorScheme") == "dark"  # at once, the whole window
    assert window.settings.value("view/theme") == "dark"  # and kept for the next start
    choose_from_menu_bar(qtbot, window, "View", "Theme", "Follow the system")
    assert app.property("colorScheme") == "light"  # the offscreen platform says nothing: light


def test_one_date_format_in_the_note_dialog_the_pause_dialog_and_the_timeline(qtbot):
    """The Note dialog, the pause dialog and the timeline write a day alike: the locale's short date with the
    year in full (ui/dates.py); it showed "8 12 2026", "2027-01-06" and "06 Dec 2026"."""
    from datetime import date

    from PySide6.QtCore import QLocale

    from console.ui.dates import day_format, day_text
    from console.ui.dialogs.desk import NoteDialog
    from console.ui.dialogs.offer_forms import PauseDialog
    from console.ui.queue.detail import timeline_html

    for name in ("en_US", "en_GB", "de_DE"):
        QLocale.setDefault(QLocale(name))
        try:
            note, pause = NoteDialog("Ann"), PauseDialog()
            qtbot.addWidget(note)
            qtbot.addWidget(pause)
            assert note.date.displayFormat() == pause.until.displayFormat() == day_format()
            assert "yyyy" in day_format()
            moment = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
            shown = timeline_html([{"at": int(moment.timestamp()), "kind": "paused", "detail": {}}])
            assert day_text(moment.astimezone()) in shown
        finally:
            QLocale.setDefault(QLocale.system())
    assert day_text(date(2026, 12, 6)) == QLocale.system().toString(QDate(2026, 12, 6), day_format())


def test_at_1024_by_700_reason_offer_and_comment_stay_on_screen_and_come_back_whole_when_wide(qtbot, open_window, demo):
    """A narrow window hides the columns the detail pane already shows (Email, Plan, …) before a rep's Reason,
    Offer and Comment would go off-screen; at 1600 px every column is back and Comment has its room."""
    from console.ui.queue.model import COLUMNS as NAMES
    from console.ui.queue.view import COMMENT_ROOM

    window = open_window(demo)
    table = window.queue.table
    header = table.horizontalHeader()

    def on_screen(name: str) -> bool:
        i = NAMES.index(name)
        left = header.sectionViewportPosition(i)
        return not header.isSectionHidden(i) and left >= 0 and left + min(header.sectionSize(i), 100) <= table.viewport().width()

    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5000)
    qtbot.wait(50)
    assert all(on_screen(n) for n in ("Customer", "MRR", "Days left", "Desk", "Reason", "Offer", "Comment")), [
        table.viewport().width(),
        *[(n, header.sectionViewportPosition(NAMES.index(n)), header.sectionSize(NAMES.index(n))) for n in NAMES[5:10]],
    ]
    assert header.isSectionHidden(NAMES.index("Email"))  # said in the detail pane instead
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600, timeout=5000)
    qtbot.wait(50)
    hidden = {n for n in NAMES if header.isSectionHidden(NAMES.index(n))}
    assert hidden <= {"Email"}  # every other column back; the e-mail only where Comment would be a sliver
    assert header.sectionSize(NAMES.index("Comment")) >= COMMENT_ROOM  # not a sliver
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: window.width() == 1900, timeout=5000)
    qtbot.wait(50)
    assert not any(header.isSectionHidden(NAMES.index(n)) for n in NAMES)  # wide enough: all of them
    assert header.sectionSize(NAMES.index("Comment")) >= COMMENT_ROOM


def test_at_1024_by_700_the_buttons_fit_and_the_detail_pane_scrolls_what_it_cannot_show(qtbot, open_window, demo):
    """Issue 31.15: whatever the offer's words, the queue's buttons fit a 1024 px screen (the Save button's text
    gives way, whole in its tooltip and in text()), and a long comment scrolls in the detail pane instead of being
    cut."""
    from PySide6.QtWidgets import QScrollArea

    window = open_window(demo)
    bar = window.queue.action_bar
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5000)
    long = "Save: Pause the subscription (no invoices until resumed) for a customer with a long name  (Ctrl+Enter)"
    bar.primary.setText(long)
    qtbot.waitUntil(lambda: QPushButton.text(bar.primary).endswith("\u2026"), timeout=5000)  # laid out (slow under load)
    assert window.minimumSizeHint().width() <= 1024
    assert window.width() == 1024 and bar.primary.text() == long
    assert bar.primary.width() < bar.primary.sizeHint().width()  # given way …
    assert (
        QPushButton.text(bar.primary).endswith("\u2026")
        and "Ctrl" not in QPushButton.text(bar.primary)
        and QPushButton.toolTip(bar.primary).startswith(long)
    )  # … whole on hover
    window.resize(1900, 1000)
    qtbot.waitUntil(lambda: window.width() == 1900 and QPushButton.text(bar.primary) == long, timeout=5000)
    assert long not in QPushButton.toolTip(bar.primary)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024, timeout=5000)
    detail = window.queue.detail
    long_comment = "A long comment. " * 80
    words = detail.findChild(QScrollArea, "detailWords")
    assert words is not None

    def scrolls() -> bool:
        if detail.comment.text() != long_comment:  # set again if a late read of the queue showed the row anew
            detail.comment.setText(long_comment)
        return words.verticalScrollBar().maximum() > 0

    qtbot.waitUntil(scrolls, timeout=15000)  # it scrolls: nothing is cut off
