"""Issue 32 (keystroke → table ≤ 50 ms, the wait included): the search box filters on every key while a pass is fast,
and waits for the next key only after a slow one (a very large queue), so the window keeps up with a typist."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from console.ui.queue.filter_bar import FAST_MS, WAIT_MS, FilterBar


def test_a_fast_pass_filters_on_every_key_and_a_slow_one_waits_for_the_next(qtbot):
    bar = FilterBar()
    qtbot.addWidget(bar)
    seen: list[str] = []
    slow = [False]

    def on_changed(criteria) -> None:
        seen.append(criteria.text)
        if slow[0]:
            time.sleep((FAST_MS + 30) / 1000)  # a pass slower than FAST_MS, as on a million rows

    bar.changed.connect(on_changed)
    bar.search.setFocus()
    for key in "ann":
        QTest.keyClick(bar.search, key)
        assert seen[-1:] != [bar.search.text()]  # not inside the key's handler: its echo is painted first
        qtbot.waitUntil(lambda: seen[-1:] == [bar.search.text()], timeout=200)  # then on the loop's next turn
    assert seen == ["a", "an", "ann"]  # each key its own pass: no wait for the typist
    slow[0] = True
    QTest.keyClick(bar.search, Qt.Key.Key_A)  # this pass is slow …
    qtbot.waitUntil(lambda: seen[-1] == "anna", timeout=200)
    assert bar.last_pass_ms > FAST_MS
    QTest.keyClicks(bar.search, "bel")  # … so the next keys wait for the typist to pause
    assert seen[-1] == "anna"
    qtbot.waitUntil(lambda: seen[-1] == "annabel", timeout=WAIT_MS * 10)
    assert seen.count("annab") == 0 and seen.count("annabe") == 0  # one pass for the three keys
