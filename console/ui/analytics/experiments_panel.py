"""The Outcomes tab's offer experiments: each offer's customers, saves and money, and the verdict in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QLabel, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from ...domain.money import format_totals
from ...services.outcomes_report import Report

COLUMNS = ("Experiment", "Offer", "Customers", "Saved", "Save rate", "Collected so far")


class ExperimentsPanel(QWidget):
    """Plain text throughout: an experiment's name and note are the team's own words."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("Offer experiments (every customer who matched the rule, in the offer assigned)")
        title.setProperty("class", "cardTitle")
        title.setWordWrap(True)  # on two lines in a half-width column: unwrapped, it held its column 850 px wide at 150%
        title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(title)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("experimentsTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.verdicts = QLabel("")
        self.verdicts.setObjectName("experimentVerdicts")
        self.verdicts.setTextFormat(Qt.TextFormat.PlainText)
        self.verdicts.setWordWrap(True)
        layout.addWidget(self.verdicts)

    def show_report(self, report: Report) -> None:
        rows = [(e, a) for e in report.experiments for a in e.arms]
        self.table.setRowCount(len(rows))
        for n, (e, a) in enumerate(rows):
            cells = (
                e.name,
                f"{a.label}: {e.words.get(a.label, a.offer_code)}",
                str(a.customers),
                str(a.saved),
                "—" if a.rate is None else f"{a.rate:.0%}",
                format_totals(e.collected.get(a.label, {})),
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col in (2, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(n, col, item)
        if not report.experiments:
            self.verdicts.setText(
                "No experiment in the playbook. Give a rule two or three offers with weights (Playbook…) and the "
                "console assigns each row one at random, the same on every console, and compares them here."
            )
            return
        lines = []
        for e in report.experiments:
            for v in e.verdicts:
                lines.append(f"{e.name}: {v.words}")
            if e.pending:
                lines.append(f"{e.name}: {e.pending} more customers are still undecided.")
            if e.off_offer:
                lines.append(f"{e.name}: {e.off_offer} saves used another offer than the one assigned (counted as assigned).")
        self.verdicts.setText("\n".join(lines))
