"""The window comes back as it was left: size and position, the queue's split and its columns (in the settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QGuiApplication

if TYPE_CHECKING:
    from .shell import Shell

GEOMETRY, SPLIT, COLUMNS = "window/geometry", "window/queue_split", "window/queue_columns"
DEFAULT_SIZE = (1400, 860)


def restore_layout(window: Shell) -> None:
    """What was saved, where it still fits a screen; else a default size that fits the screen it opens on."""
    settings = window.settings
    geometry = settings.value(GEOMETRY)
    if not (isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)):
        screen = QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        width, height = DEFAULT_SIZE
        if room is not None:
            width, height = min(width, room.width() - 40), min(height, room.height() - 60)
        window.resize(max(1024, width), max(700, height))
    for key, restore in (
        (SPLIT, window.queue.splitter.restoreState),
        (COLUMNS, window.queue.table.horizontalHeader().restoreState),
    ):
        state = settings.value(key)
        if isinstance(state, QByteArray):
            restore(state)


def save_layout(window: Shell) -> None:
    settings = window.settings
    settings.setValue(GEOMETRY, window.saveGeometry())
    settings.setValue(SPLIT, window.queue.splitter.saveState())
    settings.setValue(COLUMNS, window.queue.table.horizontalHeader().saveState())
    settings.sync()
