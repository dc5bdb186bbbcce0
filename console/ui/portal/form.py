"""The portal configuration form, grouped as an admin thinks; errors show under the field they concern."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.feedback import PORTAL_LABELS, FeedbackOption
from ...domain.money import format_money
from ...domain.portal import CUSTOMER_FIELDS, PLAN_UPDATES, Catalog, PortalConfig
from ...domain.text import no_reordering
from .. import theme
from ..text_size import scaled
from .custom_reasons import CustomReasons

PAUSE_CHOICES = (("week", 1), ("week", 2), ("month", 1), ("month", 2), ("month", 3), ("month", 6))
PRORATION_TEXT = {
    "none": "No prorations",
    "create_prorations": "Create prorations",
    "always_invoice": "Invoice prorations at once",
}
FIELD_TEXT = {
    "email": "E-mail",
    "address": "Billing address",
    "shipping": "Shipping address",
    "phone": "Phone",
    "tax_id": "Tax ids",
    "name": "Name",
}


def _error() -> QLabel:
    label = QLabel("")
    label.setTextFormat(Qt.TextFormat.PlainText)  # messages can quote what was typed or imported
    label.setProperty("class", "fieldError")
    label.setStyleSheet(f"color: {theme.colour('error')};")
    label.setWordWrap(True)
    label.hide()
    return label


class PortalForm(QWidget):
    """`load(config, catalog)` fills it; `value()` reads it back; `show_problems()` marks fields."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.base = PortalConfig()
        self.feedback_options: list[FeedbackOption] = []  # the account's custom reasons (set by the page)
        self.errors: dict[str, QLabel] = {}
        outer = QVBoxLayout(self)

        links = QGroupBox("Business profile and links")
        form = QFormLayout(links)
        self.name = self._line(form, "name", "Name (for you)", "e.g. Self-serve")
        self.headline = self._line(form, "headline", "Headline", "Shown at the top of the portal")
        self.privacy = self._line(form, "privacy_policy_url", "Privacy policy", "https://…")
        self.terms = self._line(form, "terms_of_service_url", "Terms of service", "https://…")
        self.return_url = self._line(form, "default_return_url", "Default return URL", "https://… (where “Return” goes)")
        self.login_page = QCheckBox("Customers can log in to the portal with a shareable link")
        self.login_page.setObjectName("login_page")
        form.addRow("Login page", self.login_page)
        outer.addWidget(links)

        cancel = QGroupBox("Cancellations")
        form = QFormLayout(cancel)
        self.cancel = QCheckBox("Customers can cancel in the portal")
        self.cancel.setObjectName("cancel")
        form.addRow(self.cancel)
        self.cancel_mode = self._combo(
            {"at_period_end": "At the end of the billing period", "immediately": "Immediately"}, "cancel_mode"
        )
        form.addRow("When", self.cancel_mode)
        self.cancel_proration = self._combo(PRORATION_TEXT, "cancel_proration")
        form.addRow("Prorations", self.cancel_proration)
        form.addRow(self._err("cancel_proration"))
        self.reasons_enabled = QCheckBox("Ask why (the cancellation survey)")
        self.reasons_enabled.setObjectName("reasons_enabled")
        form.addRow(self.reasons_enabled)
        grid = QGridLayout()
        self.reasons: dict[str, QCheckBox] = {}
        for i, (code, text) in enumerate(PORTAL_LABELS.items()):
            box = QCheckBox(text)
            box.setObjectName(f"reason_{code}")
            self.reasons[code] = box
            grid.addWidget(box, i // 2, i % 2)
        form.addRow("Reasons", grid)
        form.addRow(self._err("reasons"))
        self.custom = CustomReasons()
        self.custom.changed.connect(self.changed.emit)
        form.addRow("Custom reasons", self.custom)
        form.addRow(self._err("feedback_options"))
        outer.addWidget(cancel)

        pause = QGroupBox("Pausing")
        form = QFormLayout(pause)
        self.pause = QCheckBox("Customers can pause their subscription")
        self.pause.setObjectName("pause")
        form.addRow(self.pause)
        self.pause_indefinite = QCheckBox("Pause with no end date")
        form.addRow(self.pause_indefinite)
        grid = QGridLayout()
        self.pause_options: dict[tuple[str, int], QCheckBox] = {}
        for i, (interval, n) in enumerate(PAUSE_CHOICES):
            box = QCheckBox(f"{n} {interval}{'s' if n > 1 else ''}")
            self.pause_options[(interval, n)] = box
            grid.addWidget(box, 0, i)
        form.addRow("Lengths offered", grid)
        form.addRow(self._err("pause_options"))
        outer.addWidget(pause)

        plans = QGroupBox("Plan switching")
        form = QFormLayout(plans)
        self.plan_switching = QCheckBox("Customers can change their plan")
        self.plan_switching.setObjectName("plan_switching")
        form.addRow(self.plan_switching)
        row = QGridLayout()
        self.plan_updates: dict[str, QCheckBox] = {}
        for i, code in enumerate(PLAN_UPDATES):
            box = QCheckBox({"price": "Price", "quantity": "Quantity", "promotion_code": "Promotion codes"}[code])
            box.setObjectName(f"plan_update_{code}")
            self.plan_updates[code] = box
            row.addWidget(box, 0, i)
        form.addRow("They may change", row)
        form.addRow(self._err("plan_updates"))
        self.plan_proration = self._combo(PRORATION_TEXT, "plan_proration")
        form.addRow("Prorations", self.plan_proration)
        self.products = QTreeWidget()
        self.products.setObjectName("planProducts")
        self.products.setHeaderLabels(["Products and prices (at most 10 products)"])
        self.products.setMinimumHeight(scaled(170))
        self.products.itemChanged.connect(lambda *_: self.changed.emit())
        form.addRow(self.products)
        form.addRow(self._err("plan_products"))
        outer.addWidget(plans)

        other = QGroupBox("Customer information, payment methods, invoices")
        form = QFormLayout(other)
        self.customer_update = QCheckBox("Customers can update their details")
        self.customer_update.setObjectName("customer_update")
        form.addRow(self.customer_update)
        grid = QGridLayout()
        self.customer_fields: dict[str, QCheckBox] = {}
        for i, code in enumerate(CUSTOMER_FIELDS):
            box = QCheckBox(FIELD_TEXT[code])
            box.setObjectName(f"customer_field_{code}")
            self.customer_fields[code] = box
            grid.addWidget(box, i // 3, i % 3)
        form.addRow("Details", grid)
        form.addRow(self._err("customer_update_fields"))
        self.payment_method_update = QCheckBox("Customers can update their payment methods")
        self.payment_method_update.setObjectName("payment_method_update")
        form.addRow(self.payment_method_update)
        self.invoice_history = QCheckBox("Customers can see their invoice history")
        self.invoice_history.setObjectName("invoice_history")
        form.addRow(self.invoice_history)
        self.metadata = QPlainTextEdit()
        self.metadata.setObjectName("metadata")
        self.metadata.setPlaceholderText("key=value, one per line")
        self.metadata.setFixedHeight(scaled(70))
        form.addRow("Metadata", self.metadata)
        form.addRow(self._err("metadata"))
        outer.addWidget(other)
        outer.addStretch(1)
        for box in self.findChildren(QCheckBox):
            box.toggled.connect(lambda *_: self.changed.emit())
        for line in self.findChildren(QLineEdit):
            line.textChanged.connect(lambda *_: self.changed.emit())
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self.metadata.textChanged.connect(self.changed.emit)
        self.changed.connect(self.follow_features)
        self.changed.connect(lambda: self.show_problems(self.value().problems()))  # checked as you type

    # building helpers -------------------------------------------------------------------------
    def _err(self, field: str) -> QLabel:
        self.errors[field] = _error()
        return self.errors[field]

    def _line(self, form: QFormLayout, field: str, label: str, hint: str) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(field)
        edit.setPlaceholderText(hint)
        form.addRow(label, edit)
        form.addRow(self._err(field))
        return edit

    def _combo(self, items: dict[str, str], name: str) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for code, text in items.items():
            combo.addItem(text, code)
        return combo

    # in and out --------------------------------------------------------------------------------
    def load(self, config: PortalConfig, catalog: Catalog) -> None:
        self.blockSignals(True)
        self.base = config
        self.name.setText(config.name)
        self.headline.setText(config.headline)
        self.privacy.setText(config.privacy_policy_url)
        self.terms.setText(config.terms_of_service_url)
        self.return_url.setText(config.default_return_url)
        self.login_page.setChecked(config.login_page)
        self.cancel.setChecked(config.cancel)
        self.cancel_mode.setCurrentIndex(max(0, self.cancel_mode.findData(config.cancel_mode)))
        self.cancel_proration.setCurrentIndex(max(0, self.cancel_proration.findData(config.cancel_proration)))
        self.reasons_enabled.setChecked(config.reasons_enabled)
        for code, box in self.reasons.items():
            box.setChecked(code in config.reasons)
        self.custom.show_options(self.feedback_options, config.feedback_options)
        self.pause.setChecked(config.pause)
        self.pause_indefinite.setChecked(config.pause_indefinite)
        for key, box in self.pause_options.items():
            box.setChecked(key in config.pause_options)
        self.plan_switching.setChecked(config.plan_switching)
        for code, box in self.plan_updates.items():
            box.setChecked(code in config.plan_updates)
        self.plan_proration.setCurrentIndex(max(0, self.plan_proration.findData(config.plan_proration)))
        self._load_products(config, catalog)
        self.customer_update.setChecked(config.customer_update)
        for code, box in self.customer_fields.items():
            box.setChecked(code in config.customer_update_fields)
        self.payment_method_update.setChecked(config.payment_method_update)
        self.invoice_history.setChecked(config.invoice_history)
        self.metadata.setPlainText("\n".join(f"{k}={v}" for k, v in sorted(config.metadata.items())))
        self.show_problems({})
        self.blockSignals(False)
        self.follow_features()

    def _load_products(self, config: PortalConfig, catalog: Catalog) -> None:
        chosen = dict(config.plan_products)
        self.products.clear()
        for product, prices in catalog:
            top = QTreeWidgetItem([no_reordering(product.get("name") or product["id"])])  # anyone's text
            top.setData(0, Qt.ItemDataRole.UserRole, product["id"])
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            top.setCheckState(0, Qt.CheckState.Checked if product["id"] in chosen else Qt.CheckState.Unchecked)
            for price in prices:
                rec = price.get("recurring") or {}
                text = f"{price.get('nickname') or price['id']} — {format_money(price.get('unit_amount') or 0, price['currency'])}/{rec.get('interval', '?')}"
                child = QTreeWidgetItem([no_reordering(text)])
                child.setData(0, Qt.ItemDataRole.UserRole, price["id"])
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(
                    0, Qt.CheckState.Checked if price["id"] in chosen.get(product["id"], []) else Qt.CheckState.Unchecked
                )
                top.addChild(child)
            self.products.addTopLevelItem(top)
            top.setExpanded(product["id"] in chosen)

    def value(self) -> PortalConfig:
        products = []
        for top in _top_items(self.products):
            prices = [
                child.data(0, Qt.ItemDataRole.UserRole)
                for child in (top.child(j) for j in range(top.childCount()))
                if child is not None and child.checkState(0) == Qt.CheckState.Checked
            ]
            if top.checkState(0) == Qt.CheckState.Checked or prices:
                products.append((top.data(0, Qt.ItemDataRole.UserRole), prices))
        order = {p: i for i, (p, _) in enumerate(self.base.plan_products)}  # Stripe's order kept: no false changes
        products.sort(key=lambda p: order.get(p[0], len(order)))
        products = [(p, sorted(prices, key=lambda x: _index(self.base.plan_products, p, x))) for p, prices in products]
        metadata: dict[str, str] = {}
        for line in self.metadata.toPlainText().splitlines():
            if line.strip():
                key, _, val = line.partition("=")
                metadata[key.strip()] = val.strip()
        return replace(
            self.base,
            name=self.name.text().strip(),
            headline=self.headline.text().strip(),
            privacy_policy_url=self.privacy.text().strip(),
            terms_of_service_url=self.terms.text().strip(),
            default_return_url=self.return_url.text().strip(),
            login_page=self.login_page.isChecked(),
            cancel=self.cancel.isChecked(),
            cancel_mode=self.cancel_mode.currentData(),
            cancel_proration=self.cancel_proration.currentData(),
            reasons_enabled=self.reasons_enabled.isChecked(),
            reasons=[code for code, box in self.reasons.items() if box.isChecked()],
            feedback_options=self.custom.selected(),
            pause=self.pause.isChecked(),
            pause_indefinite=self.pause_indefinite.isChecked(),
            pause_options=[key for key, box in self.pause_options.items() if box.isChecked()]
            + [o for o in self.base.pause_options if o not in self.pause_options],
            plan_switching=self.plan_switching.isChecked(),
            plan_updates=[code for code, box in self.plan_updates.items() if box.isChecked()],
            plan_proration=self.plan_proration.currentData(),
            plan_products=products,
            customer_update=self.customer_update.isChecked(),
            customer_update_fields=[code for code, box in self.customer_fields.items() if box.isChecked()],
            payment_method_update=self.payment_method_update.isChecked(),
            invoice_history=self.invoice_history.isChecked(),
            metadata=metadata,
        )

    def follow_features(self) -> None:
        """A feature's own settings are editable only while the feature is on."""
        groups = (
            (self.cancel, [self.cancel_mode, self.cancel_proration, self.reasons_enabled]),
            (self.reasons_enabled, list(self.reasons.values())),
            (self.pause, [self.pause_indefinite, *self.pause_options.values()]),
            (self.plan_switching, [*self.plan_updates.values(), self.plan_proration, self.products]),
            (self.customer_update, list(self.customer_fields.values())),
        )
        for switch, widgets in groups:
            for widget in widgets:
                widget.setEnabled(switch.isChecked())
        survey = self.cancel.isChecked() and self.reasons_enabled.isChecked()
        for box in self.reasons.values():
            box.setEnabled(survey)
        self.custom.set_offering(survey)
        for box in self.pause_options.values():
            box.setEnabled(self.pause.isChecked() and not self.pause_indefinite.isChecked())

    def show_problems(self, problems: dict[str, str]) -> None:
        for field, label in self.errors.items():
            text = problems.get(field, "")
            label.setText(text)
            label.setVisible(bool(text))


def _index(products: list[tuple[str, list[str]]], product: str, price: str) -> int:
    """Where a price stood in the configuration as loaded (new ones go last)."""
    for p, prices in products:
        if p == product and price in prices:
            return prices.index(price)
    return 10**6


def _top_items(tree: QTreeWidget) -> list[QTreeWidgetItem]:
    return [item for item in (tree.topLevelItem(i) for i in range(tree.topLevelItemCount())) if item is not None]
