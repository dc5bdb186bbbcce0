"""The Overview while a first sync runs: it had said "Connecting…" over empty cards long after the account answered
(a large account's first sync takes minutes); it now says what its figures wait for, and shows them when it ends."""

from __future__ import annotations

from console.sandbox.app import Sandbox
from console.sandbox.faults import FaultConfig

from .gestures import click_tab


def test_the_overview_says_it_waits_for_the_sync_then_shows_the_figures(qtbot, open_window):
    with Sandbox(seed=5, customers=120, faults=FaultConfig(latency_ms=150)) as sb:  # a sync of a few seconds
        window = open_window(sb, wait=False)
        overview = window.overview
        click_tab(window, overview)
        qtbot.waitUntil(lambda: window.connection is not None and window.where_label.text() != "", timeout=20000)
        assert window.runner.busy  # the sync is under way
        assert overview.heading.text() == "Overview"
        assert overview.caption.text().startswith("Syncing with Stripe: the figures follow when it ends")
        assert overview.cards["pending"].value.text() == "…"
        qtbot.waitUntil(lambda: overview.shown_once, timeout=60000)
        assert overview.caption.text().endswith("figures from the last sync with Stripe and the actions since.")
        assert overview.cards["pending"].value.text().isdigit()
