"""The main window's menu bar: File, View (pages, theme, text size) and Help (shortcuts, about)."""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSettings
from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from . import text_size, theme
from .help import ShortcutsDialog, show_about

THEME_KEY = "view/theme"  # system, light or dark (CHURN_CONSOLE_THEME, when set, still wins)
ZOOM_KEY = "view/textZoom"  # View → Text size: one of text_size.ZOOMS, over the system's size

if TYPE_CHECKING:
    from .shell import Shell


def build_menus(window: Shell) -> None:
    file_menu = window.menuBar().addMenu("&File")
    prefs = file_menu.addAction("&Preferences…")
    prefs.setShortcut(QKeySequence("Ctrl+,"))  # StandardKey.Preferences is empty on most Linux desktops
    prefs.triggered.connect(window.edit_preferences)
    playbook = file_menu.addAction("Retention &playbook…")
    playbook.triggered.connect(window.edit_playbook)
    templates = file_menu.addAction("E-mail &templates…")
    templates.triggered.connect(window.edit_templates)
    file_menu.addSeparator()
    quit_action = file_menu.addAction("&Quit")
    quit_action.setShortcut(QKeySequence("Ctrl+Q"))  # StandardKey.Quit is empty where the platform names no key
    quit_action.triggered.connect(window.close)
    view = window.menuBar().addMenu("&View")
    view.addAction(window.refresh_action)
    view.addSeparator()
    tabs = window.tabs
    for i in range(tabs.count()):  # each page, as its tab does
        view.addAction(tabs.tabText(i), partial(tabs.setCurrentIndex, i))
    view.addSeparator()
    themes = view.addMenu("&Theme")
    group = QActionGroup(themes)
    chosen = str(window.settings.value(THEME_KEY, "system") or "system")
    for choice, words in (("system", "Follow the system"), ("light", "Light"), ("dark", "Dark")):
        action = themes.addAction(words)
        action.setCheckable(True)
        action.setChecked(choice == chosen)
        action.setData(choice)
        group.addAction(action)
    group.triggered.connect(lambda action: choose_theme(window, str(action.data())))
    sizes = view.addMenu("Text &size")
    for words, keys, step in (
        ("&Larger", ("Ctrl++", "Ctrl+="), 1),  # Ctrl+= : the same key, unshifted, on most layouts
        ("&Smaller", ("Ctrl+-",), -1),
        ("&The system's size", ("Ctrl+0",), 0),
    ):
        action = sizes.addAction(words)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setObjectName(f"textSize{step:+d}")
        action.triggered.connect(partial(step_text_size, window, step))
    help_menu = window.menuBar().addMenu("&Help")
    shortcuts = help_menu.addAction("&Keyboard shortcuts")
    shortcuts.setShortcut(QKeySequence("Ctrl+/"))
    parent = cast(QWidget, window)  # the main window itself
    shortcuts.triggered.connect(lambda: ShortcutsDialog(parent).open())
    help_menu.addAction("&About Churn Console", lambda: show_about(parent))


def choose_theme(window: Shell, choice: str) -> None:
    """View → Theme: applied at once, and kept for the next start."""
    window.settings.setValue(THEME_KEY, choice)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.choose(app, choice)


def step_text_size(window: Shell, step: int) -> None:
    """View → Text size: a step larger (1), smaller (-1) or back to the system's (0), at once and for the next start."""
    zoom = text_size.zoom_step(text_size.zoom(), step)
    window.settings.setValue(ZOOM_KEY, zoom)
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.set_zoom(app, zoom)
    window.statusBar().showMessage(f"Text size {zoom:.0%} of the system's", 3000)


def apply_saved_theme(window: Shell) -> None:
    """At start: the theme chosen in View → Theme (nothing to do for the default, which follows the system)."""
    choice = str(window.settings.value(THEME_KEY, "system") or "system")
    app = QApplication.instance()
    if choice != "system" and isinstance(app, QApplication):
        theme.choose(app, choice)


def apply_saved_text_size(settings: QSettings) -> None:
    """At start, before the pages are built at it: the text size chosen in View → Text size (the nearest step to a
    setting edited by hand; the system's size for one that is no number)."""
    try:
        zoom = float(str(settings.value(ZOOM_KEY, 1.0) or 1.0))  # QSettings gives back a string
    except (TypeError, ValueError):
        zoom = 1.0
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.set_zoom(app, text_size.nearest_zoom(zoom) if math.isfinite(zoom) else 1.0)
