"""The main window: the cached queue at once, then connect, sync and overview in the background."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QSizePolicy, QTabWidget, QToolBar, QWidget

from ..domain import permissions
from ..domain.models import Account, Coupon
from ..domain.mrr import Valuation
from ..domain.offers import Offer
from ..domain.playbook import Playbook
from ..domain.queue import QueueRow
from ..errors import ConsoleError, Offline
from ..secrets.destination import custom_server
from ..services.changes import Changes
from ..services.connection import Connection, NoProfile, open_profile
from ..services.keys import KeyMissing, KeyService
from ..services.overview import Overview, load_overview
from ..services.queue_view import QueueData
from ..services.session import Session
from ..services.workspace import Workspace
from ..sync import SyncReport
from .accounts import AccountsController
from .actions_controller import ActionsController
from .analytics.page import AnalyticsPage
from .context import PageContext
from .dialogs.playbook import PlaybookDialog
from .journal_page import JournalPage
from .layout_memory import restore_layout, save_layout
from .menus import build_menus
from .mode_badge import ModeBadge
from .operations import ChangeBus, Operations
from .overview_page import OverviewPage
from .portal.page import PortalPage
from .preferences import PreferencesDialog, refresh_minutes, settings_for
from .queue.page import QueuePage
from .queue.table import PreparedQueue
from .workers import ProgressRelay, Runner


def _clock(ts: float | None) -> str:
    return datetime.fromtimestamp(ts).strftime("%H:%M") if ts else "never"


class MainWindow(QMainWindow):
    """Never blocks on the network: every Stripe call runs on the thread pool."""

    controller: ActionsController  # made after the pages it serves (their signals reach it through lambdas)
    overview_loaded = Signal(object)
    load_failed = Signal(object)
    synced = Signal(object)
    sync_failed = Signal(object)

    def __init__(
        self,
        connect: Callable[[], Connection],
        data_dir: Path,
        settings: QSettings | None = None,
        keys: KeyService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Churn Console")
        self.data_dir = data_dir
        self.settings = settings or settings_for(data_dir)
        # the account, its connection and workspace, what the key may do: Qt-free (services/session.py)
        self.session = Session(data_dir, connect, keys=keys, profile=keys.profiles.last if keys else None)
        self.offline_since: datetime | None = None
        self.playbook = Playbook()
        self.runner = Runner(self)
        self.bus = ChangeBus(self)
        self.ops = Operations(self.runner, self.bus, lambda e: self.statusBar().showMessage(str(e), 10000), self)
        self.bus.changed.connect(self._changed)
        self.context = PageContext(self.session, self.ops, self.bus, self.runner, self.settings)
        self._reads = {"queue": 0}  # the latest refresh wins (an older one may finish later)
        self.relay = ProgressRelay(self)
        self.relay.progress.connect(self._progress)
        self._build_toolbar()
        build_menus(self)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.queue = QueuePage(self._timeline, self._mrr_explained)
        self.queue.detail.ltv_requested.connect(self._load_ltv)
        self.overview = OverviewPage()
        self.overview.retry_requested.connect(self.refresh)
        self.queue.selection_changed.connect(self._selection_changed)
        self.journal_page = JournalPage(self.context)
        self.journal_page.undo_requested.connect(lambda action_id: self.controller.undo(action_id))
        self.journal_page.retry_requested.connect(lambda action_id: self.controller.retry(action_id))
        self.journal_page.recover_requested.connect(lambda: self.controller.recover_journal())
        self.tabs.addTab(self.queue, "Queue")
        self.tabs.addTab(self.journal_page, "Journal")
        self.portal_page = PortalPage(self.context)
        self.tabs.addTab(self.portal_page, "Portal")
        self.analytics_page = AnalyticsPage(self.context)
        self.tabs.addTab(self.analytics_page, "Outcomes")
        self.tabs.addTab(self.overview, "Overview")
        self.controller = ActionsController(self)
        self.setCentralWidget(self.tabs)

        self.where_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.synced_label = QLabel("")
        self.synced_label.setObjectName("lastSynced")
        self.statusBar().addWidget(self.where_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.synced_label)

        restore_layout(self)
        self.auto = QTimer(self)
        self.auto.timeout.connect(self.refresh)
        self._apply_refresh_setting()
        if self.workspace is not None:
            self._show_account(self.workspace.account.name, self.workspace.account.livemode)
            self._show_queue()  # the cached queue before the first paint: the window opens on it
            self.journal_page.refresh()
        self._started = False  # the first connect waits for the first paint (see paintEvent)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt naming
        """Connect once the window has painted: the worker that connects (and, in the demo, seeds the sandbox)
        would otherwise hold the interpreter while the window paints its first frame, which shows as black."""
        super().paintEvent(event)
        if not self._started:
            self._started = True
            QTimer.singleShot(0, self.refresh)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Account")
        toolbar.setObjectName("accountToolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.account_label = QLabel("Not connected")
        self.account_label.setTextFormat(Qt.TextFormat.PlainText)  # a profile or account name
        self.account_label.setObjectName("accountName")
        toolbar.addWidget(self.account_label)
        self.mode_badge = ModeBadge()
        toolbar.addWidget(self.mode_badge)
        self.accounts: AccountsController | None = None
        if self.keys is not None:
            self.accounts = AccountsController(self, self.keys)
            toolbar.addWidget(self.accounts.combo)
            toolbar.addWidget(self.accounts.menu_button)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        self.refresh_action = QAction("Refresh", self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setToolTip("Sync with Stripe now (F5)")
        self.refresh_action.triggered.connect(self.refresh)
        toolbar.addAction(self.refresh_action)

    # refresh cycle: connect → sync → queue → overview --------------------------------------------
    def refresh(self) -> None:
        if self.runner.busy:
            return
        self.refresh_action.setEnabled(False)
        self._progress(0, None, "Connecting…")
        if self.connection is None:
            self.runner.submit(self.session.open, self._opened, self._failed)
        else:
            self._sync()

    def _opened(self, workspace: Workspace) -> None:
        connection = self.connection
        assert connection is not None  # session.open() connected
        self.where_label.setText(connection.where)
        demo = connection.sandbox is not None or (connection.gateway.api_base or "").startswith("http://")
        self.queue.detail.dashboard_unavailable(
            "These ids live in a sandbox, not in a Stripe account: the Dashboard would not find them." if demo else None
        )
        self._show_account(workspace.account.name, workspace.account.livemode)
        self._sync()

    def _sync(self) -> None:
        workspace = self.workspace
        assert workspace is not None

        def work() -> tuple[SyncReport, QueueData, PreparedQueue]:
            report = workspace.sync(progress=self.relay)
            data = QueueData.read(workspace)
            return report, data, PreparedQueue.build(data.rows, offers=data.offers)  # the GUI thread only swaps it in

        self.runner.submit(work, self._synced, self._failed)

    def _synced(self, result: tuple[SyncReport, QueueData, PreparedQueue]) -> None:
        report, data, table = result
        self.offline_since = None
        self.queue.show_offline(None)
        self._show_queue(data, table)
        self.progress.hide()
        self.statusBar().showMessage(report.summary(), 8000)
        self.bus.announce(Changes(journal=True, outcomes=True))  # the queue is in: the worker read it with the sync
        self.synced.emit(report)
        workspace = self.workspace
        if workspace is not None:
            unreadable = tuple(
                name for name, permission in (("coupons", "rak_coupon_read"), ("portal", "rak_billing_portal_read"))
                if not self.granted(permission)
            )  # fmt: skip
            self.runner.submit(lambda: load_overview(workspace, unreadable), self._overview, self._overview_failed)

    def _overview(self, ov: Overview) -> None:
        self.refresh_action.setEnabled(True)
        self.overview.show_overview(ov)
        self.overview_loaded.emit(ov)

    def _overview_failed(self, error: ConsoleError) -> None:
        self.refresh_action.setEnabled(True)
        self.overview.show_error(error)
        self.load_failed.emit(error)

    def _failed(self, error: ConsoleError) -> None:
        self.refresh_action.setEnabled(True)
        self.progress.hide()
        if self.accounts is not None and isinstance(error, NoProfile | KeyMissing):
            self.accounts.connect_account(rotate=self.profile_name if isinstance(error, KeyMissing) else None)
        if isinstance(error, Offline):
            self.offline_since = self.offline_since or datetime.now()
        self.queue.show_offline(self._banner_text(error))
        self._selection_changed(self.queue.selected_rows())
        self.overview.show_error(error)
        self.statusBar().showMessage(str(error), 10000)
        self.sync_failed.emit(error)
        self.load_failed.emit(error)

    def _banner_text(self, error: ConsoleError) -> str:
        cached = self.workspace.last_synced() if self.workspace else None
        if isinstance(error, Offline):
            head = f"<b>Offline since {self.offline_since:%H:%M}</b> — Stripe cannot be reached."
        else:
            head = f"<b>{error.message}</b> {error.hint}"
        if cached:
            return f"{head} Showing the queue as last synced at {_clock(cached)}; it is read-only until the next successful sync."
        return f"{head} There is no cached queue for this account yet."

    # display -------------------------------------------------------------------------------
    def _show_account(self, name: str, livemode: bool) -> None:
        self.account_label.setText(f"{name}  ")
        gateway = self.connection.gateway if self.connection else None
        self.mode_badge.set_mode("live" if livemode else "test", custom_server(gateway.api_base) if gateway else None)

    def _show_queue(self, data: QueueData | None = None, table: PreparedQueue | None = None) -> None:
        """Show the cached queue; `data` and `table` when a worker already read and prepared it (after a sync)."""
        if self.workspace is None:
            return
        data = data or QueueData.read(self.workspace)
        self.playbook = data.playbook
        self.queue.action_bar.set_coupons(data.coupons)
        self.queue.action_bar.set_configurations(data.configurations)
        self.queue.set_table(table or PreparedQueue.build(data.rows, offers=data.offers))
        self.synced_label.setText(f"Last synced {_clock(data.synced_at)}")
        self._selection_changed(self.queue.selected_rows())

    # what changed: each page is refreshed from the cache by a worker, the GUI thread only swaps it in ----------
    def _changed(self, changes: Changes) -> None:
        if changes.queue or changes.coupons:
            self._refresh_queue()

    def _refresh_queue(self) -> None:
        workspace = self.workspace
        if workspace is None:
            return
        self._reads["queue"] = mine = self._reads["queue"] + 1

        def work() -> tuple[QueueData, PreparedQueue]:
            data = QueueData.read(workspace)
            return data, PreparedQueue.build(data.rows, offers=data.offers)

        def show(result: tuple[QueueData, PreparedQueue]) -> None:
            if mine == self._reads["queue"] and workspace is self.workspace:
                self._show_queue(*result)

        self.runner.submit_side(work, show, lambda e: self.statusBar().showMessage(str(e), 10000))

    def switch_profile(self, name: str, reconnect: bool = False) -> None:
        """Show another profile's cached queue at once, then connect to it."""
        if self.runner.busy:  # let the running sync finish with its own workspace
            QTimer.singleShot(200, lambda: self.switch_profile(name, reconnect))
            return
        assert self.keys is not None
        profile = self.keys.profiles.get(name)
        cached = Workspace.cached(self.data_dir, Account(profile.account_id, profile.account_name, profile.livemode))
        self.session.switch(name, lambda: open_profile(self.data_dir, name, service=self.keys), cached)
        self._show_account(profile.account_name, profile.livemode)
        self.queue.set_rows([])
        self._show_queue()
        self.journal_page.refresh()
        self.refresh()

    # the session's, for the pages and controllers that still reach the window ---------------------------
    @property
    def workspace(self) -> Workspace | None:
        return self.session.workspace

    @property
    def connection(self) -> Connection | None:
        return self.session.connection

    @property
    def keys(self) -> KeyService | None:
        return self.session.keys

    @property
    def profile_name(self) -> str | None:
        return self.session.profile

    @profile_name.setter
    def profile_name(self, name: str | None) -> None:
        self.session.profile = name

    def close_account(self) -> None:
        self.session.close()

    def granted(self, permission: str) -> bool:
        """What the profile's last permission check said (True where unknown: demo, STRIPE_API_KEY)."""
        return self.session.granted(permission)

    def apply_permissions(self) -> None:
        self._selection_changed(self.queue.selected_rows())

    def recommendation(self, row: QueueRow) -> Offer:
        return self.playbook.recommend(row, row.interval)[0]

    def coupons(self) -> list[Coupon]:
        return self.workspace.cache.coupons() if self.workspace else []

    def _selection_changed(self, rows: list[QueueRow]) -> None:
        online = bool(self.workspace and self.workspace.online and self.offline_since is None)
        reason = "" if online else "Actions need a connection to Stripe (the queue is read-only)"
        if online and not self.granted("rak_subscription_write"):
            online, reason = False, permissions.lacks("rak_subscription_write")
        self.controller.fit_bar(rows, online, reason)

    def _progress(self, done: int, total: Any, message: str) -> None:
        self.progress.show()
        if total:
            self.progress.setRange(0, int(total))
            self.progress.setValue(min(done, int(total)))
        else:
            self.progress.setRange(0, 0)
        self.progress.setToolTip(message)
        self.statusBar().showMessage(message)

    def _timeline(self, sub_id: str) -> list[dict[str, Any]]:
        return self.workspace.timeline(sub_id) if self.workspace else []

    def _mrr_explained(self, sub_id: str) -> Valuation | None:
        return self.workspace.mrr_explained(sub_id) if self.workspace else None

    def _load_ltv(self, customer_id: str) -> None:
        workspace = self.workspace
        if workspace is None:
            return
        self.runner.submit_side(
            lambda: workspace.lifetime_value(customer_id),
            lambda paid: self.queue.detail.show_ltv(customer_id, paid),
            lambda err: self.queue.detail.show_ltv(
                customer_id, None, "unavailable offline" if isinstance(err, Offline) else err.message
            ),
        )

    # preferences and closing ------------------------------------------------------------------
    def edit_playbook(self) -> None:
        if self.workspace is None:
            return
        rows = self.workspace.queue()
        custom = sorted(
            {(r.feedback_option, r.feedback_text or r.feedback_option) for r in rows if r.feedback_option}, key=lambda x: x[1]
        )
        dialog = PlaybookDialog(self.workspace.playbook(), self.coupons(), sorted({r.currency for r in rows}), self, custom)
        if dialog.exec():
            self.workspace.save_playbook(dialog.playbook())
            self.bus.announce(Changes(queue=True))  # each row's recommended offer

    def edit_preferences(self) -> None:
        if PreferencesDialog(self.settings, self).exec():
            self._apply_refresh_setting()

    def _apply_refresh_setting(self) -> None:
        minutes = refresh_minutes(self.settings)
        if minutes:
            self.auto.start(minutes * 60_000)
        else:
            self.auto.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        if self.portal_page.loaded and not self.portal_page.confirm_discard():
            event.ignore()  # unsaved portal edits: the user chose to keep working
            return
        self.auto.stop()
        save_layout(self)
        self.runner.pool.waitForDone(5000)
        self.session.close()
        super().closeEvent(event)
