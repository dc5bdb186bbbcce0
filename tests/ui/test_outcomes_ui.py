"""The Outcomes tab reads only the cache: cards, charts, currency and exports."""

from __future__ import annotations

import csv

from console.analytics.outcomes import outcomes
from tests.ui.gestures import outcomes_drawn


def test_outcomes_tab_cards_charts_and_exports(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    window.tabs.setCurrentWidget(window.outcomes_tab)  # the page is made when its tab is first shown
    page = window.analytics_page
    outcomes_drawn(qtbot, page)  # read on a worker when first shown
    report = page.report
    assert report is not None
    counts = report.counts()
    assert page.cards["intents"].value.text() == str(counts["intents"])
    assert counts["intents"] == sum(1 for o in outcomes(window.workspace.cache) if report.since <= o.scheduled_at < report.until)
    weekly = page.panels["weekly"].drawn
    assert sum(int(r[1]) for r in weekly.rows) == counts["intents"]
    text = weekly.text_at(weekly.hover[-1][0] + 1)
    assert text and "intents" in text
    reasons = page.panels["by_reason"].drawn
    # the desk's rate per reason: n = saved by the desk or churned; customers' own revokes counted apart
    assert sum(int(r[1]) for r in reasons.rows) == counts["saved_operator"] + counts["churned"]
    assert sum(int(r[2]) for r in reasons.rows) == counts["saved_operator"]
    assert sum(int(r[6]) for r in reasons.rows) == counts["saved_customer"]
    path = tmp_path / "by_reason.csv"
    page.panels["by_reason"].save_csv(path)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["reason", "n", "saved", "save_rate", "low_95", "high_95", "revoked_on_their_own", "label"]
    assert len(rows) == len(reasons.rows) + 1
    png = tmp_path / "weekly.png"
    page.panels["weekly"].save_png(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # one currency at a time: every figure is in that currency. The box, filled after it was first shown, is wide
    # enough for its first choice (sized on first show, it had cut it to "All (each")
    qtbot.waitUntil(lambda: page.currency.width() >= page.currency.sizeHint().width())
    assert page.currency.currentText() == "All (each its own)"
    assert page.currency.fontMetrics().horizontalAdvance(page.currency.currentText()) < page.currency.width() - 20
    usd = page.currency.findData("usd")
    assert usd > 0
    page.currency.setCurrentIndex(usd)
    outcomes_drawn(qtbot, page)
    assert page.report.currency == "usd" and all(o.currency == "usd" for o in page.report.outcomes)
    assert set(page.report.mrr_kept) <= {"usd"}


def test_an_account_with_no_history_shows_empty_charts_not_errors(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    with window.workspace.cache.transaction():
        window.workspace.cache.db.execute("DELETE FROM intents")
    window.tabs.setCurrentWidget(window.outcomes_tab)  # the page is made when its tab is first shown
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    assert page.cards["intents"].value.text() == "0"
    assert page.cards["rate"].value.text() == "—"
    assert all(p.drawn is not None for p in page.panels.values())
    assert page.panels["survival"].drawn.rows == [] and page.panels["value"].drawn.rows == []
    assert page.experiments.table.rowCount() == 0 and "No experiment" in page.experiments.verdicts.text()


def test_outcomes_tab_shows_survival_value_and_an_experiment(qtbot, open_window, demo, tmp_path):
    """The curves, the money and the experiment's comparison on screen equal the report's, and export."""
    from datetime import date, timedelta

    from console.domain.experiments import Variant
    from console.domain.offers import CouponOffer
    from console.domain.playbook import DEFAULT_RULES, PAUSE_2, Playbook, Rule
    from console.services.workspace import PLAYBOOK

    window = open_window(demo)
    a = CouponOffer(coupon_id="RETAIN25-3M")
    started = (date.today() - timedelta(weeks=12)).isoformat()
    test = Rule(
        ("too_expensive",), a, experiment="price-test", variants=(Variant("A", a), Variant("B", PAUSE_2)), started=started
    )
    Playbook(rules=[test, *DEFAULT_RULES]).save(window.workspace.data_dir / PLAYBOOK)
    window.tabs.setCurrentWidget(window.outcomes_tab)  # the page is made when its tab is first shown
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    page.preset.setCurrentIndex(3)  # 52 weeks
    outcomes_drawn(qtbot, page)
    report = page.report
    survival = page.panels["survival"].drawn
    assert {r[0] for r in survival.rows} == {c.offer for c in report.survival} and "coupon" in {r[0] for r in survival.rows}
    coupon = next(c for c in report.survival if c.offer == "coupon")
    assert [r for r in survival.rows if r[0] == "coupon"][-1][2] == round(coupon.steps[-1].survival, 4)
    drawn = [c for c in report.survival if c.shown]  # this small demo may follow too few saves to draw any
    drawn_to = max((int(c.shown[-1].t) for c in drawn), default=-1)
    if drawn:
        hover = survival.text_at(drawn_to)
        assert hover and f"Day {drawn_to} after the save" in hover and "still subscribed" in hover
    past = max(c.steps[-1].t for c in report.survival)
    if past >= drawn_to + 2:  # past every drawn curve: too few saves followed that long, so nothing is read there
        assert survival.text_at(int(past)) is None
    assert "fewer than 5 saves are still followed" in survival.note
    value = page.panels["value"].drawn
    currency = value.rows[0][1]
    by_offer = {r.key: r for r in report.value["offer"]}
    assert all(row[5] == by_offer[row[0]].collected.get(currency, 0) for row in value.rows)
    assert "too recent" in value.note
    assert page.cards["earned"].value.text() != "—"
    path = tmp_path / "survival.csv"
    page.panels["survival"].save_csv(path)
    assert next(csv.reader(path.open()))[:3] == ["offer", "day", "still_subscribed"]
    table = page.experiments.table
    (found,) = report.experiments
    assert table.rowCount() == 2 and table.item(0, 0).text() == "price-test"
    assert table.item(0, 1).text() == "A: 25% off for 3 months" and table.item(1, 1).text() == "B: Pause 2 months"
    assert table.item(0, 2).text() == str(found.arms[0].customers) and table.item(1, 3).text() == str(found.arms[1].saved)
    assert found.verdicts[0].words in page.experiments.verdicts.text()


def test_the_window_paints_without_the_chart_library_the_sdk_the_keyring_or_the_portal_and_builds_those_tabs_when_shown():
    """Neither pyqtgraph (with the rest of numpy: 0.3-0.5 s), the Stripe SDK, keyring (40 ms) nor the Portal tab's
    widgets (35 ms) are imported or built before the window's first paint (bench_screen.py); the window imports the
    charts and the portal on a worker after it, and each tab makes its page when first shown. In a fresh process,
    since this one has them imported already."""
    import subprocess
    import sys

    code = """
import os, sys, time
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from console.errors import Offline
from console.ui.app import application
from console.ui.main_window import MainWindow
for name in ("pyqtgraph", "stripe", "keyring", "console.ui.portal.page"):
    assert name not in sys.modules, f"{name} imported before the window"
app = application()
def offline():
    raise Offline("Could not reach Stripe.")
window = MainWindow(offline, Path(sys.argv[1]))
window.show()
deadline = time.monotonic() + 30
while not {"console.ui.analytics.page", "console.ui.portal.page"} <= set(sys.modules) and time.monotonic() < deadline:
    app.processEvents(); time.sleep(0.01)
assert window.outcomes_tab.built is None and window.portal_tab.built is None, "made before they were shown"
window.tabs.setCurrentWidget(window.outcomes_tab)
assert window.outcomes_tab.built is not None and window.analytics_page.isVisible()
window.tabs.setCurrentWidget(window.portal_tab)
assert window.portal_tab.built is not None and window.portal_page.isVisible()
print("ok")
"""
    import tempfile

    with tempfile.TemporaryDirectory() as data:
        done = subprocess.run([sys.executable, "-c", code, data], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_the_tab_reads_on_a_worker_once_when_shown_and_again_only_after_a_change(qtbot, open_window, demo, monkeypatch):
    """Issue 32: the Outcomes tab's reads ran on the GUI thread (seconds at a million subscriptions with history)."""
    import threading

    from console.services.changes import Changes
    from console.ui.analytics import page as analytics

    threads: list[str] = []
    real = analytics.read_both

    def counted(cache, playbook):
        threads.append(threading.current_thread().name)
        return real(cache, playbook)

    monkeypatch.setattr(analytics, "read_both", counted)
    window = open_window(demo)
    window.tabs.setCurrentWidget(window.outcomes_tab)
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    assert len(threads) == 1 and threads[0] != threading.main_thread().name  # read off the GUI thread
    window.tabs.setCurrentWidget(window.queue)
    window.tabs.setCurrentWidget(window.outcomes_tab)
    assert len(threads) == 1  # shown again with nothing changed: nothing read
    window.tabs.setCurrentWidget(window.queue)
    window.context.bus.announce(Changes(outcomes=True))
    window.context.bus.announce(Changes(outcomes=True))
    assert len(threads) == 1  # hidden: nothing read yet
    window.tabs.setCurrentWidget(window.outcomes_tab)
    outcomes_drawn(qtbot, page)
    assert len(threads) == 2  # once for both changes, when shown
