"""The main window's menu bar: File, View and Help."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    file_menu = window.menuBar().addMenu("&File")
    prefs = file_menu.addAction("&Preferences…")
    prefs.setShortcut(QKeySequence.StandardKey.Preferences)
    prefs.triggered.connect(window.edit_preferences)
    playbook = file_menu.addAction("Retention &playbook…")
    playbook.triggered.connect(window.edit_playbook)
    file_menu.addSeparator()
    quit_action = file_menu.addAction("&Quit")
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)
    quit_action.triggered.connect(window.close)
    view = window.menuBar().addMenu("&View")
    view.addAction(window.refresh_action)
