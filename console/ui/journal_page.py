"""The Journal tab: every action with its operator, consent and state; undo and retry from here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.action import UNDOABLE, Action
from ..domain.models import Coupon
from ..domain.money import format_money
from ..domain.offers import CHANNEL_LABELS, STATE_WORDS, action_words
from ..domain.text import no_reordering
from . import plain
from .context import PageContext
from .dates import moment_text

COLUMNS = ("When", "Operator", "Customer", "What", "MRR", "Consent", "Note", "State", "Details")


class JournalModel(QAbstractTableModel):
    """Newest first, as the journal returns them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actions: list[Action] = []
        self.coupons: dict[str, Coupon] = {}

    def set_actions(self, actions: list[Action], coupons: dict[str, Coupon] | None = None) -> None:
        self.beginResetModel()
        self.actions = actions
        self.coupons = coupons or {}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.actions)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        a = self.actions[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return a
        if role == Qt.ItemDataRole.ToolTipRole:  # the codes, for support: action, offer, Stripe's request id
            ids = [f"action {a.id}", f"offer {a.offer_code}", a.request_id and f"Stripe request {a.request_id}"]
            return plain.tooltip("\n".join(x for x in ids if x))
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        details = a.error or ("undone later" if a.undone_by else "") or ("undoes an earlier action" if a.undo_of else "")
        cells = (
            moment_text(a.created_at),
            a.operator_words(),
            a.customer_name or a.customer_id,
            action_words(a.kind, a.offer_code, self.coupons),
            format_money(a.mrr_minor, a.currency) if a.currency else "",
            CHANNEL_LABELS.get(a.consent_channel or "", "") if a.consent_channel else "",
            a.consent_note or "",
            STATE_WORDS.get(a.state, a.state) + (" (LIVE)" if a.livemode else ""),
            details,
        )
        return no_reordering(cells[index.column()])  # names, notes and errors are anyone's text: nothing reorders them


class JournalPage(QWidget):
    """Emits `undo_requested(action_id)` and `retry_requested(action_id)` for the selected action."""

    refreshed = Signal()  # the actions are in the table
    undo_requested = Signal(str)
    retry_requested = Signal(str)
    recover_requested = Signal()

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._reads = 0  # the latest read wins (an older one may finish later)
        context.bus.changed.connect(lambda changes: self.refresh() if changes.journal or changes.coupons else None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        head = QHBoxLayout()
        title = QLabel("Journal")
        title.setProperty("class", "pageHeading")
        head.addWidget(title)
        self.caption = QLabel(
            "What operators did in this account: saves (each with how the customer agreed), and the save desk's takes, "
            "notes and contacts. Also written to each subscription's metadata."
        )
        self.caption.setProperty("class", "pageCaption")
        self.caption.setWordWrap(True)
        self.caption.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens
        head.addWidget(self.caption, 1, Qt.AlignmentFlag.AlignBottom)
        self.undo = QPushButton("Undo")
        self.undo.setObjectName("journalUndo")
        self.undo.setToolTip("Restore the cancellation and remove the discount or pause this action added")
        self.retry = QPushButton("Retry")
        self.retry.setObjectName("journalRetry")
        self.retry.setToolTip("Send a failed action again: same idempotency key, so it can never apply twice")
        head.addWidget(self.retry)
        head.addWidget(self.undo)
        layout.addLayout(head)
        self.damaged = QLabel("")
        self.damaged.setObjectName("journalDamaged")
        self.damaged.setTextFormat(Qt.TextFormat.PlainText)
        self.damaged.setWordWrap(True)
        self.recover = QPushButton("Recover its actions")
        self.recover.setObjectName("journalRecover")
        self.recover.clicked.connect(self.recover_requested)
        notice = QHBoxLayout()
        notice.addWidget(self.damaged, 1)
        notice.addWidget(self.recover)
        layout.addLayout(notice)
        self.show_damaged([])
        self.model = JournalModel(self)
        self.table = QTableView()
        self.table.setObjectName("journalTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.undo.clicked.connect(lambda: self._emit(self.undo_requested))
        self.retry.clicked.connect(lambda: self._emit(self.retry_requested))
        self._update_buttons()

    def refresh(self) -> None:
        """Read the journal (and the coupons its lines are said with) on a worker; show it when read."""
        workspace = self.context.workspace
        if workspace is None:
            self.set_actions([])
            self.show_damaged([])
            return
        self._reads = mine = self._reads + 1

        def work() -> tuple[list[Action], dict[str, Coupon], list[Path]]:
            coupons = {c.id: c for c in workspace.cache.coupons()}
            return workspace.journal.all(limit=500), coupons, workspace.journal.damaged_copies()

        def show(result: tuple[list[Action], dict[str, Coupon], list[Path]]) -> None:
            if mine == self._reads and workspace is self.context.workspace:
                actions, coupons, damaged = result
                self.set_actions(actions, coupons)
                self.show_damaged(damaged)

        self.context.runner.submit_side(work, show, self.context.ops.show_error)

    def show_damaged(self, copies: list[Path]) -> None:
        """A damaged journal copy set aside is never forgotten: say so until its actions are merged back."""
        text = (
            f"A damaged copy of this journal is kept aside ({copies[0].name}). Its actions can be merged back." if copies else ""
        )
        self.damaged.setText(text)
        self.damaged.setVisible(bool(copies))
        self.recover.setVisible(bool(copies))

    def set_actions(self, actions: list[Action], coupons: dict[str, Coupon] | None = None) -> None:
        selected = self.selected()
        self.model.set_actions(actions, coupons)
        if selected is not None:
            for i, a in enumerate(actions):
                if a.id == selected.id:
                    self.table.selectRow(i)
        self._update_buttons()
        self.refreshed.emit()

    def selected(self) -> Action | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(rows[0], Qt.ItemDataRole.UserRole) if rows else None

    def _update_buttons(self) -> None:
        a = self.selected()
        self.undo.setEnabled(bool(a and a.state == "applied" and a.kind in UNDOABLE))
        self.retry.setEnabled(bool(a and a.state in ("failed", "pending") and (a.retryable or a.state == "pending")))

    def _emit(self, signal: SignalInstance) -> None:
        a = self.selected()
        if a is not None:
            signal.emit(a.id)
