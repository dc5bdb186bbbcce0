"""Edit the retention playbook: one rule per row (first match wins), and what counts as high MRR."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.feedback import PORTAL_LABELS
from ...domain.models import Coupon
from ...domain.money import exponent, to_major
from ...domain.offers import (
    ContactOffer,
    Offer,
)  # fmt: skip
from ...domain.playbook import (
    ANY,
    DEFAULT_RULES,
    NO_ANSWER,
    Playbook,
    Rule,
    experiment_dict,
    experiment_fields,
    is_custom,
)  # fmt: skip
from ...domain.playbook_reach import never_used
from ..text_size import scaled
from .attribution_order import OrderRow
from .experiment import ExperimentDialog
from .holdout_row import holdout_row
from .rule_offers import offer_choices, offer_text, offer_tip

# Stripe's codes in words, short enough for a table cell ("Too expensive"); the portal's sentence is the tooltip
REASONS = [
    (ANY, "Any reason"),
    *((code, code.replace("_", " ").capitalize()) for code in PORTAL_LABELS),
    (NO_ANSWER, "No answer"),
]
SEGMENTS = [("any", "Any MRR"), ("high_mrr", "High MRR"), ("low_mrr", "Not high MRR")]
INTERVALS = [("any", "Any plan"), ("month", "Monthly plans"), ("year", "Annual plans")]
COLS = ("Reason", "MRR", "Plan", "Min. tenure", "Offer", "Experiment", "Note")
NOTE = COLS.index("Note")
TEST = COLS.index("Experiment")
COL_TIPS = {
    3: "The customer has been subscribed at least this long",
    4: "What the one-click Save applies",
    TEST: "An offer experiment: each row gets the Offer (A), B or C at random by their weights, the same on every "
    "console; the Outcomes tab compares them. Click to set one up, change or end it.",
}
NO_TEST = "No experiment"


class PlaybookDialog(QDialog):
    """`playbook()` returns the edited playbook once accepted."""

    def __init__(
        self,
        playbook: Playbook,
        coupons: list[Coupon],
        currencies: list[str],
        parent: QWidget | None = None,
        custom_reasons: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(parent)
        # the survey's answers, then the portal's custom reasons the queue holds (id, text), then No answer
        known = list(custom_reasons or [])
        ids = {i for i, _ in known}
        known += [(r, f"Custom reason {r}") for rule in playbook.rules for r in rule.reasons if is_custom(r) and r not in ids]
        self.reasons = [*REASONS[:-1], *known, REASONS[-1]]
        self.setWindowTitle("Retention playbook")
        room = (parent.screen() if parent is not None else QGuiApplication.primaryScreen()).availableGeometry()
        self.resize(min(scaled(1200), room.width() - 40), min(scaled(560), room.height() - 60))
        self.coupons = {c.id: c for c in coupons}
        self.choices = offer_choices(coupons)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The first rule that matches a customer gives the offer the one-click button applies."))
        self.table = QTableWidget(0, len(COLS))
        self.table.setObjectName("playbookRules")
        self.table.setHorizontalHeaderLabels(COLS)
        for column, tip in COL_TIPS.items():
            if (header := self.table.horizontalHeaderItem(column)) is not None:
                header.setToolTip(tip)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        layout.addWidget(self.table, 1)
        self.unused = QLabel("")  # rules that can never match, said under the table (and marked in their row)
        self.unused.setObjectName("unusedRules")
        self.unused.setTextFormat(Qt.TextFormat.PlainText)
        self.unused.setWordWrap(True)
        layout.addWidget(self.unused)
        for rule in playbook.rules:
            for reason in rule.reasons:
                self.add_rule(dataclasses.replace(rule, reasons=(reason,)))  # one row a reason, experiment and all
        self._fit_columns()
        row = QHBoxLayout()
        for text, slot in (
            ("Add rule", self.add_new_rule),
            ("Remove", self.remove),
            ("Move up", lambda: self.move_rule(-1)),
            ("Move down", lambda: self.move_rule(1)),
            ("Defaults", self.defaults),
        ):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        thresholds = QHBoxLayout()
        thresholds.addWidget(QLabel("High MRR starts at:"))
        self.high: dict[str, QDoubleSpinBox] = {}
        for cur in sorted(set(currencies) | set(playbook.high_mrr)):
            box = QDoubleSpinBox()
            box.setObjectName(f"high_{cur}")
            box.setDecimals(exponent(cur))
            box.setRange(0, 10**9)
            box.setSuffix(f" {cur.upper()}")
            box.setValue(float(to_major(playbook.high_mrr.get(cur, 0), cur)))
            self.high[cur] = box
            thresholds.addWidget(box)
        thresholds.addStretch(1)
        layout.addLayout(thresholds)
        guard = QHBoxLayout()
        self.no_repeat = QCheckBox("No discount for a customer the desk saved with one in the last")
        self.no_repeat.setObjectName("noRepeatDiscount")
        self.no_repeat.setChecked(playbook.no_repeat_discount)
        self.no_repeat.setToolTip("They are offered the first rule's pause or a contact instead; a second discount asks first")
        self.repeat_months = QSpinBox()
        self.repeat_months.setObjectName("repeatMonths")
        self.repeat_months.setRange(1, 60)
        self.repeat_months.setSuffix(" months")
        self.repeat_months.setValue(playbook.repeat_months)
        guard.addWidget(self.no_repeat)
        guard.addWidget(self.repeat_months)
        guard.addStretch(1)
        layout.addLayout(guard)
        failures, self.holdout, self.link_window = holdout_row(playbook.holdout_percent, playbook.link_window_days)
        layout.addLayout(failures)
        self.attribution = OrderRow(playbook.attribution_order)
        layout.addWidget(self.attribution)
        self._before = playbook  # the hold-out's start is kept while it runs
        self.no_repeat.toggled.connect(self.mark_unused)
        self.mark_unused()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _combo_at(self, row: int, column: int) -> QComboBox:
        widget = self.table.cellWidget(row, column)
        assert isinstance(widget, QComboBox)  # every rule row is built by add_rule
        return widget

    def _fit_columns(self) -> None:
        """Each column as wide as its widest choice (combo boxes are never cut); the note takes the rest."""
        for column in range(len(COLS) - 1):
            widths = [self.table.cellWidget(i, column).sizeHint().width() for i in range(self.table.rowCount())]
            header = self.table.horizontalHeader().sectionSizeFromContents(column).width()
            self.table.setColumnWidth(column, max([header, *widths]) + 4)

    def _combo(self, items: list[tuple[str, str]], value: str) -> QComboBox:
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for code, text in items:
            combo.addItem(text, code)
            if code in PORTAL_LABELS:
                combo.setItemData(combo.count() - 1, PORTAL_LABELS[code], Qt.ItemDataRole.ToolTipRole)
        combo.setCurrentIndex(max(0, combo.findData(value)))
        return combo

    def add_rule(self, rule: Rule | None) -> None:
        rule = rule or Rule((ANY,), ContactOffer())
        i = self.table.rowCount()
        self.table.insertRow(i)
        self.table.setCellWidget(i, 0, self._combo(self.reasons, rule.reasons[0]))
        self.table.setCellWidget(i, 1, self._combo(SEGMENTS, rule.segment))
        self.table.setCellWidget(i, 2, self._combo(INTERVALS, rule.interval))
        tenure = QSpinBox()
        tenure.setRange(0, 3650)
        tenure.setSuffix(" days")
        tenure.setValue(rule.min_tenure_days)
        self.table.setCellWidget(i, 3, tenure)
        offers = QComboBox()
        choices = list(self.choices)
        if rule.offer not in choices:
            choices.insert(0, rule.offer)
        offers.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for offer in choices:
            offers.addItem(offer_text(offer, self.coupons), offer)
            offers.setItemData(offers.count() - 1, offer_tip(offer), Qt.ItemDataRole.ToolTipRole)
        offers.setCurrentIndex(choices.index(rule.offer))
        self.table.setCellWidget(i, 4, offers)
        self.table.setCellWidget(i, TEST, self._test_cell(rule))
        note = QTableWidgetItem(rule.note)
        note.setToolTip(rule.note)  # a long note is cut in the cell; whole on hover
        self.table.setItem(i, NOTE, note)
        for column in (0, 1, 2, 4):  # a change may make this rule, or a later one, never used
            self._combo_at(i, column).currentIndexChanged.connect(self.mark_unused)
        tenure.valueChanged.connect(self.mark_unused)

    def _test_cell(self, rule: Rule) -> QPushButton:
        """The rule's experiment, in words; a click sets it up, changes it or ends it (ExperimentDialog). The
        experiment itself (name, first day, offers, weights) rides on the button, as JSON, until saved."""
        button = QPushButton()
        button.setObjectName("experimentCell")
        button.setProperty("experiment", json.dumps(experiment_dict(rule)) if rule.variants else "")
        button.clicked.connect(lambda: self._edit_experiment(button))
        self._show_test(button, rule)
        return button

    def _show_test(self, button: QPushButton, rule: Rule) -> None:
        if not rule.variants:
            button.setText(NO_TEST)
            button.setToolTip("Set up an experiment: test other offers against this rule's offer")
            return
        total = sum(v.weight for v in rule.variants)
        shares = "/".join(f"{round(100 * v.weight / total)}" for v in rule.variants)
        button.setText(f"{'/'.join(v.label for v in rule.variants)} {shares}: {offer_text(rule.variants[1].offer, self.coupons)}")
        button.setToolTip(
            f"Experiment {rule.experiment} since {rule.started}: "
            + ", ".join(f"{v.label} {offer_text(v.offer, self.coupons)} (weight {v.weight})" for v in rule.variants)
        )

    def _edit_experiment(self, button: QPushButton) -> None:
        row = next(i for i in range(self.table.rowCount()) if self.table.cellWidget(i, TEST) is button)
        rule = self.rules()[row]
        name = f"{rule.reasons[0].replace('*', 'any')}-{date.today().isoformat()}"[:40]
        dialog = ExperimentDialog(rule, self.choices, lambda o: offer_text(o, self.coupons), name, self)
        if not dialog.exec() or dialog.result_setup is None:
            return
        setup = dialog.result_setup
        changed = dataclasses.replace(rule, experiment=setup.experiment, started=setup.started, variants=setup.variants)
        old = rule.experiment
        for i in range(self.table.rowCount()):  # every row of one experiment shares its arms (one row a reason)
            other = self.table.cellWidget(i, TEST)
            assert isinstance(other, QPushButton)
            if other is button or (old and json.loads(other.property("experiment") or "{}").get("experiment") == old):
                other.setProperty("experiment", json.dumps(experiment_dict(changed)) if changed.variants else "")
                self._show_test(other, self.rules()[i])
        self._fit_columns()

    def _experiment(self, row: int, a: Offer) -> dict[str, Any]:
        """The Rule fields of the row's experiment, as its cell holds them. Offer A is the rule's offer: when the
        Offer column changed since, A is the new offer and the experiment starts again today."""
        cell = self.table.cellWidget(row, TEST)
        kept = json.loads(cell.property("experiment") or "null") if cell is not None else None
        fields = experiment_fields(kept or {})
        variants = fields["variants"]
        if variants and variants[0].offer != a:
            fields["variants"] = (dataclasses.replace(variants[0], offer=a), *variants[1:])
            fields["started"] = date.today().isoformat()
        return fields

    def accept(self) -> None:
        """Save only a playbook the console can read back (an experiment split over rules must agree)."""
        try:
            Playbook.from_json(self.playbook().to_json())
        except ValueError as exc:
            QMessageBox.warning(self, "Playbook", f"The playbook cannot be saved as it is: {exc}.")
            return
        super().accept()

    def add_new_rule(self) -> None:
        """A new rule goes before a trailing catch-all ("Any reason"), where it can still match; selected."""
        rules = self.rules()
        at = len(rules) - 1 if rules and rules[-1].reasons == (ANY,) else len(rules)
        rules.insert(at, Rule(("too_expensive",), ContactOffer(), note="New rule"))
        self._load(rules)
        self.table.selectRow(at)

    def remove(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.mark_unused()

    def move_rule(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        rules = self.rules()
        rules[row], rules[target] = rules[target], rules[row]
        self._load(rules)
        self.table.selectRow(target)

    def defaults(self) -> None:
        self._load(
            [
                Rule((r,), rule.offer, rule.segment, rule.interval, rule.min_tenure_days, rule.note)
                for rule in DEFAULT_RULES
                for r in rule.reasons
            ]
        )

    def _load(self, rules: list[Rule]) -> None:
        self.table.setRowCount(0)
        for rule in rules:
            self.add_rule(rule)
        self._fit_columns()
        self.mark_unused()

    def mark_unused(self, *_args: object) -> None:
        """Mark in place each rule that can never match (earlier rules get every customer it would), and say so."""
        if not hasattr(self, "no_repeat"):
            return  # still being built
        found = never_used(self.rules(), self.no_repeat.isChecked())
        for i in range(self.table.rowCount()):
            why = f"Never used: {_earlier(found[i])} every customer it would." if i in found else ""
            reason = self._combo_at(i, 0)
            reason.setProperty("unused", bool(why))
            reason.setStyleSheet("QComboBox { color: palette(placeholder-text); text-decoration: line-through; }" if why else "")
            reason.setToolTip(why)
        self.unused.setText(
            " ".join(f"Rule {i + 1} is never used: {_earlier(found[i])} every customer it would." for i in sorted(found))
        )

    def rules(self) -> list[Rule]:
        out = []
        for i in range(self.table.rowCount()):
            note = self.table.item(i, NOTE)
            reason, segment, interval, offer = (self._combo_at(i, c) for c in (0, 1, 2, 4))
            tenure = self.table.cellWidget(i, 3)
            assert isinstance(tenure, QSpinBox)
            out.append(
                Rule(
                    reasons=(reason.currentData(),),
                    segment=segment.currentData(),
                    interval=interval.currentData(),
                    min_tenure_days=tenure.value(),
                    offer=offer.currentData(),
                    note=note.text() if note else "",
                    **self._experiment(i, offer.currentData()),
                )
            )
        return out

    def playbook(self) -> Playbook:
        high = {cur: int(round(box.value() * 10 ** exponent(cur))) for cur, box in self.high.items()}
        edited = dataclasses.replace(
            self._before, rules=self.rules(), high_mrr=high, no_repeat_discount=self.no_repeat.isChecked(),
            repeat_months=self.repeat_months.value(), link_window_days=self.link_window.value(),
            attribution_order=self.attribution.order,
        )  # fmt: skip
        return edited.with_holdout(self.holdout.value(), int(time.time()))


def _numbers(indices: list[int]) -> str:
    """`1`, `1 and 2`, `1, 2 and 4`: rule numbers as the table shows them (from 1)."""
    shown = [str(i + 1) for i in indices]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _earlier(rules: list[int]) -> str:
    """ "rule 1 above gets", "rules 1 and 2 above get": the rules that take a never-used rule's customers."""
    return f"rule {_numbers(rules)} above gets" if len(rules) == 1 else f"rules {_numbers(rules)} above get"
