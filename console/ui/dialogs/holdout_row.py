"""The playbook dialog's failed-payments row: what share of new failed payments is left to Stripe alone (issue 34 §3),
and how long after a rep's card-update link a new card is the link's doing (§1)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout

from ...domain.holdout import MAX_PERCENT
from ...domain.recovery import MAX_LINK_WINDOW


def holdout_row(percent: int, window_days: int) -> tuple[QVBoxLayout, QSpinBox, QSpinBox]:
    """The two rows, the hold-out's share (0: none) and the link's window."""
    rows = QVBoxLayout()
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
    window = QSpinBox()
    window.setObjectName("linkWindowDays")
    window.setRange(1, MAX_LINK_WINDOW)
    window.setSuffix(" days")
    window.setValue(window_days)
    window.setToolTip("The recovery report credits a new card to a rep's card-update link sent this many days before it")
    link = QHBoxLayout()
    for layout, widgets in (
        (row, (label, box)),
        (link, (QLabel("A new card within"), window, QLabel("of a rep's card-update link is credited to the link"))),
    ):
        for widget in widgets:
            layout.addWidget(widget)
        layout.addStretch(1)
        rows.addLayout(layout)
    return rows, box, window
