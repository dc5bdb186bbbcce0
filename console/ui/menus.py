"""The main window's menu bar: File, View and Help (shortcuts, about)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from . import theme
from .help import ShortcutsDialog, show_about

THEME_KEY = "view/theme"  # system, light or dark (CHURN_CONSOLE_THEME, when set, still wins)

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


def apply_saved_theme(window: Shell) -> None:
    """At start: the theme chosen in View → Theme (nothing to do for the default, which follows the system)."""
    choice = str(window.settings.value(THEME_KEY, "system") or "system")
    app = QApplication.instance()
    if choice != "system" and isinstance(app, QApplication):
        theme.choose(app, choice)
