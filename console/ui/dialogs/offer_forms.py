"""Forms for an offer that needs details: a new coupon, or a pause until a date. Errors show at the field."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ...domain.money import exponent, to_minor
from ...domain.offers import PAUSE_BEHAVIORS, CouponOffer, CouponSpec, Offer, PauseOffer, terms_of
from .. import theme
from ..dates import day_format


def _error_label() -> QLabel:
    label = QLabel("")
    label.setStyleSheet(f"color: {theme.colour('error')};")
    label.hide()
    return label


class CouponDialog(QDialog):
    """A new coupon: percent or amount (in the subscription's currency), duration, name."""

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New retention coupon")
        self.currency = currency
        form = QFormLayout(self)
        self.kind = QComboBox()
        self.kind.setObjectName("couponKind")
        self.kind.addItem("Percent off", "percent")
        self.kind.addItem(f"Amount off ({currency.upper()})", "amount")
        form.addRow("Discount", self.kind)
        self.value = QDoubleSpinBox()
        self.value.setObjectName("couponValue")
        self.value.setRange(0, 10_000_000)
        self.value.setValue(20)
        form.addRow("Value", self.value)
        self.value_error = _error_label()
        form.addRow(self.value_error)
        self.duration = QComboBox()
        self.duration.setObjectName("couponDuration")
        for code, text in (("once", "Once"), ("repeating", "For a number of months"), ("forever", "Forever")):
            self.duration.addItem(text, code)
        form.addRow("Duration", self.duration)
        self.months = QSpinBox()
        self.months.setObjectName("couponMonths")
        self.months.setRange(1, 36)
        self.months.setValue(3)
        form.addRow("Months", self.months)
        self.months_error = _error_label()
        form.addRow(self.months_error)
        self.name = QLineEdit()
        self.name.setObjectName("couponName")
        self.name.setPlaceholderText("Shown on invoices (default: the terms)")
        form.addRow("Name", self.name)
        self.name_error = _error_label()
        form.addRow(self.name_error)
        self.preview = QLabel("")
        form.addRow("Terms", self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for widget in (self.kind, self.duration):
            widget.currentIndexChanged.connect(self._refresh)
        self.value.valueChanged.connect(self._refresh)
        self.months.valueChanged.connect(self._refresh)
        self._refresh()

    def _refresh(self) -> None:
        percent = self.kind.currentData() == "percent"
        self.value.setDecimals(2 if percent else exponent(self.currency))
        self.value.setSuffix(" %" if percent else f" {self.currency.upper()}")
        self.months.setEnabled(self.duration.currentData() == "repeating")
        spec, _ = self._spec()
        self.preview.setText(terms_of(spec) if spec else "—")

    def _spec(self) -> tuple[CouponSpec | None, dict[str, str]]:
        percent = self.kind.currentData() == "percent"
        duration = self.duration.currentData()
        try:
            amount = None if percent else to_minor(f"{self.value.value():.{exponent(self.currency)}f}", self.currency)
        except ValueError as exc:
            return None, {"amount_off": str(exc)}
        spec = CouponSpec(
            percent_off=round(self.value.value(), 2) if percent else None,
            amount_off=amount,
            currency=None if percent else self.currency,
            duration=duration,
            duration_in_months=self.months.value() if duration == "repeating" else None,
            name=self.name.text().strip() or None,
        )
        return spec, spec.problems()

    def accept(self) -> None:
        spec, problems = self._spec()
        shown = {
            self.value_error: problems.get("percent_off") or problems.get("amount_off") or problems.get("currency"),
            self.months_error: problems.get("duration_in_months"),
            self.name_error: problems.get("name"),
        }
        for label, text in shown.items():
            label.setText(text or "")
            label.setVisible(bool(text))
        if spec is not None and not problems:
            super().accept()

    def offer(self) -> Offer:
        spec, _ = self._spec()
        assert spec is not None
        return CouponOffer(new_coupon=spec)


class PauseDialog(QDialog):
    """Pause collection until a date, with what happens to invoices meanwhile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pause collection until…")
        form = QFormLayout(self)
        self.until = QDateEdit(QDate.currentDate().addMonths(1))
        self.until.setDisplayFormat(day_format())  # the locale's date, as everywhere in the window
        self.until.setObjectName("pauseUntil")
        self.until.setCalendarPopup(True)
        self.until.setMinimumDate(QDate.currentDate().addDays(1))
        form.addRow("Resume on", self.until)
        self.behavior = QComboBox()
        self.behavior.setObjectName("pauseBehavior")
        texts = {
            "void": "Void invoices (default)",
            "keep_as_draft": "Keep invoices as drafts",
            "mark_uncollectible": "Mark invoices uncollectible",
        }
        for code in PAUSE_BEHAVIORS:
            self.behavior.addItem(texts[code], code)
        form.addRow("Meanwhile", self.behavior)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def offer(self) -> Offer:
        day = date(self.until.date().year(), self.until.date().month(), self.until.date().day())
        return PauseOffer.until(day, self.behavior.currentData())
