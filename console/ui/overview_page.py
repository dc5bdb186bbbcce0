"""The Overview tab: the account's headline figures, as cards, summed from the cache after each sync and action."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ..domain.money import format_money
from ..errors import ConsoleError
from ..services.changes import Changes
from ..services.overview import Overview, load_overview
from .context import PageContext
from .plain import TextLabel, escape
from .when_shown import ReadWhenShown

STATUS_ORDER = ("active", "trialing", "past_due", "unpaid", "paused", "incomplete")


class Card(QFrame):
    """A titled figure with a caption underneath."""

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"card_{key}")
        self.setProperty("class", "card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        self.title = QLabel(title.upper())
        self.title.setProperty("class", "cardTitle")
        self.value = QLabel("…")
        self.value.setProperty("class", "cardValue")
        self.value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value.setWordWrap(True)  # several currencies wrap at their " · " instead of widening the window
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.caption = TextLabel("")  # "of 2 · default: <a configuration's name>": anyone's text
        self.caption.setProperty("class", "cardCaption")
        self.caption.setWordWrap(True)
        for widget in (self.title, self.value, self.caption):
            layout.addWidget(widget)
        layout.addStretch(1)

    def show_figure(self, value: str, caption: str = "") -> None:
        self.value.setText(value)
        self.caption.setText(caption)
        # several currencies on one line: smaller, so they do not wrap into three (one a line keeps the big size)
        long = "cardValueLong" if max((len(line) for line in value.splitlines()), default=0) > 16 else "cardValue"
        if self.value.property("class") != long:
            self.value.setProperty("class", long)
            self.value.style().unpolish(self.value)
            self.value.style().polish(self.value)


class OverviewPage(QWidget):
    """Cards for subscriptions, pending cancellations, MRR, coupons and portal configurations."""

    retry_requested = Signal()
    loaded = Signal(object)  # Overview
    failed = Signal(object)  # ConsoleError

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.shown_once = False  # figures shown at least once (a relaunch's quiet first sync must still read them)
        # An action (a save, a pause, a paid retry, a new coupon) moves these figures too: read again, at once if shown,
        # else when shown next. The queue said 49 pending beside an Overview of 50 after a save until the next sync.
        self.reads = ReadWhenShown(self, lambda: self._read(cycle=False))
        self._asked = 0  # the latest read asked: an earlier one that answers after it is not shown
        context.bus.changed.connect(self._changed)
        context.bus.sync_failed.connect(self.show_error)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(16)
        self.heading = QLabel("Connecting…")
        self.heading.setProperty("class", "pageHeading")
        self.caption = TextLabel("")  # "<the profile's or account's name>, test mode: …"
        self.caption.setProperty("class", "pageCaption")
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens
        head = QVBoxLayout()
        head.setSpacing(2)
        head.addWidget(self.heading)
        head.addWidget(self.caption)
        outer.addLayout(head)

        self.banner = QFrame()
        self.banner.setObjectName("errorBanner")
        banner_row = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.retry = QPushButton("Retry")
        self.retry.clicked.connect(self.retry_requested)
        banner_row.addWidget(self.banner_text, 1)
        banner_row.addWidget(self.retry)
        self.banner.hide()
        outer.addWidget(self.banner)

        grid = QGridLayout()
        grid.setSpacing(16)
        specs = [
            ("subscriptions", "Current subscriptions"),  # not "live": that word is the mode's
            ("pending", "Pending cancellations"),
            ("at_risk", "MRR at risk"),
            ("mrr", "MRR (current, excl. trials)"),
            ("coupons", "Coupons"),
            ("portal", "Portal configurations"),
        ]
        self.cards: dict[str, Card] = {}
        for i, (key, title) in enumerate(specs):
            card = Card(key, title)
            self.cards[key] = card
            grid.addWidget(card, i // 3, i % 3)
        for col in range(3):
            grid.setColumnStretch(col, 1)
        outer.addLayout(grid)
        outer.addStretch(1)

    def _changed(self, changes: Changes) -> None:
        if changes.overview:
            self.refresh()
        elif self.shown_once and (changes.queue or changes.failed or changes.coupons):
            self.reads.changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt naming
        super().showEvent(event)
        self.reads.shown()

    def refresh(self) -> None:
        """Sum the figures from the cache on a worker; the refresh cycle counts it (Refresh waits for it)."""
        self._read(cycle=True)

    def _read(self, *, cycle: bool) -> None:
        """`cycle`: the refresh cycle's read, on its thread, told by `loaded` / `failed`; else a read after an action,
        beside whatever runs (it neither waits for a sync nor lets Refresh go early)."""
        workspace = self.context.workspace
        if workspace is None:
            return
        unreadable = tuple(
            name for name, code in (("coupons", "rak_coupon_read"), ("portal", "rak_billing_portal_read"))
            if not self.context.granted(code)
        )  # fmt: skip
        self.reads.stale = False
        self._asked += 1
        asked = self._asked
        submit = self.context.runner.submit if cycle else self.context.runner.submit_side
        submit(
            lambda: load_overview(workspace, unreadable),
            lambda ov: self._loaded(ov, asked, cycle),
            lambda error: self._failed(error, asked, cycle),
        )

    def _loaded(self, ov: Overview, asked: int, cycle: bool) -> None:
        if asked == self._asked:
            self.show_overview(ov)
        if cycle:
            self.loaded.emit(ov)

    def _failed(self, error: ConsoleError, asked: int, cycle: bool) -> None:
        if asked == self._asked:
            self.show_error(error)
        if cycle:
            self.failed.emit(error)

    def syncing(self) -> None:
        """Connected, the figures not read yet: say what they wait for (it had said "Connecting…" all through a
        first sync, long after the account answered)."""
        if not self.shown_once and self.banner.isHidden():
            self.heading.setText("Overview")
            self.caption.setText("Syncing with Stripe: the figures follow when it ends (its progress is below).")

    def show_error(self, error: ConsoleError) -> None:
        self.banner_text.setText(f"<b>{escape(error.message)}</b><br>{escape(error.hint)}")
        self.banner.show()
        self.heading.setText("Overview")
        self.caption.setText("Could not load the account; figures below may be missing or out of date.")

    def show_overview(self, ov: Overview) -> None:
        self.shown_once = True
        self.banner.hide()
        self.heading.setText("Overview")
        mode = ov.account.mode_label.lower()
        self.caption.setText(f"{ov.account.name}, {mode} mode: figures from the last sync with Stripe and the actions since.")
        statuses = " · ".join(f"{ov.status_counts[s]} {s.replace('_', ' ')}" for s in STATUS_ORDER if ov.status_counts.get(s))
        self.cards["subscriptions"].show_figure(f"{ov.live_subscriptions:,}", statuses)
        share = ov.pending_cancellations / ov.live_subscriptions if ov.live_subscriptions else 0.0
        self.cards["pending"].show_figure(
            f"{ov.pending_cancellations:,}", f"{share:.1%} of current subscriptions are set to cancel"
        )
        self.cards["at_risk"].show_figure(
            _lines(ov.mrr_at_risk_by_currency), "per month, per currency (never summed across currencies)"
        )
        self.cards["mrr"].show_figure(_lines(ov.mrr_by_currency), "monthly recurring revenue, per currency")
        self.cards["coupons"].show_figure(f"{ov.coupons_valid} valid", f"of {ov.coupons_total} coupons in this account")
        default = f"default: {ov.default_portal}" if ov.default_portal else "no default configuration"
        self.cards["portal"].show_figure(
            f"{ov.portal_configurations_active} active", f"of {ov.portal_configurations} · {default}"
        )


def _lines(by_currency: dict[str, int]) -> str:
    if not by_currency:
        return "—"
    return "\n".join(format_money(by_currency[cur], cur) for cur in sorted(by_currency))
