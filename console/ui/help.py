"""Help: the keyboard shortcuts, and About with the versions that matter when reporting a problem."""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from .. import __version__
from .text_size import scaled
from .theme import app_icon

SHORTCUTS = (
    ("Everywhere", "F5", "Sync with Stripe now"),
    ("Everywhere", "Ctrl+,", "Preferences (auto-refresh, operator name)"),
    ("Everywhere", "Ctrl+Q", "Quit"),
    ("Everywhere", "Ctrl+/", "This list"),
    ("Everywhere", "Ctrl++ / Ctrl+- / Ctrl+0", "Larger text, smaller text, the system's size"),
    ("Queue", "Ctrl+F", "Search by name, e-mail or comment"),
    ("Queue", "↓ (in the search box)", "Into the results, on the first customer"),
    ("Queue", "↑ / ↓", "Move between customers"),
    ("Queue", "Enter", "Open the detail pane"),
    ("Queue", "Ctrl+Enter", "Apply the playbook's recommended offer"),
    ("Queue", "Ctrl+1 / Ctrl+2 / Ctrl+3", "Pause for 1, 2 or 3 months"),
    ("Queue", "Ctrl+K", "Offer a new coupon"),
    ("Queue", "Ctrl+R", "Revoke the cancellation only"),
    ("Queue", "Ctrl+L", "Copy a customer portal link"),
    ("Queue", "Ctrl+Z", "Undo the last save"),
    ("Queue", "Ctrl+T", "Take the selected rows (the save desk)"),
    ("Queue", "Ctrl+Shift+T", "Release the selected rows"),
    ("Queue", "Ctrl+N", "Write a note (and the next follow-up)"),
    ("Queue", "Ctrl+E", "Write to the customer (an e-mail from the team's templates)"),
    ("Failed payments", "Ctrl+F", "Search by name, e-mail, id or decline"),
    ("Failed payments", "Ctrl+R", "Retry the payment now (refused, with the reason, when it would not work)"),
    ("Failed payments", "Ctrl+Shift+P", "Mark it paid another way (a note says how)"),
    ("Failed payments", "Ctrl+Shift+U", "Pause instead of losing the customer (with their consent)"),
    ("Failed payments", "Ctrl+Z", "Undo the last pause (resumes the subscription)"),
    ("Failed payments", "Ctrl+T / Ctrl+Shift+T / Ctrl+N", "Take, release, write a note: the save desk, as on the queue"),
    ("Failed payments", "Ctrl+E", "Write to the customer: an e-mail with a card-update link"),
    ("Consent step", "Enter", "Confirm with the remembered channel"),
    ("Consent step", "Esc", "Cancel: nothing is sent"),
)


def library_version(name: str) -> str:
    from importlib import metadata  # when About is opened: 13 ms the first frame need not wait for

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    return [
        ("Churn Console", __version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
        ("Stripe SDK", library_version("stripe")),
        ("keyring", library_version("keyring")),
        ("pyqtgraph", library_version("pyqtgraph")),
        ("System", platform.platform()),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(scaled(720), scaled(520))
        self.table = QTableWidget(len(SHORTCUTS), 3)
        self.table.setHorizontalHeaderLabels(["Where", "Keys", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, cells in enumerate(SHORTCUTS):
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        # as wide as the longest line (a Failed payments' Retry now was cut at 720 px), within the screen
        need = sum(self.table.columnWidth(c) for c in range(3)) + self.table.verticalScrollBar().sizeHint().width() + 40
        screen = self.screen().availableGeometry().width() if self.screen() is not None else need
        self.resize(max(scaled(720), min(need, screen - 80)), scaled(520))
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)


def about_text() -> str:
    rows = "".join(f"<tr><td>{name}</td><td style='padding-left:12px'>{value}</td></tr>" for name, value in versions())
    return (
        "<h3>Churn Console</h3>"
        "<p>A desktop console for Stripe subscription churn: the queue of pending cancellations, one-click saves, "
        "save outcomes and the customer portal editor.</p>"
        f"<table>{rows}</table>"
        "<p>Your restricted key stays in the system keyring; the cache and the journal stay on this computer.</p>"
    )


def show_about(parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setWindowTitle("About Churn Console")
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    box.open()
    return box
