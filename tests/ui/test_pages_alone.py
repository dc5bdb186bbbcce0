"""Each page built on its own from a page context (a session over the sandbox, the operation runner, the change
bus, settings), with no MainWindow: what it shows, and that it refreshes itself from the changes announced."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from console.actions import Consent
from console.analytics.outcomes import outcomes
from console.domain.offers import Offer
from console.services import operations
from console.services.changes import Changes
from console.services.connection import Connection
from console.services.session import Session
from console.stripe_gateway import StripeGateway
from console.ui.analytics.page import AnalyticsPage
from console.ui.context import PageContext
from console.ui.journal_page import JournalPage
from console.ui.operations import ChangeBus, Operations
from console.ui.portal.dialogs import DiffDialog
from console.ui.portal.page import PortalPage
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
    runner.pool.waitForDone(5000)
    session.close()


def test_the_journal_page_refreshes_itself_from_an_announced_change(qtbot, context):
    page = JournalPage(context)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.refreshed, timeout=10000):
        page.refresh()
    assert page.model.rowCount() == 0
    sub_id = context.workspace.queue()[0].subscription_id
    done = operations.apply_offer(context.workspace, "Robin", sub_id, Offer("revoke"), Consent("call"))
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
    assert page.report is not before  # read again
    page.hide()
    shown = page.report
    context.bus.announce(Changes(outcomes=True))
    assert page.report is shown  # hidden: read when shown again, not now


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
