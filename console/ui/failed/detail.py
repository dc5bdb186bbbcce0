"""The failed-payments tab's detail pane: one row's invoice, decline, card, Stripe's schedule and the end, the next
step in words, and its timeline (each failed attempt, each charge and link from the desk, the desk's notes)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from ...domain.failed import END_WORDS, FailedRow
from ...domain.money import format_money
from ...domain.queue import display_name
from ...services.desk_settings import DeskSettings
from ...services.failed_queue import STEP_WORDS
from ..dates import moment_text
from ..plain import TextLabel
from ..queue.detail import heading, timeline_area, timeline_html

FIELDS = ("Amount due", "MRR at stake", "Plan", "Status", "Attempts", "Decline", "Card", "Stripe's next try", "Ends", "Invoice")
STEP_HINTS = {
    "new_card": "The card cannot be charged as it is: send a card-update link (or write to the customer).",
    "wait": "Stripe retries on its own soon: nothing to do unless the customer gets in touch.",
    "retry": "A new card is on file: Retry now charges it.",
    "contact": "Retries are not working: talk to the customer before the last ones.",
}


class FailedDetail(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("failedDetail")
        self.row: FailedRow | None = None
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 10, 4, 4)
        outer.setSpacing(28)
        facts = QVBoxLayout()
        self.title = TextLabel("Select a customer")
        self.title.setProperty("class", "detailTitle")
        self.email = TextLabel("")
        self.email.setProperty("class", "pageCaption")
        self.email.setWordWrap(True)  # "Pick a row to see…" on two lines in a narrow pane (an address has no spaces)
        self.email.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts.addWidget(self.title)
        facts.addWidget(self.email)
        form = QFormLayout()
        form.setVerticalSpacing(3)
        self.fields: dict[str, QLabel] = {}
        for key in FIELDS:
            value = TextLabel("—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.fields[key] = value
            form.addRow(key, value)
        facts.addLayout(form)
        facts.addStretch(1)
        box = QWidget()
        box.setLayout(facts)
        scroll = QScrollArea()
        scroll.setWidget(box)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        outer.addWidget(scroll, 5)

        side = QVBoxLayout()
        side.addWidget(heading("Next step"))
        self.step = TextLabel("—")
        self.step.setObjectName("failedNextStep")
        self.step.setWordWrap(True)
        side.addWidget(self.step)
        side.addSpacing(6)
        side.addWidget(heading("Timeline"))
        self.timeline, history = timeline_area("failedTimeline")
        side.addWidget(history, 1)
        outer.addLayout(side, 5)
        self.show_row(None, [], DeskSettings(), 0)

    def show_row(self, row: FailedRow | None, timeline: list[dict[str, Any]], settings: DeskSettings, now: int) -> None:
        self.row = row
        if row is None:
            self.title.setText("Select a customer")
            self.email.setText("Pick a row to see its decline, its card and its history.")
            for value in self.fields.values():
                value.setText("—")
            self.step.setText("—")
            self.timeline.setText("")
            return
        c, d = row.collection, row.decline
        self.title.setText(display_name(row.customer_name, row.email, c.customer_id, False))
        self.email.setText(row.email or "")
        retry = c.next_attempt if row.will_retry() else None
        ends = row.ends_at(settings.retry_days)
        left = max(0, (ends - datetime.fromtimestamp(now, UTC)).days)
        values = {
            "Amount due": format_money(c.amount_due, c.currency),
            "MRR at stake": f"{format_money(row.mrr_minor, c.currency)} / month",
            "Plan": row.plan,
            "Status": row.status.replace("_", " "),
            "Attempts": f"{c.attempt_count}, the first on {moment_text(c.created)}",
            "Decline": row.decline_words(),
            "Card": (d.card() or "none on file") if d else "not read yet",
            "Stripe's next try": moment_text(retry) if retry else "none: Stripe will not retry on its own",
            "Ends": f"{END_WORDS[settings.retry_end]} on {moment_text(ends)} ({left} day{'' if left == 1 else 's'} left)",
            "Invoice": c.invoice_id,
        }
        for key, text in values.items():
            self.fields[key].setText(text)
        step = row.next_step(now)
        self.step.setText(f"{STEP_WORDS[step]}. {STEP_HINTS[step]}")
        self.timeline.setText(timeline_html(timeline))
