"""A playbook rule's offer experiment: its name and first day, the offers B (and C) tested against the rule's own
offer A, and each offer's weight (its share of the rows)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...domain.experiments import LABELS, Variant
from ...domain.offers import Offer
from ...domain.playbook import Rule
from ..dates import day_format

NONE = "None"


@dataclass(frozen=True)
class Setup:
    """What the dialog decided: the rule's experiment fields, or `ended` (the rule runs its offer alone again)."""

    experiment: str = ""
    started: str = ""
    variants: tuple[Variant, ...] = ()

    @property
    def ended(self) -> bool:
        return not self.variants


class ExperimentDialog(QDialog):
    """Opened from the playbook editor's Experiment cell. OK checks the experiment as the playbook file would
    (a name, a first day, weights 1 to 100) and says what is wrong in place; "End experiment" removes it."""

    def __init__(
        self,
        rule: Rule,
        choices: list[Offer],
        describe: Callable[[Offer], str],
        default_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Offer experiment")
        self.setObjectName("experimentDialog")
        self.rule = rule
        self.result_setup: Setup | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Each row this rule matches gets one of these offers at random, by the weights, and the same one on every "
            "console. The Outcomes tab compares them and says when there are enough customers to tell."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit(rule.experiment or default_name)
        self.name.setObjectName("experimentName")
        self.name.setMaxLength(40)
        form.addRow("Name", self.name)
        started = date.fromisoformat(rule.started) if rule.started else date.today()
        self.started = QDateEdit(QDate(started.year, started.month, started.day))
        self.started.setObjectName("experimentStarted")
        self.started.setCalendarPopup(True)
        self.started.setDisplayFormat(day_format())  # the locale's date, as everywhere in the window
        form.addRow("First day", self.started)
        old = {v.label: v for v in rule.variants}
        self.weights: dict[str, QSpinBox] = {}
        self.offers: dict[str, QComboBox] = {}
        for label in LABELS:
            row = QHBoxLayout()
            if label == "A":
                offer_box: QWidget = QLabel(f"{describe(rule.offer)} (the rule's offer)")
            else:
                combo = QComboBox()
                combo.setObjectName(f"experimentOffer{label}")
                combo.addItem(NONE if label == "C" else "Choose an offer", None)
                current = old[label].offer if label in old else None
                listed = [o for o in choices if o != rule.offer] + ([current] if current and current not in choices else [])
                for offer in listed:
                    combo.addItem(describe(offer), offer)
                combo.setCurrentIndex(listed.index(current) + 1 if current in listed else 0)
                self.offers[label] = combo
                offer_box = combo
            row.addWidget(offer_box, 1)
            weight = QSpinBox()
            weight.setObjectName(f"experimentWeight{label}")
            weight.setRange(1, 100)
            weight.setPrefix("weight ")
            weight.setValue(old[label].weight if label in old else 1)
            self.weights[label] = weight
            if label in self.offers:  # an offer's weight counts once it is chosen
                combo = self.offers[label]
                weight.setEnabled(combo.currentData() is not None)
                combo.currentIndexChanged.connect(lambda _i, c=combo, w=weight: w.setEnabled(c.currentData() is not None))
            row.addWidget(weight)
            form.addRow(f"Offer {label}", row)
        layout.addLayout(form)
        self.problem = QLabel("")
        self.problem.setObjectName("experimentProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)  # the name is the team's own text
        self.problem.setWordWrap(True)
        self.problem.setProperty("class", "statusError")
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.end = QPushButton("End experiment")
        self.end.setObjectName("endExperiment")
        self.end.setEnabled(bool(rule.variants))
        self.end.setToolTip("The rule gives its own offer to every row again; the comparison so far stays in Outcomes")
        buttons.addButton(self.end, QDialogButtonBox.ButtonRole.DestructiveRole)
        self.end.clicked.connect(self._end)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def setup(self) -> Setup:
        """The experiment as the fields say it (checked on OK)."""
        variants = [Variant("A", self.rule.offer, self.weights["A"].value())]
        for label in ("B", "C"):
            offer = self.offers[label].currentData()
            if offer is not None:
                variants.append(Variant(LABELS[len(variants)], offer, self.weights[label].value()))
        return Setup(self.name.text().strip(), self.started.date().toString("yyyy-MM-dd"), tuple(variants))

    def _accept(self) -> None:
        found = self.setup()
        if len(found.variants) < 2:
            self.problem.setText("Choose offer B: an experiment compares at least two offers.")
            return
        candidate = Rule(self.rule.reasons, self.rule.offer, experiment=found.experiment, variants=found.variants,
                         started=found.started)  # fmt: skip
        if problems := candidate.experiment_problems():
            self.problem.setText("; ".join(problems).capitalize() + ".")
            return
        self.result_setup = found
        self.accept()

    def _end(self) -> None:
        self.result_setup = Setup()
        self.accept()
