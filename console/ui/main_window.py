"""The main window: toolbar with account and mode, tabs, and a status bar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSizePolicy, QTabWidget, QToolBar, QWidget

from ..errors import ConsoleError
from ..services.connection import Connection
from ..services.overview import Overview, load_overview
from .mode_badge import ModeBadge
from .overview_page import OverviewPage
from .workers import Runner


class MainWindow(QMainWindow):
    """Connects in the background, then loads the overview; never blocks on the network."""

    overview_loaded = Signal(object)
    load_failed = Signal(object)

    def __init__(self, connect: Callable[[], Connection], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Churn Console")
        self.resize(1180, 720)
        self._connect = connect
        self.connection: Connection | None = None
        self.runner = Runner(self)

        toolbar = QToolBar("Account")
        toolbar.setObjectName("accountToolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.account_label = QLabel("Not connected")
        self.account_label.setObjectName("accountName")
        toolbar.addWidget(self.account_label)
        self.mode_badge = ModeBadge()
        toolbar.addWidget(self.mode_badge)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setToolTip("Read the account again (F5)")
        self.refresh_action.triggered.connect(self.refresh)
        toolbar.addAction(self.refresh_action)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.overview = OverviewPage()
        self.overview.retry_requested.connect(self.refresh)
        self.tabs.addTab(self.overview, "Overview")
        self.setCentralWidget(self.tabs)

        self.where_label = QLabel("")
        self.updated_label = QLabel("")
        self.statusBar().addWidget(self.where_label, 1)
        self.statusBar().addPermanentWidget(self.updated_label)
        self.refresh()

    # loading -----------------------------------------------------------------
    def refresh(self) -> None:
        if self.runner.busy:
            return
        self.refresh_action.setEnabled(False)
        if self.connection is None:
            self.overview.show_loading("Connecting…")
            self.runner.submit(self._connect, self._connected, self._failed)
        else:
            self._load()

    def _connected(self, connection: Connection) -> None:
        self.connection = connection
        self.where_label.setText(connection.where)
        self._load()

    def _load(self) -> None:
        assert self.connection is not None
        gateway = self.connection.gateway
        self.overview.show_loading("Loading the account…")
        self.runner.submit(lambda: load_overview(gateway), self._loaded, self._failed)

    def _loaded(self, ov: Overview) -> None:
        self.refresh_action.setEnabled(True)
        self.account_label.setText(f"{ov.account.name}  ")
        self.mode_badge.set_mode("live" if ov.account.livemode else "test")
        self.updated_label.setText(f"Updated {datetime.now().strftime('%H:%M:%S')}")
        self.overview.show_overview(ov)
        self.overview_loaded.emit(ov)

    def _failed(self, error: ConsoleError) -> None:
        self.refresh_action.setEnabled(True)
        self.overview.show_error(error)
        self.statusBar().showMessage(str(error), 10000)
        self.load_failed.emit(error)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.runner.pool.waitForDone(3000)
        if self.connection is not None:
            self.connection.close()
        super().closeEvent(event)
