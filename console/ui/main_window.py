"""The shell: the window, its toolbar, menus and status bar, the pages laid out in tabs, and the refresh cycle
(connect, then sync). The pages are built from a page context and refresh themselves from what changed."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPaintEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QSizePolicy, QTabWidget, QToolBar, QWidget

from ..domain.models import Account, Coupon
from ..domain.offers import Offer
from ..domain.queue import QueueRow
from ..errors import ConsoleError, Offline
from ..services import desk, operations
from ..services.changes import Changes, Done
from ..services.connection import Connection, NoProfile, custom_server, open_profile
from ..services.keys import KeyMissing, KeyService
from ..services.operations import SyncReport
from ..services.queue_view import QueueData
from ..services.session import Session
from ..services.workspace import Workspace
from .accounts import AccountsController
from .actions_controller import ActionsController
from .alerts import AlertCenter
from .context import PageContext
from .dialogs.playbook import PlaybookDialog
from .dialogs.templates import TemplatesDialog
from .journal_page import JournalPage
from .layout_memory import restore_layout, save_layout
from .lazy_page import LazyPage
from .menus import apply_saved_text_size, apply_saved_theme, build_menus
from .mode_badge import ModeBadge
from .operations import ChangeBus, Operations
from .overview_page import OverviewPage
from .plain import TextLabel
from .preferences import PreferencesDialog, keep_operator, refresh_minutes, settings_for
from .queue.page import QueuePage
from .queue.reading import clock_text, prepare
from .queue.table import PreparedQueue
from .status_bar import ElidingStatusBar
from .text_size import scaled
from .warming import TabWarmer
from .workers import ProgressRelay, Runner

if TYPE_CHECKING:
    from .analytics.page import AnalyticsPage
    from .failed.page import FailedPage
    from .portal.page import PortalPage
    from .recovery.page import RecoveryPage


class MainWindow(QMainWindow):
    """Never blocks on the network: every Stripe call runs on the thread pool."""

    overview_loaded = Signal(object)
    load_failed = Signal(object)
    synced = Signal(object)
    sync_failed = Signal(object)
    queue_complete = Signal(object)  # (QueueData, PreparedQueue): a full sync's queue, before its invoices are read

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
        self.setStatusBar(ElidingStatusBar(self))
        self.data_dir = data_dir
        self.settings = settings or settings_for(data_dir)
        apply_saved_text_size(self.settings)  # before the pages: they are built at it
        keep_operator(self.settings, data_dir)  # one name for the window and the CLI (services/operator.py)
        # the account, its connection and workspace, what the key may do: Qt-free (services/session.py)
        self.session = Session(data_dir, connect, keys=keys, profile=keys.profiles.last if keys else None)
        self.runner = Runner(self)
        self.bus = ChangeBus(self)
        self.ops = Operations(self.runner, self.bus, lambda e: self.statusBar().showMessage(str(e), 10000), self)
        self.context = PageContext(
            self.session, self.ops, self.bus, self.runner, self.settings, lambda text: self.statusBar().showMessage(text, 10000)
        )
        self.relay = ProgressRelay(self)
        self.relay.progress.connect(self._progress)
        self._build_toolbar()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.queue = QueuePage(self.context)
        self.queue_complete.connect(self._queue_complete)
        self.controller: ActionsController = self.queue.controller
        self.journal_page = JournalPage(self.context)
        self.journal_page.undo_requested.connect(self.controller.undo)
        self.journal_page.retry_requested.connect(self.controller.retry)
        self.journal_page.recover_requested.connect(self.controller.recover_journal)
        # Portal and Outcomes are built when first shown or asked for: 35 ms of widgets, and the charts' library
        # (pyqtgraph, 0.3-0.5 s of import), that the first frame would otherwise wait for
        self.portal_tab: LazyPage[PortalPage] = self._lazy("portal.page", "PortalPage")
        self.outcomes_tab: LazyPage[AnalyticsPage] = self._lazy("analytics.page", "AnalyticsPage")
        self.failed_tab: LazyPage[FailedPage] = self._lazy("failed.page", "FailedPage")  # a second queue
        self.recovery_tab: LazyPage[RecoveryPage] = self._lazy("recovery.page", "RecoveryPage")
        self.overview = OverviewPage(self.context)
        self.overview.retry_requested.connect(self.refresh)
        self.overview.loaded.connect(self._overview_done)
        self.overview.failed.connect(self._overview_done)
        for page, title in (
            (self.queue, "Queue"),
            (self.failed_tab, "Failed payments"),
            (self.journal_page, "Journal"),
            (self.portal_tab, "Portal"),
            (self.outcomes_tab, "Outcomes"),
            (self.recovery_tab, "Recovery"),
            (self.overview, "Overview"),
        ):
            self.tabs.addTab(page, title)
        self.setCentralWidget(self.tabs)
        build_menus(self)  # after the tabs: View lists each page
        apply_saved_theme(self)

        self.where_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setMaximumWidth(scaled(220))
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.synced_label = QLabel("")
        self.synced_label.setObjectName("lastSynced")
        self.statusBar().addWidget(self.where_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.synced_label)
        self.queue.refreshed.connect(lambda: self.synced_label.setText(f"Last synced {clock_text(self.queue.synced_at)}"))

        restore_layout(self)
        self.alerts = AlertCenter(self)  # notifications after each sync, and the Queue tab's count of new rows
        self.auto = QTimer(self)
        self.auto.timeout.connect(self.refresh)
        self._apply_refresh_setting()
        if self.workspace is not None:
            self._show_account(self.workspace.account.name, self.workspace.account.livemode)
            self.queue.show_head()  # the cached queue's first rows before the first paint; the rest on a worker
            self.journal_page.refresh()
        self._started = False  # the first connect waits for the first paint (see paintEvent)
        self.warmer = TabWarmer(self.queue, self, then=self.failed_tab.build)  # then the failed page, quietly
        self.warmer.watch(self.tabs)  # the other pages' modules when the pointer comes onto their tabs

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt naming
        """Connect once the window has painted: the worker that connects (and, in the demo, seeds the sandbox)
        would otherwise hold the interpreter while the window paints its first frame, which shows as black."""
        super().paintEvent(event)
        if not self._started:
            self._started = True
            QTimer.singleShot(0, self.refresh)
            self.warmer.start()

    def _lazy(self, module: str, name: str) -> LazyPage[Any]:
        """A tab's page, built when the tab is first shown or the page asked for, its module imported then (on a
        worker ahead of that when the pointer comes onto its tab, or at a quiet moment: ui/warming.py); it reads when
        shown."""
        path = f"{__package__}.{module}"
        return LazyPage(lambda: getattr(importlib.import_module(path), name)(self.context), module=path)

    @property
    def failed_page(self) -> FailedPage:
        return self.failed_tab.page

    @property
    def recovery_page(self) -> RecoveryPage:
        return self.recovery_tab.page

    @property
    def analytics_page(self) -> AnalyticsPage:
        return self.outcomes_tab.page

    @property
    def portal_page(self) -> PortalPage:
        return self.portal_tab.page

    def _build_toolbar(self) -> None:
        toolbar = QToolBar("Account")
        toolbar.setObjectName("accountToolbar")
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.account_label = TextLabel("Not connected")  # a profile or account name: anyone's text
        self.account_label.setObjectName("accountName")
        toolbar.addWidget(self.account_label)
        self.mode_badge = ModeBadge()
        toolbar.addWidget(self.mode_badge)
        self.accounts: AccountsController | None = None
        if self.keys is not None:
            self.accounts = AccountsController(self.context, self.keys, self.switch_profile, self)
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

    # refresh cycle: connect → sync; the pages refresh themselves from what the sync changed -----------------
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
        demo = connection.demo or (connection.gateway.api_base or "").startswith("http://")
        self.queue.detail.dashboard_unavailable(
            "These ids live in a sandbox, not in a Stripe account: the Dashboard would not find them." if demo else None
        )
        self._show_account(workspace.account.name, workspace.account.livemode)
        self.overview.syncing()
        self._sync()

    def _sync(self) -> None:
        workspace = self.workspace
        assert workspace is not None
        sort = self.queue.sort_state()

        def ready(report: SyncReport) -> None:  # the queue is in; what invoices add (value, usage) follows
            self.queue_complete.emit(prepare(workspace, sort))

        def work() -> tuple[Done[SyncReport], tuple[QueueData, PreparedQueue] | None]:
            done = operations.sync(workspace, progress=self.relay, queue_ready=ready)
            # the queue read with the sync, when it changed: the GUI thread only swaps it in
            return done, prepare(workspace, sort) if done.changes.queue else None

        self.runner.submit(work, self._synced, self._failed)

    def _queue_complete(self, read: tuple[QueueData, PreparedQueue]) -> None:
        self.queue.show_data(*read)  # emitted on the sync's thread, run here on the GUI thread (a queued connection)

    def _synced(self, result: tuple[Done[SyncReport], tuple[QueueData, PreparedQueue] | None]) -> None:
        done, read = result
        self.session.offline_since = None
        if read is not None:
            self.queue.show_data(*read)
        elif self.queue.stale():
            self.queue.refresh()  # nothing changed on Stripe, but days left have (on a worker)
        else:
            self.queue.refit()  # back online: the actions may run again
        if self.workspace is not None:
            self.synced_label.setText(f"Last synced {clock_text(self.workspace.last_synced())}")
        # a quiet sync changes nothing, but a window that has not shown its Overview yet (a relaunch) reads it now
        overview = done.changes.overview or not self.overview.shown_once
        if not overview:
            self.refresh_action.setEnabled(True)  # no overview to wait for
        self.progress.hide()
        self.statusBar().showMessage(done.result.summary(), 8000)
        self.bus.synced.emit(done.result)
        self.bus.announce(replace(done.changes, queue=False, overview=overview))  # the queue is in; the others read
        self.synced.emit(done.result)

    def _overview_done(self, result: Any) -> None:
        self.refresh_action.setEnabled(True)
        (self.load_failed if isinstance(result, ConsoleError) else self.overview_loaded).emit(result)

    def _failed(self, error: ConsoleError) -> None:
        self.refresh_action.setEnabled(True)
        self.progress.hide()
        if self.accounts is not None and isinstance(error, NoProfile | KeyMissing):
            self.accounts.connect_account(rotate=self.profile_name if isinstance(error, KeyMissing) else None)
        if isinstance(error, Offline):
            self.session.went_offline()
        self.bus.sync_failed.emit(error)  # the queue's banner, the overview's
        self.statusBar().showMessage(str(error), 10000)
        self.sync_failed.emit(error)
        self.load_failed.emit(error)

    # display -------------------------------------------------------------------------------
    def _show_account(self, name: str, livemode: bool) -> None:
        self.account_label.setText(f"{name}  ")
        gateway = self.connection.gateway if self.connection else None
        self.mode_badge.set_mode("live" if livemode else "test", custom_server(gateway.api_base) if gateway else None)

    def switch_profile(self, name: str) -> None:
        """Show another profile's cached queue at once, then connect to it."""
        if self.runner.busy:  # let the running sync finish with its own workspace
            QTimer.singleShot(200, lambda: self.switch_profile(name))
            return
        assert self.keys is not None
        profile = self.keys.profiles.get(name)
        account = Account(profile.account_id, profile.account_name, profile.livemode)
        cached = Workspace.cached(self.data_dir, account, check=False)  # checked by its first sync
        self.session.switch(name, lambda: open_profile(self.data_dir, name, service=self.keys), cached)
        self._show_account(profile.account_name, profile.livemode)
        self.queue.set_rows([])
        self.queue.show_head()
        self.journal_page.refresh()
        self.refresh()

    # the session's and the pages', by their short names ---------------------------------------------------
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

    def recommendation(self, row: QueueRow) -> Offer:
        return self.queue.recommendation(row)

    def coupons(self) -> list[Coupon]:
        return self.context.coupons()

    def _progress(self, done: int, total: Any, message: str) -> None:
        self.progress.show()
        if total:
            self.progress.setRange(0, int(total))
            self.progress.setValue(min(done, int(total)))
        else:
            self.progress.setRange(0, 0)
        self.progress.setToolTip(message)
        self.statusBar().showMessage(message)

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
            self.bus.announce(Changes(queue=True, playbook=True))  # each row's offer; the recovery report's settings

    def edit_templates(self) -> None:
        """The team's e-mail templates, kept in outreach.json beside the data (the CLI's `outreach` reads them)."""
        try:
            templates = desk.load_templates(self.data_dir)
        except ConsoleError as exc:  # kept as it is: said, and not edited over
            self.statusBar().showMessage(str(exc), 15000)
            return
        dialog = TemplatesDialog(templates, self)
        if dialog.exec():
            try:
                desk.save_templates(self.data_dir, dialog.templates())
            except OSError as exc:
                self.statusBar().showMessage(
                    f"{self.data_dir / desk.TEMPLATES} cannot be written ({exc.strerror}); the templates were not changed.", 15000
                )

    def edit_preferences(self) -> None:
        if PreferencesDialog(self.settings, self, data_dir=self.data_dir).exec():
            self._apply_refresh_setting()
            self.queue.desk.follow_name()  # "Mine" follows a new name
            self.bus.announce(Changes(queue=True))  # claims lapse as the settings now say

    def _apply_refresh_setting(self) -> None:
        minutes = refresh_minutes(self.settings)
        if minutes:
            self.auto.start(minutes * 60_000)
        else:
            self.auto.stop()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt naming
        portal = self.portal_tab.built
        if portal is not None and portal.loaded and not portal.confirm_discard():
            event.ignore()  # unsaved portal edits: the user chose to keep working
            return
        self.auto.stop()
        self.warmer.finish()
        save_layout(self)
        self.runner.wait(5000)
        self.session.close()
        super().closeEvent(event)
