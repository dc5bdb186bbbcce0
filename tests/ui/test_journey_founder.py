"""The founder's journey on the Outcomes tab, driven as a person drives it: the tab, the range and currency chosen
by keyboard, a hover over a bar, a chart exported through the save dialog (which remembers the folder)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from console.ui.analytics.render import SIZE

from .gestures import answer_file_dialog as save_as
from .gestures import click, click_tab, outcomes_drawn


def test_founder_picks_a_year_and_a_currency_and_exports_a_titled_chart(qtbot, open_window, demo, tmp_path):
    window = open_window(demo)
    click_tab(window, window.outcomes_tab)  # the page is made when its tab is first shown
    page = window.analytics_page
    outcomes_drawn(qtbot, page)  # read on a worker: the window stays live meanwhile
    page.preset.setFocus()
    QTest.keyClick(page.preset, Qt.Key.Key_End)  # the last preset: 52 weeks
    assert page.preset.currentText() == "Last 52 weeks"
    outcomes_drawn(qtbot, page)
    year = page.report
    assert (year.until - year.since) // 86400 == 52 * 7 + 1
    page.currency.setFocus()
    QTest.keyClicks(page.currency, "USD")  # a combo box finds its item as you type
    outcomes_drawn(qtbot, page)
    assert page.report.currency == "usd" and all(o.currency == "usd" for o in page.report.outcomes)
    assert page.cards["mrr"].value.text().startswith("$") and "€" not in page.cards["mrr"].value.text()
    assert page.panels["mrr_kept"].plot.getPlotItem().ctrl.logYCheck.isChecked() is False  # one currency: a plain axis
    # hovering a week's bar shows its numbers
    weekly = page.panels["weekly"]
    busiest = max(page.report.weeks, key=lambda w: w.intents)
    scene = weekly.plot.getPlotItem().vb.mapViewToScene(QPointF(busiest.start + 3.5 * 86400, 0.5))
    assert f"{busiest.intents} intents" in weekly.drawn.text_at(weekly.plot.getPlotItem().vb.mapSceneToView(scene).x())
    # export: a dialog, a file named for what it shows, a line saying where it went
    folder = tmp_path / "charts"
    folder.mkdir()
    seen: list = []
    save_as(folder / "weekly.png", seen)
    click(weekly.png)
    qtbot.waitUntil(lambda: (folder / "weekly.png").exists() and page.status.isVisible(), timeout=10000)
    image = QImage(str(folder / "weekly.png"))
    assert (image.width(), image.height()) == SIZE
    assert "Saved the chart" in page.status.text() and str(folder / "weekly.png") in page.status.text()
    save_as(folder / "reasons.csv", seen)
    click(page.panels["by_reason"].csv)
    qtbot.waitUntil(lambda: (folder / "reasons.csv").exists(), timeout=10000)
    assert seen[1] == str(folder)  # the second dialog opened where the first saved
    assert (folder / "reasons.csv").read_text().startswith("reason,n,saved,save_rate")


def test_an_export_to_a_full_disk_says_so_and_keeps_the_chart(qtbot, open_window, demo):
    """/dev/full takes the file and refuses its bytes (ENOSPC), as a full disk does."""
    from PySide6.QtWidgets import QMessageBox

    from .gestures import answer_box

    window = open_window(demo)
    click_tab(window, window.outcomes_tab)  # the page is made when its tab is first shown
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    for button in ("csv", "png"):
        page.say("")
        save_as("/dev/full", [])
        answer_box(QMessageBox.StandardButton.Yes)  # "full already exists. Do you want to replace it?"
        click(getattr(page.panels["weekly"], button))
        qtbot.waitUntil(page.status.isVisible, timeout=10000)
        assert "Could not write /dev/full" in page.status.text() and "export again" in page.status.text(), button
    assert page.panels["weekly"].drawn.rows  # the chart is still there


def test_an_inverted_range_is_read_as_the_range(qtbot, open_window, demo):
    window = open_window(demo)
    click_tab(window, window.outcomes_tab)  # the page is made when its tab is first shown
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    since, until = page.since.date(), page.until.date()
    page.since.setDate(until)
    page.until.setDate(since)
    outcomes_drawn(qtbot, page)
    assert page.report.since < page.report.until and page.report.counts()["intents"] > 0
