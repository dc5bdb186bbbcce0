"""The main window's menu bar: File, View and Help (shortcuts, about)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from .help import ShortcutsDialog, show_about

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
    help_menu = window.menuBar().addMenu("&Help")
    shortcuts = help_menu.addAction("&Keyboard shortcuts")
    shortcuts.setShortcut(QKeySequence("Ctrl+/"))
    parent = cast(QWidget, window)  # the main window itself
    shortcuts.triggered.connect(lambda: ShortcutsDialog(parent).open())
    help_menu.addAction("&About Churn Console", lambda: show_about(parent))
