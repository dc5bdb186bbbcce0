"""The window's text size: the system font's (when larger than designed) times View → Text size; the widths follow."""

from __future__ import annotations

import re
from collections.abc import Callable, Container

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QHeaderView

DESIGNED_PT = 10.0  # the style sheet's body size: what its other sizes and the tables' widths were drawn for
DESIGNED_DPI = 96.0  # the widths were drawn at 10pt on a screen of 96 logical dots an inch (Linux, Windows)
SCALE = "textScale"  # the application's property: the style sheet's scale now applied
PIXELS = "pixelScale"  # the application's property: the widths' scale (the body's pixels over the designed ones)
ZOOM = "textZoom"  # the application's property: View → Text size, over the system's size
ZOOMS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0)  # View → Text size's steps (Ctrl+- and Ctrl++)
_POINTS = re.compile(r"(\d+(?:\.\d+)?)pt\b")
_PIXELS = re.compile(r"(\d+)px\b")
_HEADER_PADDING = re.compile(r"(QHeaderView::section\s*\{[^}]*?padding:)([^;}]+)")


def scale_for(point_size: float) -> float:
    """How much larger than designed the system's text is: its font's size over the body's, never below 1.

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


def nearest_zoom(zoom: float) -> float:
    """The one of ZOOMS nearest `zoom` (a setting edited by hand, or from another version)."""
    return min(ZOOMS, key=lambda z: abs(z - zoom))


def zoom_step(zoom: float, step: int) -> float:
    """The next of ZOOMS after the one nearest `zoom` (step 1), before it (-1), or 1 (step 0); the ends stay."""
    if step == 0:
        return 1.0
    at = ZOOMS.index(nearest_zoom(zoom)) + step
    return ZOOMS[max(0, min(len(ZOOMS) - 1, at))]


def _property(name: str) -> float:
    app = QGuiApplication.instance()
    value = app.property(name) if app is not None else None
    return float(value) if isinstance(value, (int, float)) else 1.0


def scale() -> float:
    """The style sheet's scale now applied (1 before the style sheet is)."""
    return _property(SCALE)


def zoom() -> float:
    """View → Text size now (1: the system's size)."""
    return _property(ZOOM)


def scaled(pixels: int) -> int:
    """A width or height drawn for the designed text size, at the text size now applied."""
    return round(pixels * _property(PIXELS))


def scaled_sheet(text: str, factor: float) -> str:
    """A style sheet with each point size multiplied by `factor`, and the headers' padding, which holds the sort
    arrow beside the title (the arrow grows with the text: at 200% it covered the title's last letter). Other pixel
    paddings and borders are kept: a focused button's border, a pixel thicker, is paid for by a pixel less padding."""
    if factor == 1.0:
        return text
    text = _HEADER_PADDING.sub(
        lambda m: m.group(1) + _PIXELS.sub(lambda p: f"{round(int(p.group(1)) * factor)}px", m.group(2)), text
    )
    return _POINTS.sub(lambda m: f"{float(m.group(1)) * factor:.3g}pt", text)


def sheet_scale_for(app: QGuiApplication) -> float:
    """The style sheet's scale the application's font and View → Text size ask for now."""
    return round(scale_for(app.font().pointSizeF()) * zoom(), 3)


class Rescaled(QObject):
    """Tells the pages when the widths' scale changed (old, new): their columns grow or shrink by new ÷ old."""

    changed = Signal(float, float)


def rescaled() -> Rescaled:
    """The application's one Rescaled (made on first use)."""
    app = QGuiApplication.instance()
    assert app is not None
    found = app.findChild(Rescaled, "textSizeRescaled")
    if found is None:
        found = Rescaled(app)
        found.setObjectName("textSizeRescaled")
    return found


def apply_scale(app: QGuiApplication) -> tuple[float, float]:
    """Work out the scales from the application's font and View → Text size now and record them: the style sheet's,
    and the widths' before this (for `announce`, once the sheet is applied)."""
    base = scale_for(app.font().pointSizeF())
    screen = app.primaryScreen()
    before = _property(PIXELS)
    app.setProperty(SCALE, sheet_scale_for(app))
    app.setProperty(PIXELS, round(pixel_scale_for(base, screen.logicalDotsPerInchY() if screen is not None else 0) * zoom(), 3))
    return scale(), before


def announce(before: float) -> None:
    """Tell the pages the widths' scale changed from `before`, the style sheet now applied (their fonts measured)."""
    if (now := _property(PIXELS)) != before:
        rescaled().changed.emit(before, now)


def scale_columns(header: QHeaderView, ratio: float, keep: Container[int] = ()) -> None:
    """Every shown column of `header` but those in `keep` (a stretched one) `ratio` times as wide: a rep's own widths
    stay in proportion."""
    for i in range(header.count()):
        if i not in keep and not header.isSectionHidden(i):
            header.resizeSection(i, round(header.sectionSize(i) * ratio))


class FollowFont(QObject):
    """Calls `changed` when the system's font changes size enough to change the scale (a desktop's setting). Told by
    QGuiApplication.fontChanged: an event filter on the application would run for every event of every object."""

    def __init__(self, app: QGuiApplication, changed: Callable[[], None]) -> None:
        super().__init__(app)
        self._app, self._changed = app, changed
        app.fontChanged.connect(self._font_changed)

    def _font_changed(self, _font: QFont) -> None:
        if sheet_scale_for(self._app) != scale():
            self._changed()
