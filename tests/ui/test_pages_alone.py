"""Each page built on its own from a page context (a session over the sandbox, the operation runner, the change
bus, settings), with no MainWindow: what it shows, and that it refreshes itself from the changes announced."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from console.analytics.outcomes import outcomes
from console.domain.action import Consent
from console.domain.offers import RevokeOffer
from console.services import operations
from console.services.changes import Changes
from console.services.connection import Connection
from console.services.session import Session
from console.stripe_gateway import StripeGateway
from console.ui.analytics.page import AnalyticsPage
from console.ui.context import PageContext
from console.ui.journal_page import JournalPage
from console.ui.operations import ChangeBus, Operations
from console.ui.overview_page import OverviewPage
from console.ui.portal.dialogs import DiffDialog
from console.ui.portal.page import PortalPage
from console.ui.queue.model import ROW_ROLE
from console.ui.queue.page import QueuePage
from console.ui.workers import Runner

from .gestures import admin, answer, click, retype


@pytest.fixture
def context(qtbot, tmp_path, demo):
    session = Session(tmp_path, lambda: Connection(StripeGateway(demo.key, demo.url), "the sandbox", label="Acme"))
    session.open().sync()
    errors: list = []
    runner, bus = Runner(), ChangeBus()
    made = PageContext(
        session,
        Operations(runner, bus, errors.append),
        bus,
        runner,
        QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    made.errors = errors  # type: ignore[attr-defined]
    yield made
    runner.wait(5000)
    session.close()


def test_the_journal_page_refreshes_itself_from_an_announced_change(qtbot, context):
    page = JournalPage(context)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        page.refresh()
    assert page.model.rowCount() == 0
    sub_id = context.workspace.queue()[0].subscription_id
    done = operations.apply_offer(context.workspace, "Robin", sub_id, RevokeOffer(), Consent("call"))
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        context.bus.announce(done.changes)
    assert [a.id for a in page.model.actions] == [done.result.id] and page.undo.isEnabled() is False
    with qtbot.assertNotEmitted(page.refreshed, wait=200):
        context.bus.announce(Changes(portal=True))  # not the journal's business
    assert not context.errors


def test_the_outcomes_page_reads_the_cache_when_shown_and_follows_outcome_changes(qtbot, context):
    page = AnalyticsPage(context)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.report is not None, timeout=5000)
    counted = sum(1 for o in outcomes(context.workspace.cache) if page.report.since <= o.scheduled_at < page.report.until)
    assert page.cards["intents"].value.text() == str(page.report.counts()["intents"]) == str(counted)
    before = page.report
    context.bus.announce(Changes(outcomes=True))
    assert page.busy  # read again, on a worker
    qtbot.waitUntil(lambda: not page.busy and page.report is not before, timeout=5000)
    page.hide()
    shown = page.report
    context.bus.announce(Changes(outcomes=True))
    qtbot.wait(100)
    assert page.report is shown and not page.busy  # hidden: read when shown again, not now
    page.show()
    qtbot.waitUntil(lambda: not page.busy and page.report is not shown, timeout=5000)


def test_the_portal_page_loads_when_shown_saves_after_its_review_and_announces_it(qtbot, context, demo):
    page = PortalPage(context)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.loaded and page.original is not None, timeout=15000)
    retype(page.form.headline, "Standalone headline")
    answer(DiffDialog, lambda d: d.accept())
    announced: list = []
    context.bus.changed.connect(announced.append)
    with qtbot.waitSignal(page.saved, timeout=15000):
        click(page.save)
    assert admin(demo).v1.billing_portal.configurations.retrieve(page.original.id).business_profile.headline == (
        "Standalone headline"
    )
    assert [c.portal for c in announced] == [True]


def test_the_queue_page_shows_the_cache_works_its_action_bar_and_refreshes_itself(qtbot, context, demo):
    from console.ui.dialogs.consent import ConsentDialog

    page = QueuePage(context)
    qtbot.addWidget(page)
    page.show()
    page.show_data()
    pending = {r.subscription_id for r in context.workspace.queue()}
    assert {r.subscription_id for r in page.model.rows} == pending and pending
    target = next(r for r in page.model.rows if r.feedback == "too_expensive")
    assert page.select_subscription(target.subscription_id)
    assert page.detail.isVisible() and page.action_bar.primary.isEnabled()
    context.set_operator("Robin")

    def consent(dialog):
        dialog.channel.setCurrentIndex(dialog.channel.findData("call"))
        dialog.ok.click()

    answer(ConsentDialog, consent)
    with qtbot.waitSignal(page.controller.applied, timeout=15000) as blocker, qtbot.waitSignal(page.refreshed, timeout=15000):
        click(page.action_bar.primary)
    assert blocker.args[0].state == "applied" and blocker.args[0].operator == "Robin"
    assert target.subscription_id not in {r.subscription_id for r in page.model.rows}  # read again on a worker
    sub = admin(demo).v1.subscriptions.retrieve(target.subscription_id)
    assert sub.cancel_at_period_end is False and sub.cancel_at is None
    # a change announced by anyone (here: another console's undo, synced) is read again; a portal change is not
    done = operations.undo(context.workspace, "Robin", blocker.args[0].id)
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        context.bus.announce(done.changes)
    assert target.subscription_id in {r.subscription_id for r in page.model.rows}
    with qtbot.assertNotEmitted(page.refreshed, wait=200):
        context.bus.announce(Changes(portal=True))
    assert not context.errors


def test_the_queue_page_turns_read_only_when_a_sync_fails_and_back_when_one_succeeds(qtbot, context):
    from console.errors import Offline

    page = QueuePage(context)
    qtbot.addWidget(page)
    page.show()
    page.show_data()
    page.select_subscription(page.model.rows[0].subscription_id)
    assert page.action_bar.primary.isEnabled()
    context.session.went_offline()
    context.bus.sync_failed.emit(Offline("Could not reach Stripe."))
    assert page.offline.isVisible() and "Offline since" in page.offline.text.text()
    assert "last synced at" in page.offline.text.text() and not page.action_bar.primary.isEnabled()
    assert "read-only" in page.action_bar.primary.toolTip()
    context.session.offline_since = None
    context.bus.synced.emit(None)
    page.refit()
    assert page.offline.isHidden() and page.action_bar.primary.isEnabled()


def test_a_failed_sync_shows_its_banner_at_once_while_a_worker_holds_the_cache(qtbot, context):
    """Issue 32: on a million cached subscriptions the banner of a failed (offline) connect waited 1.7 s, the window
    frozen, for the cache the worker was still reading the queue from. The banner is made from what the page shows;
    whether the sync stored pages is asked on a worker. Here a thread holds the cache's lock as a long read does."""
    import threading

    from console.errors import Offline

    page = QueuePage(context)
    qtbot.addWidget(page)
    page.show()
    page.show_data()
    held, release = threading.Event(), threading.Event()

    def long_read() -> None:
        with context.workspace.cache._lock:
            held.set()
            release.wait(10)

    reader = threading.Thread(target=long_read)
    reader.start()
    held.wait(5)
    try:
        context.session.went_offline()
        context.bus.sync_failed.emit(Offline("Could not reach Stripe."))
        assert reader.is_alive()  # the GUI thread did not wait for the lock
        assert page.offline.isVisible() and "last synced at" in page.offline.text.text()
    finally:
        release.set()
        reader.join()


def test_the_overview_page_sums_the_cache_when_a_sync_says_so(qtbot, context, demo):
    page = OverviewPage(context)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.loaded, timeout=10000) as loaded:
        context.bus.announce(Changes(overview=True))
    assert page.cards["pending"].value.text() == str(loaded.args[0].pending_cancellations)
    assert loaded.args[0].pending_cancellations == len(context.workspace.queue())
    with qtbot.assertNotEmitted(page.loaded, wait=200):
        context.bus.announce(Changes(journal=True))
    from console.errors import Offline

    context.bus.sync_failed.emit(Offline("Could not reach Stripe.", "Check the connection, then Retry."))
    assert not page.banner.isHidden() and "Could not reach Stripe" in page.banner_text.text()


def test_the_queue_page_paints_the_first_rows_at_once_and_reads_the_rest_on_a_worker(qtbot, context):
    page = QueuePage(context)
    qtbot.addWidget(page)
    page.show()
    everyone = context.workspace.queue()
    page.show_head(count=3)
    assert page.model.rowCount() == 3  # before any worker ran: what SQLite gave in milliseconds
    assert page.totals.text().startswith(f"Reading {len(everyone):,} pending cancellations")
    head = [page.proxy.data(page.proxy.index(i, 0), ROW_ROLE).subscription_id for i in range(3)]
    qtbot.waitUntil(lambda: page.model.rowCount() == len(everyone), timeout=10000)  # the rest, read on a worker
    assert page.model.rowCount() == len(everyone) and "Reading" not in page.totals.text()
    shown = [page.proxy.data(page.proxy.index(i, 0), ROW_ROLE).subscription_id for i in range(3)]
    assert shown == head  # the same first rows: the head was read in the order the table shows


def test_a_replaced_queue_is_freed_between_events_not_at_once(qtbot, context):
    page = QueuePage(context)
    qtbot.addWidget(page)
    page.show_data()
    first = page.model.table
    rows = len(first.rows)
    page.show_data()  # read again: the first table is replaced
    assert page.model.table is not first and page._retired.pending and len(first.rows) == rows  # not freed yet
    qtbot.waitUntil(lambda: not page._retired.pending, timeout=5000)
    assert first.rows == [] and not page._retired.timer.isActive()


def test_the_screenshot_script_imports_against_todays_code():
    """`./dev shots` (packaging/screenshots.py) drives the window through names it imports: one renamed or moved in
    the console (the operator's setting once was) breaks it, and only a run of it would say so."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "packaging" / "screenshots.py"
    spec = importlib.util.spec_from_file_location("screenshots_script", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # runs its imports; main() only under __main__
    assert callable(module.main)
