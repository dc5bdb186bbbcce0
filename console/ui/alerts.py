"""Desktop notifications while the window runs: after each sync (but the first), new pending cancellations above
the MRR set in Preferences, and what became of the operator's own rows (services/alerts.py works them out, off
the GUI thread). Shown in the system tray where there is one; the Queue tab counts new rows until it is looked at."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from ..errors import ConsoleError
from ..services.alerts import Alert, SyncReport, Watch
from ..services.desk_settings import DeskSettings

if TYPE_CHECKING:
    from .shell import Shell

MAX_SHOWN = 3  # more than this in one sync: one notification that counts them


class AlertCenter(QObject):
    """`raised(list[Alert])` after a sync that found something; `shown` keeps what was raised, newest last (the
    model the tray and the tests read)."""

    raised = Signal(list)

    def __init__(self, window: Shell) -> None:
        super().__init__(cast(QObject, window))  # the main window itself
        self.window, self.watch = window, Watch()
        self.shown: list[Alert] = []
        self.unseen = 0  # new pending cancellations since the Queue tab was last looked at
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self.tray.setToolTip("Churn Console")
            self.tray.messageClicked.connect(self.tray_clicked)
            self.tray.show()
        window.synced.connect(self.after_sync)
        window.tabs.currentChanged.connect(lambda _i: self._looked())
        window.installEventFilter(self)

    def after_sync(self, report: SyncReport) -> None:
        workspace = self.window.workspace
        if workspace is None:
            return
        me = self.window.queue.desk.me()
        try:
            minimum = DeskSettings.load(workspace.data_dir).alert_min_mrr
        except ConsoleError:
            minimum = 0.0
        self.window.runner.submit_side(lambda: self.watch.after_sync(workspace, report, me, minimum), self.show, lambda _e: None)

    def show(self, alerts: list[Alert]) -> None:
        if not alerts:
            return
        self.shown.extend(alerts)
        new = [a for a in alerts if a.kind == "new"]
        if new and not self._looking():
            self.unseen += len(new)
            self._badge()
        if self.tray is not None:
            if len(alerts) <= MAX_SHOWN:
                for alert in alerts:
                    self.tray.showMessage(alert.title, alert.text, QSystemTrayIcon.MessageIcon.Information)
            else:
                self.tray.showMessage(
                    f"{len(alerts)} changes in the queue", alerts[0].title, QSystemTrayIcon.MessageIcon.Information
                )
        self.raised.emit(alerts)

    # the Queue tab's count -------------------------------------------------------------------
    def _looking(self) -> bool:
        return self.window.isActiveWindow() and self.window.tabs.currentWidget() is self.window.queue

    def _looked(self) -> None:
        if self._looking() and self.unseen:
            self.unseen = 0
            self._badge()

    def _badge(self) -> None:
        index = self.window.tabs.indexOf(self.window.queue)
        self.window.tabs.setTabText(index, f"Queue ({self.unseen} new)" if self.unseen else "Queue")

    def tray_clicked(self) -> None:
        """A click on a notification: the queue, in front."""
        self.window.tabs.setCurrentWidget(self.window.queue)
        self.window.raise_()
        self.window.activateWindow()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt naming
        if event.type() == QEvent.Type.WindowActivate:
            self._looked()
        return False
