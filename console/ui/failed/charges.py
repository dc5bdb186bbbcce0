"""The failed-payments tab's charges: Retry now and Paid another way…, each the same use case as `churn-console retry`
and `paid-outside` (services/operations.py), run off the GUI thread, its outcome said under the buttons."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ...domain import dunning
from ...domain.action import Action
from ...domain.failed import FailedRow
from ...domain.money import format_money
from ...domain.queue import display_name
from ...errors import ConsoleError
from ...services import operations
from ...services.changes import Done
from ...services.workspace import Workspace
from ..ask import ask
from ..plain import TextLabel, escape
from ..said_bar import SaidBar

if TYPE_CHECKING:
    from ..context import PageContext


class ChargeSurface(Protocol):
    """What the charges need of the failed-payments page (a Protocol: the page makes them, and is their parent)."""

    context: PageContext
    selection_changed: Any  # Signal(list): the selected rows

    @property
    def action_bar(self) -> FailedBar: ...

    def selected_rows(self) -> list[FailedRow]: ...

    def window(self) -> QWidget: ...


CHARGE_KEYS = {"retry": "Ctrl+R", "paid": "Ctrl+Shift+P", "pause": "Ctrl+Shift+U", "undo": "Ctrl+Z"}
RETRY_TIP = f"Charge the card on file now: one charge, never two ({CHARGE_KEYS['retry']})"


class FailedBar(SaidBar):
    """Retry now, Paid another way… and Pause instead… (the save desk's buttons join after them: desk_controller.py);
    Undo after a pause."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.retry = QPushButton("&Retry now")
        self.retry.setObjectName("retryNow")
        self.retry.setProperty("class", "primary")
        self.retry.setToolTip(RETRY_TIP)
        self.paid = QPushButton("&Paid another way…")
        self.paid.setObjectName("paidOutside")
        self.paid.setToolTip(
            f"The customer paid by transfer or cheque: mark the invoice paid, nothing is charged ({CHARGE_KEYS['paid']})"
        )
        self.pause = QPushButton("Pa&use instead…")
        self.pause.setObjectName("pauseFailed")
        self.pause.setToolTip(
            "The customer agrees to a pause rather than losing the subscription: the invoice is marked uncollectible "
            f"(Stripe stops retrying; it can still be paid) and the subscription paused ({CHARGE_KEYS['pause']})"
        )
        self.undo = QPushButton(f"Undo  ({CHARGE_KEYS['undo']})")
        self.undo.setObjectName("undoFailedPause")
        self.undo.hide()  # shown after a pause, until it is undone
        for button in (self.retry, self.paid, self.pause, self.undo):
            self.row.addWidget(button)
        self.finish()


def _who(row: FailedRow) -> str:
    return display_name(row.customer_name, row.email, row.customer_id, False)


class ChargeController(QObject):
    def __init__(self, page: ChargeSurface) -> None:
        super().__init__(cast(QObject, page))
        self.page, self.context, self.bar = page, page.context, page.action_bar
        self.confirm: Callable[[str, str], bool] = self._confirm  # tests answer for the operator
        self.ask_note: Callable[[str], str | None] = self._ask_note
        self.bar.retry.clicked.connect(self.retry)
        self.bar.paid.clicked.connect(self.paid_outside)
        for key, button in (("retry", self.bar.retry), ("paid", self.bar.paid)):
            shortcut = QShortcut(
                QKeySequence(CHARGE_KEYS[key]), cast(QWidget, page), lambda b=button: b.click() if b.isEnabled() else None
            )
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # while this tab is the one shown
        page.selection_changed.connect(lambda _rows: self.fit())
        self.context.bus.permissions_checked.connect(self.fit)  # the key's permissions read again
        self.fit()

    def fit(self) -> None:
        rows = self.page.selected_rows()
        workspace = self.context.workspace
        online = workspace is not None and workspace.online and self.context.session.why_actions_off() is None
        allowed = self.context.granted("rak_invoice_write")  # Invoices: Write charges and marks invoices
        for button in (self.bar.retry, self.bar.paid):
            button.setEnabled(online and allowed and len(rows) == 1)
        # What the last sync says a retry would meet, on hover. The button stays: Retry now decides on the invoice and
        # the cards read again (a new card may have come since), and says its refusal under the buttons.
        likely = dunning.retry_refusal(rows[0].failure(), int(time.time())) if len(rows) == 1 else None
        self.bar.retry.setToolTip(
            RETRY_TIP
            if likely is None
            else f"As of the last sync: {likely} (Retry now reads the card again first, and charges nothing while this holds.)"
        )
        self.bar.selection_is([r.subscription_id for r in rows])

    def retry(self) -> None:
        row = self._one()
        if row is None:
            return
        amount = format_money(row.collection.amount_due, row.collection.currency)
        workspace = self.context.workspace
        if (
            workspace is not None
            and workspace.account.livemode
            and not self.confirm(
                "Charge a real card?", f"LIVE mode: charge {_who(row)}'s card {amount} now ({row.collection.invoice_id})?"
            )
        ):
            return
        me, invoice = self.context.operator(), row.collection.invoice_id
        self._run(lambda ws: operations.retry_payment(ws, me, invoice), row)

    def paid_outside(self) -> None:
        row = self._one()
        if row is None:
            return
        amount = format_money(row.collection.amount_due, row.collection.currency)
        note = self.ask_note(f"How did {_who(row)} pay {amount}? (a transfer's reference, a cheque number)")
        if note is None:
            return
        me, invoice = self.context.operator(), row.collection.invoice_id
        self._run(lambda ws: operations.paid_outside(ws, me, invoice, note), row)

    # helpers -------------------------------------------------------------------------------------
    def _one(self) -> FailedRow | None:
        rows = self.page.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def _run(self, op: Callable[[Workspace], Done[Action]], row: FailedRow) -> None:
        workspace = self.context.workspace
        if workspace is None or not workspace.online:
            self.bar.say("Stripe is not reachable: nothing can be charged until the next successful sync.", error=True)
            return
        self.bar.say("Sending…", progress=True)
        self.context.ops.run(lambda: op(workspace), lambda action: self._done(action, row), self._failed)

    def _done(self, action: Action, row: FailedRow) -> None:
        who = escape(_who(row))
        amount = format_money(int(action.before.get("amount_due") or 0), action.currency)
        if action.state == "declined":
            self.bar.say(f"<b>Declined:</b> {escape(action.error or '')}. Nothing was collected from {who}.", error=True)
        elif action.offer_code == "charge:outside":
            self.bar.say(f"{amount} from {who} marked paid outside Stripe.")
        elif action.error:  # paid, and something after it did not land: said, never hidden
            self.bar.say(f"<b>Paid:</b> {amount} collected from {who}. {escape(action.error)}", error=True)
        else:
            self.bar.say(f"<b>Paid:</b> {amount} collected from {who}.")

    def _failed(self, error: ConsoleError) -> None:
        self.bar.say(f"<b>{escape(error.message)}</b> {escape(error.hint)}", error=True)

    def _confirm(self, title: str, text: str) -> bool:
        return ask(self.page.window(), title, text, warning=True)

    def _ask_note(self, question: str) -> str | None:
        dialog = QDialog(self.page.window())
        dialog.setWindowTitle("Paid another way")
        layout = QVBoxLayout(dialog)
        label = TextLabel(question)  # the customer's name is their own text, never markup
        label.setWordWrap(True)
        note = QLineEdit()
        note.setObjectName("paidNote")
        note.setMaxLength(500)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        for widget in (label, note, buttons):
            layout.addWidget(widget)
        return note.text() if dialog.exec() else None
