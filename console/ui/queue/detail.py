"""The detail pane: the whole comment, the timeline, lifetime value and a link to the Dashboard."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ...domain.action import KIND_OF_OFFER
from ...domain.choices import CHANNEL_LABELS
from ...domain.feedback import label
from ...domain.models import Coupon
from ...domain.money import format_money
from ...domain.mrr import Valuation
from ...domain.offers import action_words, terms_of
from ...domain.queue import QueueRow, tenure_text
from ..dates import moment_text
from ..plain import TextLabel, escape

TIMELINE_TEXT = {
    "cancel_scheduled": "Asked to cancel",
    "cancel_revoked": "Cancellation revoked",
    "console_save": "Saved from a churn console",
    "discounts_changed": "Discounts changed",
    "paused": "Collection paused",
    "pause_removed": "Collection resumed",
    "subscription_paused": "Subscription paused (no invoices)",
    "save_undone": "Save undone",
    "subscription_resumed": "Subscription resumed",
    "ended": "Subscription ended",
    "customer_deleted": "Customer deleted in Stripe",
    "desk": "Save desk",
    "payment_failed": "Payment failed",
    "invoice_paid": "Invoice paid",
    "charge_paid": "Charged by the desk: paid",
    "charge_declined": "Charged by the desk: declined",
    "card_link": "Card-update link sent",
}
WORDED = ("desk", "payment_failed", "charge_paid", "charge_declined", "card_link")  # their detail's words follow


def _local(ts: int | datetime | None) -> str:
    return moment_text(ts)  # the locale's day and time, as every date in the window (ui/dates.py)


def timeline_html(entries: list[dict[str, Any]], coupons: Mapping[str, Coupon] | None = None, reason: str | None = None) -> str:
    """The row's history in words: offers and coupons by their terms, channels by name, never an internal code.
    `reason`: the row's own reason as the Reason column says it (a custom reason's text), for the ask it was given in."""
    if not entries:
        return "<i>No recorded history yet.</i>"
    coupons = coupons or {}
    lines = []
    asks = [e for e in entries if e["kind"] == "cancel_scheduled"]
    for e in reversed(entries):
        if e["kind"].startswith("credit_"):  # the recovery report's record of who acted: the lines above say it
            continue
        what = TIMELINE_TEXT.get(e["kind"], e["kind"].replace("_", " "))
        d = e["detail"]
        extra = ""
        if e["kind"] == "cancel_scheduled":
            said = reason if (reason and asks and e is asks[-1] and not d.get("feedback")) else label(d.get("feedback"))
            extra = f" — {escape(said)}"  # the latest ask's reason as the Reason column says it
        elif e["kind"] == "console_save":
            code = str(d.get("offer") or "")
            offer = action_words(KIND_OF_OFFER.get(code.partition(":")[0], "save"), code, coupons) if code else "an offer"
            channel = CHANNEL_LABELS.get(str(d.get("consent") or ""), str(d.get("consent") or "")).lower()
            agreed = f" (agreed by {escape(channel)})" if channel else ""
            extra = f" — {escape(offer.lower())} by {escape(str(d.get('operator') or 'an operator'))}{agreed}"
        elif e["kind"] == "discounts_changed":
            named = [terms_of(coupons[c]) if c in coupons else c for c in d.get("coupons") or []]
            extra = f" — now {escape(', '.join(named) or 'none')}"
        elif e["kind"] == "save_undone":
            extra = (
                f" by {escape(str(d.get('operator') or 'an operator'))} ({escape(str(d.get('what') or ''))}): set to cancel again"
            )
        elif e["kind"] in WORDED and d.get("words"):  # names and notes are people's text: escaped
            extra = f" — {escape(str(d.get('words') or ''))}"
        elif e["kind"] == "paused" and d.get("resumes_at"):
            extra = f" until {_local(d['resumes_at'])}"
        lines.append(f"<b>{_local(e['at'])}</b>&nbsp; {escape(what)}{extra}")
    return "<br>".join(lines)


def heading(text: str) -> QLabel:
    """A detail pane's small capitals heading (both queues' panes)."""
    head = QLabel(text.upper())
    head.setProperty("class", "cardTitle")
    return head


def timeline_area(name: str) -> tuple[QLabel, QScrollArea]:
    """A timeline's label (timeline_html: our markup, customers' text escaped) in a frameless scroll area."""
    label = QLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    scroll = QScrollArea()
    scroll.setWidget(label)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    return label, scroll


class DetailPane(QWidget):
    """Shows one row; `ltv_requested(customer_id)` asks the window to load lifetime value."""

    ltv_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.row: QueueRow | None = None
        self.coupons: dict[str, Coupon] = {}  # to say a past save's coupon in words (the page sets them)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 10, 4, 4)
        outer.setSpacing(28)

        facts = QVBoxLayout()
        self.title = TextLabel("Select a customer")
        self.title.setProperty("class", "detailTitle")
        facts.addWidget(self.title)
        self.email = TextLabel("")
        self.email.setProperty("class", "pageCaption")
        self.email.setWordWrap(True)  # "Pick a row to see…" on two lines in a narrow pane (an address has no spaces)
        self.email.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        facts.addWidget(self.email)
        form = QFormLayout()
        form.setVerticalSpacing(3)
        self.fields: dict[str, QLabel] = {}
        for key in (
            "MRR at stake",
            "Worked out",
            "Plan",
            "Ends",
            "Asked on",
            "Customer for",
            "Status",
            "Discount",
            "Saved before",
            "Lifetime value",
        ):
            value = TextLabel("—")
            value.setWordWrap(True)
            self.fields[key] = value
            form.addRow(key, value)
        facts.addLayout(form)
        facts.addStretch(1)
        facts_box = QWidget()  # scrolls rather than squeezing wrapped lines into each other on a low pane
        facts_box.setLayout(facts)
        facts_scroll = QScrollArea()
        facts_scroll.setWidget(facts_box)
        facts_scroll.setWidgetResizable(True)
        facts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        facts_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        words = QVBoxLayout()
        words.addWidget(heading("Reason"))
        self.reason = TextLabel("—")
        self.reason.setWordWrap(True)
        words.addWidget(self.reason)
        words.addSpacing(6)
        words.addWidget(heading("Comment"))
        self.comment = TextLabel("—")
        self.comment.setObjectName("detailComment")
        self.comment.setWordWrap(True)
        self.comment.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        words.addWidget(self.comment)
        words.addStretch(1)
        words_box = QWidget()  # a long comment scrolls in a low pane (1024×700) instead of being cut
        words_box.setLayout(words)
        words_scroll = QScrollArea()
        words_scroll.setObjectName("detailWords")
        words_scroll.setWidget(words_box)
        words_scroll.setWidgetResizable(True)
        words_scroll.setFrameShape(QFrame.Shape.NoFrame)
        words_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        said = QVBoxLayout()
        said.addWidget(words_scroll, 1)
        self.dashboard = QPushButton("Open in Stripe Dashboard")
        self.dashboard.setObjectName("openDashboard")
        self.dashboard.clicked.connect(self.open_dashboard)
        self.dashboard_reason: str | None = None  # why the Dashboard cannot show these ids (the demo's sandbox)
        said.addWidget(self.dashboard, 0, Qt.AlignmentFlag.AlignLeft)

        history = QVBoxLayout()
        history.addWidget(heading("Timeline"))
        self.timeline, scroll = timeline_area("detailTimeline")
        history.addWidget(scroll, 1)

        for column in (facts, words, history):
            column.setSpacing(4)
            column.setAlignment(Qt.AlignmentFlag.AlignTop)
        facts.setContentsMargins(0, 0, 0, 0)
        words.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(facts_scroll, 4)
        for text in (self.title, self.email, self.reason, self.comment, *self.fields.values()):
            # a 300-character word (or an 8,000 px image tag) must not widen the window: clip it instead
            text.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        outer.addLayout(said, 4)
        outer.addLayout(history, 5)
        self.show_row(None, [])

    def show_row(
        self,
        row: QueueRow | None,
        timeline: list[dict[str, Any]],
        now: datetime | None = None,
        valuation: Valuation | None = None,
    ) -> None:
        self.row = row
        self.dashboard.setEnabled(row is not None and self.dashboard_reason is None)
        if row is None:
            self.title.setText("Select a customer")
            self.email.setText("Pick a row to see its comment, history and lifetime value.")
            for value in self.fields.values():
                value.setText("—")
            self.reason.setText("—")
            self.comment.setText("—")
            self.timeline.setText("")
            return
        now = now or datetime.now(UTC)
        self.title.setText(row.display_name)
        self.email.setText(row.email or "")
        usage = " (usage-based)" if row.usage_based else ""
        if valuation is not None:
            self.fields["MRR at stake"].setText(valuation.summary + usage)
            worked = list(valuation.lines) + [f"Not known: {u}" for u in valuation.unknown]
            self.fields["Worked out"].setText("\n".join(worked) or "—")
        else:
            self.fields["MRR at stake"].setText(f"{format_money(row.mrr_minor, row.currency)} / month{usage}")
            self.fields["Worked out"].setText("—")
        self.fields["Plan"].setText(row.plan)
        left = row.days_left(now)
        self.fields["Ends"].setText(f"{_local(row.ends_at)} ({left} day{'' if left == 1 else 's'} left)")
        self.fields["Asked on"].setText(_local(row.requested_at))
        self.fields["Customer for"].setText(tenure_text(row.tenure_days(now)))
        self.fields["Status"].setText(row.status.replace("_", " "))
        self.fields["Discount"].setText(row.discount or "none")
        saved = row.discount_saved_at
        self.fields["Saved before"].setText(
            f"{action_words('save', row.discount_saved_offer or 'coupon:', self.coupons).removeprefix('Saved ')}"
            f" on {_local(saved)}: no second discount (playbook)"
            if saved
            else "no discount save"
        )
        self.fields["Lifetime value"].setText("loading…")
        self.reason.setText(row.reason)
        self.comment.setText(row.comment or "No comment.")
        self.timeline.setText(timeline_html(timeline, self.coupons, row.reason if row is not None else None))
        self.ltv_requested.emit(row.customer_id)

    def show_ltv(self, customer_id: str, paid: dict[str, tuple[int, int]] | None, error: str | None = None) -> None:
        if self.row is None or self.row.customer_id != customer_id:
            return
        if error:
            self.fields["Lifetime value"].setText(error)
        elif not paid:
            self.fields["Lifetime value"].setText("no paid invoices")
        else:
            parts = [
                f"{format_money(amount, cur)} ({n} invoice{'s' if n != 1 else ''})" for cur, (amount, n) in sorted(paid.items())
            ]
            self.fields["Lifetime value"].setText(" · ".join(parts))

    def dashboard_unavailable(self, reason: str | None) -> None:
        self.dashboard_reason = reason
        self.dashboard.setToolTip(reason or "")
        self.dashboard.setEnabled(reason is None and self.row is not None)

    def open_dashboard(self) -> None:
        if self.row is not None:
            QDesktopServices.openUrl(QUrl(self.row.dashboard_url))
