"""Review a configuration's pending changes, resolve a concurrent change, and try the portal."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.models import Coupon
from ...domain.offers import terms_of
from .. import theme


def _value(v) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, list):
        return (
            ", ".join(f"{p[0]} ({len(p[1])} prices)" if isinstance(p, tuple) and isinstance(p[1], list) else str(p) for p in v)
            or "—"
        )
    if isinstance(v, dict):
        return ", ".join(f"{k}={x}" for k, x in v.items()) or "—"
    return str(v) if v not in ("", None) else "—"


class DiffDialog(QDialog):
    """A table of (field, left, right) with the dialog's own buttons."""

    def __init__(
        self,
        title: str,
        intro: str,
        rows: list[tuple[str, object, object]],
        headers: tuple[str, str],
        buttons,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(760, 380)
        layout = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("diffTable")
        self.table.setHorizontalHeaderLabels(["Field", *headers])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, (field, left, right) in enumerate(rows):
            for j, text in enumerate((field.replace("_", " "), _value(left), _value(right))):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)


def review_dialog(rows, parent: QWidget) -> DiffDialog:
    dialog = DiffDialog(
        "Review changes",
        "Only these fields will be sent to Stripe.",
        rows,
        ("Now on Stripe", "After saving"),
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
        parent,
    )
    dialog.setObjectName("reviewDialog")
    return dialog


def conflict_dialog(rows, parent: QWidget) -> DiffDialog:
    dialog = DiffDialog(
        "Changed on Stripe",
        "Someone changed this configuration on Stripe after you opened it. Nothing was overwritten. "
        "“Use Stripe's version” loads it (your edits are dropped); Cancel keeps editing yours.",
        rows,
        ("Your version", "Stripe's version"),
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
        parent,
    )
    dialog.setObjectName("conflictDialog")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use Stripe's version")
    return dialog


class TryItDialog(QDialog):
    """A customer (id or e-mail), and optionally a cancel flow that offers a retention coupon first."""

    def __init__(self, coupons: list[Coupon], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open the portal as a customer")
        form = QFormLayout(self)
        self.customer = QLineEdit()
        self.customer.setObjectName("tryCustomer")
        self.customer.setPlaceholderText("cus_… or the customer's e-mail")
        form.addRow("Customer", self.customer)
        self.coupon = QComboBox()
        self.coupon.setObjectName("tryCoupon")
        self.coupon.addItem("No retention offer (the portal's home page)", None)
        for c in coupons:
            if c.valid:
                self.coupon.addItem(f"Offer {terms_of(c)} before they cancel ({c.id})", c.id)
        form.addRow("Flow", self.coupon)
        self.subscription = QLineEdit()
        self.subscription.setObjectName("trySubscription")
        self.subscription.setPlaceholderText("sub_… (needed for the cancel flow)")
        form.addRow("Subscription", self.subscription)
        self.error = QLabel("")
        self.error.setStyleSheet(f"color: {theme.colour('error')};")
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create and copy the link")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        if not self.customer.text().strip():
            self.error.setText("Give a customer id or e-mail.")
            return
        if self.coupon.currentData() and not self.subscription.text().strip().startswith("sub_"):
            self.error.setText("The cancel flow needs the customer's subscription (sub_…).")
            return
        super().accept()
