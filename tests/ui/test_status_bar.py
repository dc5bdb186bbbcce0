"""The status bar's messages give way to "Last synced" ("…", the whole message in the tooltip), on a narrow window and
a wide one, and the time a message stays is kept when the window is resized."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QStatusBar

from console.ui.status_bar import ElidingStatusBar


def _shown(bar: ElidingStatusBar) -> str:
    """The message as Qt draws it (QStatusBar's own currentMessage; the bar's is always the whole text)."""
    return QStatusBar.currentMessage(bar)


def _drawn_width(bar: ElidingStatusBar) -> int:
    return bar.fontMetrics().horizontalAdvance(_shown(bar))


def test_a_first_syncs_summary_ends_in_an_ellipsis_before_last_synced_and_is_whole_on_a_wide_window(qtbot, open_window, demo):
    window = open_window(demo, wait=False)
    window.resize(900, 700)
    bar = window.statusBar()
    assert isinstance(bar, ElidingStatusBar)
    with qtbot.waitSignal(window.synced, timeout=30000) as synced:
        pass
    summary = synced.args[0].summary()  # a first sync's: its pages, the queue, the invoices, the failed payments
    assert bar.currentMessage() == summary
    QApplication.processEvents()
    shown = _shown(bar)
    assert bar.fontMetrics().horizontalAdvance(summary) > 900  # too long for this window
    assert shown.endswith("…") and summary.startswith(shown[:-1]) and len(shown) > 20
    assert bar.toolTip() == summary  # the whole of it, on hover
    assert window.synced_label.isVisible() and window.synced_label.text().startswith("Last synced")
    assert 6 + _drawn_width(bar) <= window.synced_label.x()  # never under "Last synced"

    window.resize(3000, 700)  # wide enough for all of it
    qtbot.waitUntil(lambda: _shown(bar) == summary)
    assert bar.toolTip() == "" and bar.currentMessage() == summary


def test_the_bar_elides_any_long_message_and_keeps_its_time_across_a_resize(qtbot, open_window, demo):
    window = open_window(demo)
    window.resize(800, 600)
    bar = window.statusBar()
    long = "Could not read the coupons: " + "the key may not read them; " * 12 + "end"
    bar.showMessage(long, 1500)
    QApplication.processEvents()
    assert bar.currentMessage() == long and bar.toolTip() == long
    assert _shown(bar).endswith("…") and 6 + _drawn_width(bar) <= window.synced_label.x()
    window.resize(820, 600)  # a resize lays it out again, and does not make it stay longer
    qtbot.waitUntil(lambda: bar.currentMessage() == "", timeout=3000)
    assert _shown(bar) == "" and bar.toolTip() == ""

    bar.showMessage("Short message.")
    assert _shown(bar) == "Short message." and bar.toolTip() == ""
    bar.clearMessage()
    assert bar.currentMessage() == "" and bar.toolTip() == ""
