"""A theme chosen while the action bar's line is shown (View → Theme): the line and its Undo link are drawn again in
the new theme's colours. Before, a label laid out in the light theme kept its dark-blue link on the dark background."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from console.ui import theme
from console.ui.queue.action_bar import ActionBar


def _pixels_near(widget, colour: str) -> int:
    image, want = widget.grab().toImage(), QColor(colour)
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if max(abs(c - w) for c, w in zip(image.pixelColor(x, y).getRgb()[:3], want.getRgb()[:3], strict=True)) < 40
    )


def test_the_undo_link_takes_the_new_themes_colour(qtbot, monkeypatch):
    app = QApplication.instance()
    monkeypatch.setenv(theme.THEME_ENV, "light")
    theme.apply(app)
    bar = ActionBar()
    qtbot.addWidget(bar)
    bar.resize(900, 60)
    bar.show()
    bar.say("Saved Wei Sato: 25% off for 3 months. <a href='undo:act_1'>Undo</a>")
    light = QApplication.palette().color(QPalette.ColorRole.Link).name()
    qtbot.waitUntil(lambda: _pixels_near(bar.status, light) > 0, timeout=3000)
    try:
        monkeypatch.setenv(theme.THEME_ENV, "dark")
        theme.apply(app)
        dark = QApplication.palette().color(QPalette.ColorRole.Link).name()
        assert dark != light
        qtbot.waitUntil(lambda: _pixels_near(bar.status, dark) > 0, timeout=3000)
        assert _pixels_near(bar.status, light) == 0  # no trace of the old link colour
        assert "Undo" in bar.status.text() and theme.colour("ok") in bar.status.text()
    finally:
        monkeypatch.setenv(theme.THEME_ENV, "light")
        theme.apply(app)


def test_the_portal_outcomes_and_recovery_lines_take_the_new_themes_colour(qtbot, open_window, demo, monkeypatch):
    """Each page's line under its controls, said in the light theme, is drawn in the dark theme's colour once the
    theme is switched (it had kept the light theme's dark green on the dark background)."""
    app = QApplication.instance()
    monkeypatch.setenv(theme.THEME_ENV, "light")
    theme.apply(app)
    window = open_window(demo)
    portal, outcomes, recovery = window.portal_page, window.analytics_page, window.recovery_page  # built now
    window.tabs.setCurrentWidget(window.portal_tab)  # the others hidden behind it, as a user leaves them
    lines = {"portal": portal.status, "outcomes": outcomes.status, "recovery": recovery.status}
    portal.say("2 configurations.")
    outcomes.say("Saved by_reason.csv")
    recovery.say("Could not write recovery.csv: the disk is full.", error=True)
    light_ok, light_error = theme.colour("ok"), theme.colour("error")
    try:
        monkeypatch.setenv(theme.THEME_ENV, "dark")
        theme.apply(app)
        dark_ok, dark_error = theme.colour("ok"), theme.colour("error")
        assert (dark_ok, dark_error) != (light_ok, light_error)
        for name, line in lines.items():
            want, old = (dark_error, light_error) if line.error else (dark_ok, light_ok)
            drawn = line.styleSheet() + line.text()  # plain lines by their style sheet, markup by its span
            assert want in drawn and old not in drawn, name
            if not line.rich:
                assert line.palette().color(line.foregroundRole()).name() == want, name
    finally:
        monkeypatch.setenv(theme.THEME_ENV, "light")
        theme.apply(app)
