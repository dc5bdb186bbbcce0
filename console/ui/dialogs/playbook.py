"""Edit the retention playbook: one rule per row (first match wins), and what counts as high MRR."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

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
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.experiments import Variant
from ...domain.feedback import PORTAL_LABELS
from ...domain.models import Coupon
from ...domain.money import exponent, to_major
from ...domain.offers import (
    CONSOLE_COUPON,
    ContactOffer,
    CouponOffer,
    Offer,
    PauseOffer,
    RevokeOffer,
    offer_from_dict,
    offer_to_dict,
)  # fmt: skip
from ...domain.playbook import ANY, DEFAULT_RULES, NO_ANSWER, RETAIN_15_ANNUAL, RETAIN_25, Playbook, Rule, is_custom

# Stripe's codes in words, short enough for a table cell ("Too expensive"); the portal's sentence is the tooltip
REASONS = [
    (ANY, "Any reason"),
    *((code, code.replace("_", " ").capitalize()) for code in PORTAL_LABELS),
    (NO_ANSWER, "No answer"),
]
SEGMENTS = [("any", "Any MRR"), ("high_mrr", "High MRR"), ("low_mrr", "Not high MRR")]
INTERVALS = [("any", "Any plan"), ("month", "Monthly plans"), ("year", "Annual plans")]
COLS = ("Reason", "MRR", "Plan", "Min. tenure", "Offer", "Test against", "Note")
NOTE = COLS.index("Note")
TEST = COLS.index("Test against")
COL_TIPS = {
    3: "The customer has been subscribed at least this long",
    4: "What the one-click Save applies",
    TEST: "An offer experiment: each row gets the Offer (A) or this one (B) at random, half each, the same on every "
    "console; the Outcomes tab compares them. Weights and a third offer: in playbook.json.",
}
NO_TEST = "No experiment"


def offer_text(offer: Offer, coupons: dict[str, Coupon]) -> str:
    """An offer as the editor lists it: two coupons with the same terms are told apart by where they come from."""
    words = offer.describe(coupons)
    if offer.kind != "coupon":
        return words
    if offer.coupon_id and offer.coupon_id in coupons and not offer.coupon_id.startswith(CONSOLE_COUPON):
        return f"{words} ({offer.coupon_id})"
    return f"{words} (console)" if offer.new_coupon else f"{words} ({offer.coupon_id})"


def offer_tip(offer: Offer) -> str:
    if offer.kind == "coupon" and offer.new_coupon:
        return "A coupon the console creates in your account the first time it is used, then reuses"
    return f"Your account's coupon {offer.coupon_id}" if offer.kind == "coupon" else ""


def offer_choices(coupons: list[Coupon]) -> list[Offer]:
    out: list[Offer] = [RETAIN_25, RETAIN_15_ANNUAL]
    own = {RETAIN_25.coupon_id, RETAIN_15_ANNUAL.coupon_id}  # once created, the console's coupons are in the account: listed once
    out += [CouponOffer(coupon_id=c.id) for c in coupons if c.valid and c.id not in own]
    out += [PauseOffer(pause_months=m) for m in (1, 2, 3)]
    out += [RevokeOffer(), ContactOffer()]
    return out


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
        self.resize(min(1200, room.width() - 40), min(560, room.height() - 60))
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
        self.table.setCellWidget(i, TEST, self._test_combo(rule, choices))
        note = QTableWidgetItem(rule.note)
        note.setToolTip(rule.note)  # a long note is cut in the cell; whole on hover
        self.table.setItem(i, NOTE, note)

    def _test_combo(self, rule: Rule, choices: list[Offer]) -> QComboBox:
        """B of an experiment, or none; the rest of a loaded experiment (name, first day, weights, a C) rides on
        the combo and comes back unchanged while B stays the same."""
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.addItem(NO_TEST, None)
        b = rule.variants[1].offer if len(rule.variants) > 1 else None
        listed = list(choices) + ([b] if b is not None and b not in choices else [])
        for offer in listed:
            combo.addItem(offer_text(offer, self.coupons), offer)
        combo.setCurrentIndex(listed.index(b) + 1 if b is not None else 0)
        if rule.variants:
            combo.setProperty("experiment", json.dumps(
                {"name": rule.experiment, "started": rule.started, "b": offer_to_dict(b) if b else None,
                 "variants": [{"label": v.label, "weight": v.weight, "offer": offer_to_dict(v.offer)} for v in rule.variants]}
            ))  # fmt: skip
            combo.setToolTip(
                f"Experiment {rule.experiment} since {rule.started}: "
                + ", ".join(f"{v.label} {offer_text(v.offer, self.coupons)} (weight {v.weight})" for v in rule.variants)
            )
        return combo

    def _experiment(self, row: int, reason: str, a: Offer) -> dict:
        """The Rule fields of the row's experiment: kept as loaded while B is unchanged, else a new A/B, half each."""
        combo = self._combo_at(row, TEST)
        b = combo.currentData()
        if b is None:
            return {}
        kept = json.loads(combo.property("experiment") or "null")
        if kept and kept["b"] == offer_to_dict(b) and kept["variants"][0]["offer"] == offer_to_dict(a):
            variants = tuple(Variant(v["label"], offer_from_dict(v["offer"]), v["weight"]) for v in kept["variants"])
            return {"experiment": kept["name"], "started": kept["started"], "variants": variants}
        today = date.today().isoformat()
        name = kept["name"] if kept else f"{reason.replace('*', 'any')}-{today}"[:40]
        return {"experiment": name, "started": today, "variants": (Variant("A", a), Variant("B", b))}

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
                    **self._experiment(i, reason.currentData(), offer.currentData()),
                )
            )
        return out

    def playbook(self) -> Playbook:
        high = {cur: int(round(box.value() * 10 ** exponent(cur))) for cur, box in self.high.items()}
        return Playbook(
            rules=self.rules(),
            high_mrr=high,
            no_repeat_discount=self.no_repeat.isChecked(),
            repeat_months=self.repeat_months.value(),
        )
