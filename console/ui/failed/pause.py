"""The failed-payments tab's Pause instead…: the customer's consent, then `churn-console pause … --subscription`'s use
case (services/operations.pause_failed) off the GUI thread; its Undo (the button, Ctrl+Z, the line's link) resumes."""

from __future__ import annotations

from typing import cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from ...domain.action import Action
from ...domain.failed import FailedRow
from ...domain.money import format_money
from ...domain.queue import display_name
from ...errors import ConsoleError
from ...services import operations
from ...services.changes import AFTER_FAILED_PAUSE
from ..dialogs.consent import ask_consent
from ..plain import escape
from .charges import CHARGE_KEYS, ChargeSurface

PAUSABLE = ("past_due",)  # unpaid: Stripe's retries are over and it stays unpaid; paused: already


class PauseController(QObject):
    def __init__(self, page: ChargeSurface) -> None:
        super().__init__(cast(QObject, page))
        self.page, self.context, self.bar = page, page.context, page.action_bar
        self.last: Action | None = None
        self._tip = self.bar.pause.toolTip()  # what the button does; a row it cannot pause says why instead
        self.bar.pause.clicked.connect(self.pause)
        self.bar.undo.clicked.connect(self.undo_last)
        self.bar.status.linkActivated.connect(self._link)
        for key, button in (("pause", self.bar.pause), ("undo", self.bar.undo)):
            shortcut = QShortcut(
                QKeySequence(CHARGE_KEYS[key]), cast(QWidget, page),
                lambda b=button: b.click() if b.isEnabled() and b.isVisible() else None,
            )  # fmt: skip
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # while this tab is the one shown
        page.selection_changed.connect(lambda _rows: self.fit())
        self.context.bus.permissions_checked.connect(self.fit)
        self.fit()

    def fit(self) -> None:
        rows = self.page.selected_rows()
        workspace = self.context.workspace
        online = workspace is not None and workspace.online and self.context.session.why_actions_off() is None
        allowed = self.context.granted("rak_invoice_write")  # the write-off; the pause is a subscription write
        self.bar.pause.setEnabled(online and allowed and len(rows) == 1 and rows[0].status in PAUSABLE)
        why = {"unpaid": "Stripe's retries are over and it is unpaid: Stripe pauses only active subscriptions.",
               "paused": "Already paused."}.get(rows[0].status if len(rows) == 1 else "", "")  # fmt: skip
        self.bar.pause.setToolTip(why or self._tip)
        self.bar.undo.setEnabled(online)

    def pause(self) -> None:
        rows = self.page.selected_rows()
        if len(rows) != 1:
            return
        row = rows[0]
        who = escape(_who(row))
        amount = format_money(row.collection.amount_due, row.collection.currency)
        summary = (
            f"Pause <b>{who}</b>'s subscription instead of losing it ({format_money(row.mrr_minor, row.collection.currency)}/month). "
            f"The invoice {row.collection.invoice_id} ({amount}) is marked uncollectible: Stripe stops retrying it, "
            "and it can still be paid later. Undo resumes the subscription."
        )
        asked = ask_consent(self.context, self.page.window(), summary)
        workspace = self.context.workspace
        if asked is None or workspace is None:
            return
        consent, operator = asked
        invoice = row.collection.invoice_id
        self.bar.say(f"Pausing {who}…", progress=True)
        self.context.ops.run(
            lambda: operations.pause_failed(workspace, operator, invoice, consent), self._paused, self._failed,
            if_failed=AFTER_FAILED_PAUSE,
        )  # fmt: skip

    def undo_last(self) -> None:
        if self.last is not None:
            self.undo(self.last.id)

    def undo(self, action_id: str) -> None:
        workspace = self.context.workspace
        if workspace is None:
            return
        operator = self.context.operator()
        self.bar.say("Resuming…", progress=True)
        self.context.ops.run(lambda: operations.undo(workspace, operator, action_id), self._undone, self._failed)

    # results -------------------------------------------------------------------------------------
    def _paused(self, action: Action) -> None:
        self.last = action
        who = escape(action.customer_name or action.customer_id)
        invoice = escape(str(action.before.get("invoice") or ""))
        self.bar.say(
            f"<b>Paused</b> {who} instead of losing them; the invoice {invoice} is marked uncollectible (it can still be "
            f"paid). <a href='undo:{action.id}'>Undo</a>"
        )
        self.bar.undo.show()

    def _undone(self, action: Action) -> None:
        self.last = None
        self.bar.undo.hide()
        who = escape(action.customer_name or action.customer_id)
        self.bar.say(f"Resumed {who}'s subscription. The invoice stays uncollectible (Stripe cannot reopen it).")

    def _failed(self, error: ConsoleError) -> None:
        self.bar.say(f"<b>{escape(error.message)}</b> {escape(error.hint)}", error=True)

    def _link(self, href: str) -> None:
        if href.startswith("undo:"):
            self.undo(href[5:])


def _who(row: FailedRow) -> str:
    return display_name(row.customer_name, row.email, row.customer_id, False)
