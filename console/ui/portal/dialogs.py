"""Review a configuration's pending changes, resolve a concurrent change, and try the portal."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
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
from .wording import PortalWording


class DiffDialog(QDialog):
    """A table of (field, left, right) in words, wrapped to fit the screen; the codes are in each cell's tooltip."""

    def __init__(
        self,
        title: str,
        intro: str,
        rows: list[tuple[str, object, object]],
        headers: tuple[str, str],
        buttons: QDialogButtonBox.StandardButton,
        wording: PortalWording,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.table = QTableWidget(len(rows), 3)
        self.table.setObjectName("diffTable")
        self.table.setHorizontalHeaderLabels(["Setting", *headers])
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for i, (field, left, right) in enumerate(rows):
            cells = [(wording.field(field), field)] + [(wording.value(field, v), wording.code(v)) for v in (left, right)]
            for j, (text, code) in enumerate(cells):
                item = QTableWidgetItem(text)  # an item's text is plain text: names and URLs are anyone's
                item.setToolTip(code)
                self.table.setItem(i, j, item)
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        screen = (parent.screen() if parent is not None else QGuiApplication.primaryScreen()).availableGeometry()
        width = min(900, int(screen.width() * 0.9))
        self.resize(width, 200)
        self.table.resizeRowsToContents()
        tall = sum(self.table.rowHeight(i) for i in range(self.table.rowCount()))
        chrome = self.sizeHint().height() - self.table.sizeHint().height()  # the intro and the buttons
        wanted = chrome + self.table.horizontalHeader().sizeHint().height() + tall + 2 * self.table.frameWidth() + 8
        self.resize(width, max(220, min(wanted, int(screen.height() * 0.8))))  # as tall as its rows, within the screen

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt naming
        super().resizeEvent(event)
        self.table.resizeRowsToContents()  # wrapped cells grow or shrink with the width


def review_dialog(rows: list[tuple[str, object, object]], wording: PortalWording, parent: QWidget) -> DiffDialog:
    dialog = DiffDialog(
        "Review changes",
        "Only these settings will be sent to Stripe. Hover over a value to see it as Stripe stores it.",
        rows,
        ("Now on Stripe", "After saving"),
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
        wording,
        parent,
    )
    dialog.setObjectName("reviewDialog")
    return dialog


def conflict_dialog(rows: list[tuple[str, object, object]], wording: PortalWording, parent: QWidget) -> DiffDialog:
    dialog = DiffDialog(
        "Changed on Stripe",
        "Someone changed this configuration on Stripe after you opened it. Nothing was overwritten. "
        "“Use Stripe's version” loads it (your edits are dropped); Cancel keeps editing yours.",
        rows,
        ("Your version", "Stripe's version"),
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
        wording,
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
