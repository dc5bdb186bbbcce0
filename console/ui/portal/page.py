"""The Portal tab: the configurations, the editor, review-and-save, config as code, and "try it"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...domain import permissions
from ...domain.feedback import FeedbackOption
from ...domain.portal import Catalog, PortalConfig
from ...domain.text import no_reordering
from ...errors import ConsoleError
from ...services import operations
from ...services.portal import ChangedOnStripe, PortalInvalid, PortalService
from ..context import PageContext
from ..dates import moment_text
from ..plain import escape
from ..status_line import StatusLine
from ..text_size import scaled
from .dialogs import TryItDialog, conflict_dialog, review_dialog
from .exchange import export_configuration, import_configuration
from .form import PortalForm
from .wording import PortalWording, list_text

T = TypeVar("T")


class PortalPage(QWidget):
    """Talks to Stripe only through PortalService, always on the thread pool."""

    saved = Signal(object)  # PortalConfig
    failed = Signal(object)  # ConsoleError

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.configs: list[PortalConfig] = []
        self.catalog: Catalog = []
        self.original: PortalConfig | None = None  # what Stripe had when the editor was filled
        self._return_to: PortalConfig | None = None  # shown before a new (unsaved) configuration: where Discard goes
        self._after_load = ""  # what the next load's status line says instead of the count (a save's words)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        head = QHBoxLayout()
        title = QLabel("Customer portal")
        title.setProperty("class", "pageHeading")
        head.addWidget(title)
        self.caption = QLabel("What customers can do in Stripe's hosted portal. Changes are reviewed before anything is sent.")
        self.caption.setProperty("class", "pageCaption")
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens
        head.addWidget(self.caption, 1, Qt.AlignmentFlag.AlignBottom)
        outer.addLayout(head)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("portalConfigs")
        self.list.setSpacing(6)
        self.list.setMinimumWidth(scaled(220))
        self.list.setWordWrap(True)  # long names and feature lists wrap in the column instead of scrolling sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._selected)
        lv.addWidget(self.list, 1)
        buttons = [
            ("New", self.new),
            ("Clone", self.clone),
            ("Deactivate", self.toggle_active),
            ("Reload", self.reload),
            ("Export…", self.export),
            ("Import…", self.import_),
        ]
        grid = QGridLayout()  # three rows of two: a narrow list leaves the form its width at 1024 px
        self.buttons: dict[str, QPushButton] = {}
        for i, (text, slot) in enumerate(buttons):
            button = QPushButton(text)
            button.setObjectName(f"portal_{text.strip('…').lower()}")
            button.clicked.connect(slot)
            self.buttons[text] = button
            grid.addWidget(button, i // 2, i % 2)
        lv.addLayout(grid)
        split.addWidget(left)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.form = PortalForm()
        self.form.changed.connect(self._edited)
        self.form.custom.create_requested.connect(self.create_reason)
        self.form.custom.rename_requested.connect(self.rename_reason)
        self.form.custom.deactivate_requested.connect(self.deactivate_reason)
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        rv.addWidget(scroll, 1)
        bar = QHBoxLayout()
        self.status = StatusLine("portalStatus", rich=True)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens
        rv.addWidget(self.status)  # above the buttons, so a long message wraps instead of widening the page
        bar.addStretch(1)
        self.try_it = QPushButton("Open portal as customer…")
        self.try_it.setObjectName("portalTryIt")
        self.try_it.clicked.connect(self.try_portal)
        self.discard = QPushButton("Discard changes")
        self.discard.clicked.connect(self.discard_changes)
        self.save = QPushButton("Review and save…")
        self.save.setObjectName("portalSave")
        self.save.setProperty("class", "primary")
        self.save.clicked.connect(self.review)
        for widget in (self.try_it, self.discard, self.save):
            bar.addWidget(widget)
        rv.addLayout(bar)
        split.addWidget(right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 1000])  # the form keeps its two columns of reasons at 1024 px
        outer.addWidget(split, 1)
        self.loaded = False

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        """The configurations are read when the tab is first opened (no requests at start-up for it)."""
        super().showEvent(event)
        if not self.loaded:
            self.load()

    # helpers ------------------------------------------------------------------------------------
    def _service(self) -> PortalService | None:
        ws = self.context.workspace
        if ws is None or not ws.online:
            self.say("Stripe is not reachable: the portal editor needs a connection.", error=True)
            return None
        if not self.context.granted("rak_billing_portal_write"):
            self.say(permissions.lacks("rak_billing_portal_write") + ".", error=True)
            return None
        return PortalService(ws.need_gateway())

    def _wording(self) -> PortalWording:
        return PortalWording(self.catalog, self.form.feedback_options)

    def _run(self, fn: Callable[[], T], done: Callable[[T], None]) -> None:
        self.context.runner.submit_side(fn, done, self._failed)

    def say(self, text: str, error: bool = False) -> None:
        self.status.say(text, error=error)

    def _failed(self, error: ConsoleError) -> None:
        listed = ""
        if isinstance(error, PortalInvalid):
            self.form.show_problems(error.problems)  # at each field, and listed here
            wording = self._wording()
            listed = "".join(f"<br>• {escape(wording.field(k))}: {escape(v)}" for k, v in error.problems.items())
        self.say(f"<b>{escape(error.message)}</b> {escape(error.hint)}{listed}", error=True)
        self.failed.emit(error)

    # loading ------------------------------------------------------------------------------------
    def load(self) -> None:
        service = self._service()
        if service is None:
            return
        gateway = service.gateway
        self.say("Loading the configurations…")
        self._run(lambda: (service.list(), gateway.catalog(), service.reasons()), self._loaded)

    def reload(self) -> None:
        """Read the configurations again; unsaved edits are lost only if the admin says so."""
        if self.confirm_discard():
            self.load()

    def _loaded(self, result: tuple[list[PortalConfig], Catalog, list[FeedbackOption]]) -> None:
        self.configs, self.catalog, self.form.feedback_options = result
        self.loaded = True
        current = self.original.id if self.original else None
        self.list.blockSignals(True)
        self.list.clear()
        for c in self.configs:
            item = QListWidgetItem(no_reordering(list_text(c)))  # plain text: a configuration's name is anyone's
            item.setToolTip(f"{c.id}, updated {moment_text(c.updated)}")  # the id, for support
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        index = next((i for i, c in enumerate(self.configs) if c.id == current), 0)
        if self.configs:
            self.list.setCurrentRow(index)
            self._selected(index)
        self.say(self._after_load or f"{len(self.configs)} configurations.")  # a save's own words survive its reload
        self._after_load = ""

    def unsaved(self) -> bool:
        """Edits in the form that were not saved (compared field by field with what was loaded)."""
        return self.original is not None and bool((self.original if self.original.id else PortalConfig()).diff(self.form.value()))

    def confirm_discard(self) -> bool:
        """Ask before edits are lost; True when they may be."""
        if not self.unsaved() or self.original is None:
            return True
        name = self.original.name or "this configuration"
        question = (
            f"Discard the new configuration “{name}”? It was never saved to Stripe."
            if self.original.id is None
            else f"Discard your changes to “{name}”?"
        )
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Unsaved changes",
            question,
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Discard

    def _selected(self, row: int) -> None:
        if not 0 <= row < len(self.configs):
            return
        if self.original is not None and self.configs[row].id != self.original.id and not self.confirm_discard():
            back = next((i for i, c in enumerate(self.configs) if c.id == self.original.id), -1)
            self.list.blockSignals(True)
            self.list.setCurrentRow(back)
            self.list.blockSignals(False)
            return
        self._fill(self.configs[row])

    def _start_new(self, config: PortalConfig) -> None:
        """A configuration not on Stripe yet (New, Copy, an import of one it does not have): nothing in the list is
        highlighted, and Discard goes back to the configuration shown before."""
        if self.original is not None and self.original.id is not None:
            self._return_to = self.original
        self.list.blockSignals(True)
        self.list.setCurrentRow(-1)
        self.list.clearSelection()
        self.list.blockSignals(False)
        self._fill(config)

    def discard_changes(self) -> None:
        """Discard changes: the form as loaded; for a new configuration, the one shown before it."""
        if self.original is None:
            return
        back = self._return_to if self.original.id is None else self.original
        if back is None:
            self._fill(self.original)
        else:
            self._return_to = None
            row = next((i for i, c in enumerate(self.configs) if c.id == back.id), -1)
            self.list.blockSignals(True)
            self.list.setCurrentRow(row)
            self.list.blockSignals(False)
            self._fill(back)
        self.say("Changes discarded.")

    def _edited(self) -> None:
        """The status line follows the form: a "No changes to save." said before an edit is not left standing."""
        if self.unsaved():
            self.say("Changes not saved yet: Review and save sends them.")

    def _fill(self, config: PortalConfig | None) -> None:
        if config is None:
            return
        self.original = config
        self.form.load(config, self.catalog)
        self.buttons["Deactivate"].setText("Deactivate" if config.active else "Reactivate")
        self.buttons["Deactivate"].setEnabled(config.id is not None and not config.is_default)
        self.buttons["Deactivate"].setToolTip(
            "The default configuration cannot be deactivated: make another one the default in Stripe first."
            if config.is_default
            else ("Save it first." if config.id is None else "")
        )
        self.try_it.setEnabled(config.id is not None and config.active)

    # editing ------------------------------------------------------------------------------------
    def new(self) -> None:
        if not self.confirm_discard():
            return
        self._start_new(PortalConfig(name="New configuration", invoice_history=True, payment_method_update=True))
        self.say("A new configuration: fill it in, then Review and save.")

    def clone(self) -> None:
        if self.original is not None:
            self._start_new(
                replace(
                    self.form.value(),
                    id=None,
                    is_default=False,
                    active=True,
                    updated=0,
                    name=f"Copy of {self.original.name or self.original.id}",
                )
            )
            self.say("A copy: change it, then Review and save to create it.")

    def review(self) -> None:
        if self.original is None:
            return
        edited = self.form.value()
        problems = edited.problems()
        self.form.show_problems(problems)
        if problems:
            self.say("Correct the fields marked in red; nothing was sent.", error=True)
            return
        rows = (self.original if self.original.id else PortalConfig()).diff(edited)
        if not rows:
            self.say("No changes to save.")
            return
        if review_dialog(rows, self._wording(), self).exec() != 1:
            return
        service = self._service()
        if service is None:
            return
        original = self.original
        self.context.ops.run(lambda: operations.save_portal(service, original, edited), self._saved, self._failed)

    def _saved(self, result: PortalConfig | ChangedOnStripe) -> None:
        if isinstance(result, ChangedOnStripe):
            self.say(f"<b>{escape(result.message)}</b> {escape(result.hint)}", error=True)
            dialog = conflict_dialog(self.form.value().diff(result.remote), self._wording(), self)
            if dialog.exec() == 1:
                self._fill(result.remote)
                self.say("Loaded Stripe's version.")
            else:
                self.original = result.remote  # keep my edits; the next save goes on top of the newer version
            self.failed.emit(result)
            return
        self.original, self._return_to = result, None
        self._after_load = f"Saved {escape(result.name or result.id or '')} ({result.id})."
        self.say(self._after_load)
        self.saved.emit(result)  # the operation announces what changed (the portal, the Overview's card)
        self.load()

    def toggle_active(self) -> None:
        service = self._service()
        if service is None or self.original is None or self.original.id is None:
            return
        config_id, active = self.original.id, not self.original.active
        self.context.ops.run(lambda: operations.set_portal_active(service, config_id, active), self._saved, self._failed)

    # custom reasons: the account's, changed on Stripe at once; ticking one is part of the configuration ----
    def create_reason(self, text: str) -> None:
        if (service := self._service()) is not None:
            self._run(lambda: service.add_reason(text), lambda o: self._reason_done(o, "Added", tick=True))

    def rename_reason(self, option_id: str, text: str) -> None:
        if (service := self._service()) is not None:
            self._run(lambda: service.rename_reason(option_id, text), lambda o: self._reason_done(o, "Renamed", tick=False))

    def deactivate_reason(self, option_id: str) -> None:
        if (service := self._service()) is not None:
            self._run(lambda: service.deactivate_reason(option_id), lambda o: self._reason_done(o, "Deactivated", tick=False))

    def _reason_done(self, option: FeedbackOption, verb: str, *, tick: bool) -> None:
        self.form.feedback_options = [o for o in self.form.feedback_options if o.id != option.id] + [option]
        self.form.custom.add(option, tick=tick)
        self.form.show_problems({})
        where = " Review and save to offer it in this configuration." if tick else ""
        self.say(f"{verb} the reason “{escape(option.description)}” ({option.id}) on Stripe.{where}")

    # config as code: ui/portal/exchange.py ------------------------------------------------------
    def export(self) -> None:
        export_configuration(self)

    def import_(self, path: str | None = None) -> None:
        import_configuration(self, path)

    # try it ----------------------------------------------------------------------------------------
    def try_portal(self) -> None:
        if self.original is None or self.original.id is None:
            return
        dialog = TryItDialog(self.context.coupons(), self)
        if dialog.exec() != 1:
            return
        service = self._service()
        if service is None:
            return
        config_id, who = self.original.id, dialog.customer.text()
        coupon, sub = dialog.coupon.currentData(), dialog.subscription.text().strip() or None
        self._run(lambda: service.try_link(who, config_id, retention_coupon=coupon, subscription=sub), self._link)

    def _link(self, url: str) -> None:
        QGuiApplication.clipboard().setText(url)
        self.say(f"Portal link copied: {escape(url)}")
