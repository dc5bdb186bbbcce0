"""Bulk apply: progress, a result per row, and a retry for the rows that failed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...domain.action import Consent
from ...domain.offers import Offer
from ...domain.queue import QueueRow
from ...domain.text import no_reordering
from ...errors import ConsoleError
from ...services import operations
from ...services.changes import AFTER_ACTION
from ...services.operations import RowResult
from ...services.workspace import Workspace
from .. import theme
from ..operations import Operations
from ..plain import TextLabel
from ..text_size import scaled

OUTCOME_TEXT = {"applied": "Applied", "refused": "Refused", "failed": "Failed (retry is safe)"}


class BulkDialog(QDialog):
    """Runs apply_many on the thread pool; a small table (one row per selected customer) shows each outcome."""

    row_done = Signal(int, object)
    batch_done = Signal(object)  # the RowResults, once the batch (or its retry) ends: the status line's summary

    def __init__(
        self,
        window: QWidget,
        ops: Operations,
        workspace: Workspace,
        operator: str,
        items: list[tuple[str, Offer]],
        consent: Consent,
        rows: dict[str, QueueRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent or window)
        self.setWindowTitle(f"Applying offers to {len(items)} customers")
        self.resize(scaled(720), scaled(420))
        self.ops = ops
        self.workspace, self.operator = workspace, operator
        self.items = items
        self.consent = consent
        self.results: list[RowResult] = []
        layout = QVBoxLayout(self)
        self.progress = QProgressBar()
        self.progress.setObjectName("bulkProgress")
        self.progress.setRange(0, len(items))
        layout.addWidget(self.progress)
        self.table = QTableWidget(len(items), 3)
        self.table.setObjectName("bulkResults")
        self.table.setHorizontalHeaderLabels(["Customer", "Offer", "Result"])
        header = self.table.horizontalHeader()  # names whole; the result takes what is left and wraps
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (sub_id, offer) in enumerate(items):
            row = rows.get(sub_id)
            self.table.setItem(i, 0, QTableWidgetItem(no_reordering(row.display_name) if row else sub_id))
            self.table.setItem(i, 1, QTableWidgetItem(offer.describe()))
            self.table.setItem(i, 2, QTableWidgetItem("Waiting"))
        layout.addWidget(self.table, 1)
        self.summary = TextLabel("")
        self.summary.setObjectName("bulkSummary")
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        self.retry = QPushButton("Retry failed")
        self.retry.setObjectName("bulkRetry")
        self.retry.setEnabled(False)
        self.retry.clicked.connect(self.retry_failed)
        self.close_button = QPushButton("Close")
        self.close_button.setEnabled(False)
        self.close_button.clicked.connect(self.accept)
        buttons.addStretch(1)
        buttons.addWidget(self.retry)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.row_done.connect(self._row_done)

    def start(self) -> None:
        def progress(n: int, _total: int, result: RowResult) -> None:
            self.row_done.emit(n, result)  # emitted from the worker thread; Qt queues it to the dialog's thread

        ws, operator, items, consent = self.workspace, self.operator, self.items, self.consent
        self.ops.run(
            lambda: operations.apply_bulk(ws, operator, items, consent, progress), self._finished, self._crashed, AFTER_ACTION
        )

    def retry_failed(self) -> None:
        self.retry.setEnabled(False)
        self.close_button.setEnabled(False)
        self.summary.setText("Retrying the failed rows…")
        ws, operator, results, consent = self.workspace, self.operator, self.results, self.consent
        self.ops.run(lambda: operations.retry_bulk(ws, operator, results, consent), self._finished, self._crashed, AFTER_ACTION)

    def _row_done(self, n: int, result: RowResult) -> None:
        self.progress.setValue(n)
        self._show(n - 1, result)

    def _show(self, i: int, result: RowResult) -> None:
        text = OUTCOME_TEXT[result.outcome]
        if result.error is not None and result.outcome != "applied":
            text += f": {result.error.message}"
        item = QTableWidgetItem(text)
        item.setForeground(QColor(theme.colour("ok" if result.outcome == "applied" else "error")))  # readable in both themes
        self.table.setItem(i, 2, item)
        self.table.resizeRowToContents(i)

    def _finished(self, results: list[RowResult]) -> None:
        self.results = results
        for i, result in enumerate(results):
            self._show(i, result)
        counts = {k: sum(1 for r in results if r.outcome == k) for k in OUTCOME_TEXT}
        self.progress.setValue(len(results))
        self.summary.setText(f"{counts['applied']} applied, {counts['refused']} refused, {counts['failed']} failed.")
        self.retry.setEnabled(counts["failed"] > 0)
        self.close_button.setEnabled(True)
        self.batch_done.emit(results)

    def _crashed(self, error: ConsoleError) -> None:
        self.summary.setText(f"Stopped: {error}")
        self.close_button.setEnabled(True)
