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
