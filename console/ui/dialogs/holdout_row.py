"""The playbook dialog's hold-out row: what share of new failed payments is left to Stripe alone (issue 34 §3)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox

from ...domain.holdout import MAX_PERCENT


def holdout_row(percent: int) -> tuple[QHBoxLayout, QSpinBox]:
    """The row, and its spin box (0: no hold-out)."""
    row = QHBoxLayout()
    label = QLabel("Leave new failed payments to Stripe alone, to measure the desk's lift:")
    box = QSpinBox()
    box.setObjectName("holdoutPercent")
    box.setRange(0, MAX_PERCENT)
    box.setSuffix(" %")
    box.setSpecialValueText("none")
    box.setValue(percent)
    box.setToolTip(
        "Chosen by a stable hash of each invoice's id and recorded on it; kept out of the failed-payments queue "
        "(its own view lists them). The Recovery tab compares the two groups."
    )
    for widget in (label, box):
        row.addWidget(widget)
    row.addStretch(1)
    return row, box
