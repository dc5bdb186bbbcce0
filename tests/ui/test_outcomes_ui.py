"""The Outcomes tab reads only the cache: cards, charts, currency and exports."""

from __future__ import annotations

import csv

from console.analytics.outcomes import outcomes


def test_outcomes_tab_cards_charts_and_exports(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    page = window.analytics_page
    window.tabs.setCurrentWidget(page)
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
    # one currency at a time: every figure is in that currency
    usd = page.currency.findData("usd")
    assert usd > 0
    page.currency.setCurrentIndex(usd)
    assert page.report.currency == "usd" and all(o.currency == "usd" for o in page.report.outcomes)
    assert set(page.report.mrr_kept) <= {"usd"}


def test_an_account_with_no_history_shows_empty_charts_not_errors(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    with window.workspace.cache.transaction():
        window.workspace.cache.db.execute("DELETE FROM intents")
    page = window.analytics_page
    window.tabs.setCurrentWidget(page)
    assert page.cards["intents"].value.text() == "0"
    assert page.cards["rate"].value.text() == "—"
    assert all(p.drawn is not None for p in page.panels.values())
    assert page.panels["offers"].drawn.rows == []
