"""What the window's helpers (menus, layout memory, alerts) need of the main window: a Protocol, so they do not
import the window that imports them (the UI holds no import circle: tests/unit/test_import_graph.py)."""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QByteArray, QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget

from ..services.workspace import Workspace
from .queue.page import QueuePage
from .workers import Runner


class Shell(Protocol):
    settings: QSettings
    queue: QueuePage
    tabs: QTabWidget
    runner: Runner
    refresh_action: QAction
    synced: Any  # Signal(object): a sync's report

    @property
    def workspace(self) -> Workspace | None: ...

    def installEventFilter(self, watched: QObject) -> None: ...  # noqa: N802 - Qt naming

    def raise_(self) -> None: ...

    def activateWindow(self) -> None: ...  # noqa: N802

    def isActiveWindow(self) -> bool: ...  # noqa: N802

    def restoreGeometry(self, geometry: QByteArray | bytes) -> bool: ...  # noqa: N802

    def saveGeometry(self) -> QByteArray: ...  # noqa: N802

    def resize(self, w: int, h: int) -> None: ...

    def menuBar(self) -> QMenuBar: ...  # noqa: N802

    def statusBar(self) -> QStatusBar: ...  # noqa: N802

    def close(self) -> bool: ...

    def edit_preferences(self) -> None: ...

    def edit_playbook(self) -> None: ...

    def edit_templates(self) -> None: ...
