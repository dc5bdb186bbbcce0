"""The window's text follows the system font's size: the style sheet's sizes and the widths made for them grow with it."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QGuiApplication

DESIGNED_PT = 10.0  # the style sheet's body size: what its other sizes and the tables' widths were drawn for
DESIGNED_DPI = 96.0  # the widths were drawn at 10pt on a screen of 96 logical dots an inch (Linux, Windows)
SCALE = "textScale"  # the application's property: the style sheet's scale now applied
PIXELS = "pixelScale"  # the application's property: the widths' scale (the body's pixels over the designed ones)
_POINTS = re.compile(r"(\d+(?:\.\d+)?)pt\b")


def scale_for(point_size: float) -> float:
    """How much larger than designed the text is drawn: the system font's size over the body's, never below 1.

    A desktop's own font (GNOME's 11pt, a user's 14pt) is what its user reads comfortably, and the style sheet's 10pt
    had overridden it. Qt's 9pt fallback, with no desktop to ask, keeps the designed size."""
    if point_size <= 0:  # a font given in pixels has no point size (-1): draw as designed
        return 1.0
    return max(1.0, round(point_size / DESIGNED_PT, 2))


def pixel_scale_for(sheet_scale: float, dpi: float) -> float:
    """How much wider than designed a column must be for the body text drawn at `sheet_scale` on a screen of `dpi`
    logical dots an inch, never below 1. A point is 1/72 inch: macOS's 72 dpi draws its native 13pt as 13 pixels,
    about the 13.3 pixels 10pt takes at 96 dpi, so its widths stay as designed."""
    if dpi <= 0:
        return sheet_scale
    return max(1.0, round(sheet_scale * dpi / DESIGNED_DPI, 2))


def _property(name: str) -> float:
    app = QGuiApplication.instance()
    value = app.property(name) if app is not None else None
    return float(value) if isinstance(value, (int, float)) else 1.0


def scale() -> float:
    """The style sheet's scale now applied (1 before the style sheet is)."""
    return _property(SCALE)


def scaled(pixels: int) -> int:
    """A width or height drawn for the designed text size, at the text size now applied."""
    return round(pixels * _property(PIXELS))


def scaled_sheet(text: str, factor: float) -> str:
    """A style sheet with each point size multiplied by `factor` (pixel paddings and borders kept)."""
    if factor == 1.0:
        return text
    return _POINTS.sub(lambda m: f"{float(m.group(1)) * factor:.3g}pt", text)


def apply_scale(app: QGuiApplication) -> float:
    """Work out the scale from the application's font now and record it; returns it."""
    factor = scale_for(app.font().pointSizeF())
    screen = app.primaryScreen()
    app.setProperty(SCALE, factor)
    app.setProperty(PIXELS, pixel_scale_for(factor, screen.logicalDotsPerInchY() if screen is not None else 0))
    return factor


class FollowFont(QObject):
    """Calls `changed` when the system's font changes size enough to change the scale (a desktop's setting)."""

    def __init__(self, app: QGuiApplication, changed: Callable[[], None]) -> None:
        super().__init__(app)
        self._app, self._changed = app, changed
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._app and event.type() == QEvent.Type.ApplicationFontChange:
            if scale_for(self._app.font().pointSizeF()) != scale():
                self._changed()
        return False
