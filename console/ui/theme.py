"""Light and dark themes that follow the OS (or CHURN_CONSOLE_THEME), and the style sheets from resources/ (at the OS's text size)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from .text_size import ZOOM, FollowFont, announce, apply_scale, scaled_sheet

log = logging.getLogger(__name__)
THEME_ENV = "CHURN_CONSOLE_THEME"  # light, dark or system (the default)
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

DARK = {
    QPalette.ColorRole.Window: "#1f2227",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#16181c",
    QPalette.ColorRole.AlternateBase: "#23262c",
    QPalette.ColorRole.ToolTipBase: "#2b2f36",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#2b2f36",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#3a3f47",
    QPalette.ColorRole.Midlight: "#30343b",
    QPalette.ColorRole.Mid: "#454a53",
    QPalette.ColorRole.Dark: "#111316",
    QPalette.ColorRole.Highlight: "#2f6fb2",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7fb2ef",
}


STATUS_COLOURS = {  # (light, dark): readable on each theme's background
    "error": ("#b3261e", "#ff8a80"),
    "ok": ("#1b5e20", "#81c995"),
}


def colour(kind: str) -> str:
    """The hex colour for an error or success text in the theme now applied."""
    app = QGuiApplication.instance()
    dark = app is not None and app.property("colorScheme") == "dark"
    return STATUS_COLOURS[kind][1 if dark else 0]


def resources_dir() -> Path:
    """resources/ beside the package (source tree) or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


CHOICES = ("system", "light", "dark")


def wanted_scheme(app: QGuiApplication) -> str:
    """`dark` or `light`: CHURN_CONSOLE_THEME when set, else the window's View → Theme, else what the OS says
    (light when it says nothing)."""
    choice = os.environ.get(THEME_ENV, "").strip().lower() or str(app.property("themeChoice") or "system")
    if choice in ("light", "dark"):
        return choice
    return "dark" if app.styleHints().colorScheme() == Qt.ColorScheme.Dark else "light"


def palette_for(scheme: str) -> QPalette:
    palette = QStyleFactory.create("Fusion").standardPalette()
    if scheme == "dark":
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
        for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
            palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#8e949c"))  # 4.3:1 on the dark buttons
    return palette


def app_icon() -> QIcon:
    icon = QIcon()
    folder = resources_dir() / "icons"
    for size in ICON_SIZES:
        png = folder / f"churn-console-{size}.png"
        if png.exists():
            icon.addFile(str(png))
    return icon


def apply(app: QApplication) -> None:
    """Fusion with a light or dark palette and the style sheets; follows the OS's scheme and font size as they change."""
    app.setStyle("Fusion")  # the same look on every platform, and a palette that dark mode can set
    app.setWindowIcon(app_icon())
    _apply_scheme(app)
    if not getattr(app, "_churn_follows_os", False):
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _apply_scheme(app))
        app._churn_follows_os = FollowFont(app, lambda: _apply_scheme(app))  # type: ignore[attr-defined]  # and its font


def choose(app: QApplication, choice: str) -> None:
    """View → Theme: system, light or dark, from now on (the environment variable, when set, still wins)."""
    if choice not in CHOICES:
        choice = "system"
    if app.property("themeChoice") == choice:
        return
    app.setProperty("themeChoice", choice)
    _apply_scheme(app)


def set_zoom(app: QApplication, zoom: float) -> None:
    """View → Text size: the system's size times `zoom`, from now on (the pages' columns follow)."""
    unchanged = (app.property(ZOOM) or 1.0) == zoom  # unset: the system's size
    app.setProperty(ZOOM, zoom)
    if not unchanged:
        _apply_scheme(app)


def _apply_scheme(app: QApplication) -> None:
    scheme = wanted_scheme(app)
    app.setProperty("colorScheme", scheme)  # first: widgets asked to repaint by the new palette read it (colour())
    app.setPalette(palette_for(scheme))
    sheets = [resources_dir() / "style.qss"] + ([resources_dir() / "style-dark.qss"] if scheme == "dark" else [])
    try:
        text = "\n".join(path.read_text("utf-8") for path in sheets)
        factor, before = apply_scale(app)  # the system font's size when larger than the sheet's, × View → Text size
        app.setStyleSheet(scaled_sheet(text, factor).replace("{resources}", resources_dir().as_posix()))
        announce(before)
    except OSError:
        log.warning("style sheet not found in %s; using the platform style", resources_dir())
