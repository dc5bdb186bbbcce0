"""One story across the window and the command line (issue "One story across the window and the command line")."""

from __future__ import annotations

from tests.ui.gestures import click_tab


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
