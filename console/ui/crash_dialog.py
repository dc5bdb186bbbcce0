"""Tell the user about an unexpected error: what happened, where the (redacted) report is, and that work is kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox

from ..crash import install


class CrashNotifier(QObject):
    """Crash reports can come from any thread; the dialog always opens on the GUI thread."""

    crashed = Signal(str, str)

    def __init__(self, log_dir: Path) -> None:
        super().__init__()
        self.last: QMessageBox | None = None
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)
        install(log_dir, lambda path, summary: self.crashed.emit(str(path), summary))

    def _show(self, path: str, summary: str) -> None:
        box = QMessageBox(QApplication.activeWindow())
        box.setObjectName("crashDialog")
        box.setIcon(QMessageBox.Icon.Critical)
        box.setTextFormat(Qt.TextFormat.PlainText)  # the summary can quote anyone's text
        box.setWindowTitle("Churn Console: unexpected error")
        box.setText("Something went wrong inside the console. Nothing was sent to Stripe twice, and the journal is intact.")
        box.setInformativeText(
            f"{summary}\n\nA report without keys or e-mail addresses was written to:\n{path}\n\n"
            "You can keep working; if this repeats, send that file to support."
        )
        open_folder = box.addButton("Open report folder", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Ok)
        open_folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent))))
        self.last = box
        box.open()
