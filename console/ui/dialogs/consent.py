"""The consent step: how the customer agreed, in one compact dialog (remembers the channel; Enter confirms)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ...domain.action import Consent
from ...domain.offers import CHANNEL_LABELS, CONSENT_CHANNELS
from ..preferences import confirm_live
from ..text_size import scaled

if TYPE_CHECKING:
    from ..context import PageContext

CHANNEL_KEY = "actions/last_channel"


class ConsentDialog(QDialog):
    """Asks for the channel (and a note); in live mode it names LIVE, the customer and the amount."""

    def __init__(
        self,
        settings: QSettings,
        *,
        summary: str,
        live: bool,
        parent: QWidget | None = None,
        customers: list[tuple[str, str, str]] | None = None,
        operator: str = "",
        contact: bool = False,
    ) -> None:
        """`operator`: the name already set (Preferences or $CHURN_CONSOLE_OPERATOR); when there is none, the
        dialog asks for it, and the controller keeps it as the data dir's name."""
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Confirm with the customer's consent" if not customers else "Confirm with the customers' consent")
        form = QFormLayout(self)
        if live:
            warning = QLabel(f"<b>LIVE MODE</b> — this changes a real customer's subscription.<br>{summary}")
            warning.setObjectName("liveWarning")
            warning.setStyleSheet("QLabel#liveWarning { background: #c62828; color: white; padding: 8px; border-radius: 6px; }")
            form.addRow(warning)
        else:
            form.addRow(QLabel(summary))
        self.customers = None
        if customers:  # a bulk action: who, what and how much, before anything is sent
            self.customers = QTableWidget(len(customers), 3)
            self.customers.setObjectName("consentCustomers")
            self.customers.setHorizontalHeaderLabels(["Customer", "Offer", "MRR at stake"])
            self.customers.verticalHeader().hide()
            self.customers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            self.customers.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Enter still confirms from the note
            for i, cells in enumerate(customers):
                for j, text in enumerate(cells):
                    item = QTableWidgetItem(text)  # plain text: names are the customers' own
                    if j == 2:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.customers.setItem(i, j, item)
            header = self.customers.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
            self.customers.setMinimumWidth(scaled(560))
            self.customers.resizeRowsToContents()
            rows = sum(self.customers.rowHeight(i) for i in range(len(customers)))
            whole = self.customers.horizontalHeader().sizeHint().height() + rows + 2 * self.customers.frameWidth()
            self.customers.setFixedHeight(min(scaled(320), whole))  # every customer in view, up to a dozen; then it scrolls
            form.addRow(self.customers)
        self.channel = QComboBox()
        self.channel.setObjectName("consentChannel")
        for code in CONSENT_CHANNELS:
            self.channel.addItem(CHANNEL_LABELS[code], code)
        last = settings.value(CHANNEL_KEY, "call")
        self.channel.setCurrentIndex(max(0, self.channel.findData(last)))
        form.addRow("How you reached them" if contact else "The customer agreed by", self.channel)  # a contact agrees to nothing
        self.note = QLineEdit()
        self.note.setObjectName("consentNote")
        self.note.setPlaceholderText("Optional note or ticket link")
        self.note.setMaxLength(500)
        form.addRow("Note", self.note)
        self.operator = QLineEdit(operator)
        self.operator.setObjectName("operatorName")
        self.operator.setPlaceholderText("Your name, as the journal will show it")
        if not self.operator.text():
            form.addRow("Your name", self.operator)
        self.live_ack = QCheckBox("I confirm: this changes a live customer's subscription")
        self.live_ack.setObjectName("liveAck")
        self.needs_ack = live and confirm_live(settings)
        if self.needs_ack:
            form.addRow(self.live_ack)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Confirm (Enter)")
        self.ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.operator.textChanged.connect(self._update_ok)
        self.live_ack.toggled.connect(self._update_ok)
        self._update_ok()
        self.note.setFocus()

    def _update_ok(self, *_args: object) -> None:
        self.ok.setEnabled(bool(self.operator.text().strip()) and (self.live_ack.isChecked() or not self.needs_ack))

    def accept(self) -> None:
        if not self.ok.isEnabled():
            return
        self.settings.setValue(CHANNEL_KEY, self.channel.currentData())
        super().accept()

    def consent(self) -> Consent:
        return Consent(self.channel.currentData(), self.note.text().strip() or None)

    def operator_name(self) -> str:
        return self.operator.text().strip()


def ask_consent(
    context: PageContext, parent: QWidget, summary: str, customers: list[tuple[str, str, str]] | None = None,
    *, contact: bool = False,
) -> tuple[Consent, str] | None:  # fmt: skip
    """The consent step for any action that changes a customer's subscription (a save, a bulk save, a failed payment's
    pause): the channel and note, and the operator's name when none is set yet (then kept as the data dir's name,
    which the CLI reads too). None when the operator cancelled: nothing is sent."""
    live = bool(context.workspace and context.workspace.account.livemode)
    known = context.session.known_operator()
    dialog = ConsentDialog(
        context.settings, summary=summary, live=live, parent=parent, customers=customers, operator=known, contact=contact
    )
    if not dialog.exec():
        return None
    if not known:
        context.set_operator(dialog.operator_name())
    return dialog.consent(), dialog.operator_name()
