"""First run: try the demo, or learn which restricted key to create and go on to connect it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..services.keys import NEEDED
from .text_size import scaled
from .theme import app_icon
from .wrapped_rows import wrap_rows

DEMO, CONNECT = "demo", "connect"


class WelcomeDialog(QDialog):
    """`choice` is DEMO, CONNECT, or None when closed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle("Welcome to Churn Console")
        self.setWindowIcon(app_icon())
        self.resize(scaled(760), scaled(560))
        self.choice: str | None = None
        self.pages = QStackedWidget()
        self.pages.addWidget(self._start_page())
        self.pages.addWidget(self._key_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(28, 24, 28, 20)
        layout.addWidget(self.pages)

    def _start_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(72, 72))
        heading = QLabel("Work your churn queue, save customers, and see what saving them is worth.")
        heading.setProperty("class", "pageHeading")
        heading.setWordWrap(True)
        body = QLabel(
            "Churn Console lists every subscription set to cancel, with the customer's reason and the MRR at "
            "stake, and saves a customer with one click: a retention coupon or a pause, recorded with how "
            "they agreed, and undoable. It also charts your save rate and edits the Stripe customer portal."
        )
        body.setWordWrap(True)
        self.demo_button = QPushButton("Try the demo")
        self.demo_button.setProperty("class", "primary")
        self.demo_button.setDefault(True)
        self.demo_button.clicked.connect(lambda: self._choose(DEMO))
        demo_caption = QLabel("A made-up company with 500 customers on a sandbox inside the app. No Stripe account needed.")
        demo_caption.setProperty("class", "pageCaption")
        demo_caption.setWordWrap(True)
        self.connect_button = QPushButton("Connect your Stripe account…")
        self.connect_button.clicked.connect(lambda: self.pages.setCurrentIndex(1))
        connect_caption = QLabel("With a restricted key you create in the Stripe Dashboard (the next page says exactly how).")
        connect_caption.setProperty("class", "pageCaption")
        connect_caption.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(12)
        top.addWidget(heading, 1)
        layout.addLayout(top)
        layout.addSpacing(8)
        layout.addWidget(body)
        layout.addSpacing(20)
        for button, caption in ((self.demo_button, demo_caption), (self.connect_button, connect_caption)):
            button.setMinimumHeight(scaled(40))
            layout.addWidget(button)
            layout.addWidget(caption)
            layout.addSpacing(10)
        layout.addStretch(1)
        return page

    def _key_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        heading = QLabel("Create a restricted key for the console")
        heading.setProperty("class", "pageHeading")
        steps = QLabel(
            "<ol>"
            "<li>In the Stripe Dashboard open <b>Developers → API keys</b> and choose <b>Create restricted key</b>.</li>"
            "<li>Name it <b>churn-console</b> and set exactly these permissions (leave everything else at None):</li>"
            "</ol>"
        )
        steps.setWordWrap(True)
        self.permissions = QTableWidget(len(NEEDED), 2)
        self.permissions.setObjectName("neededPermissions")
        self.permissions.setHorizontalHeaderLabels(["Permission", "What it is for"])
        self.permissions.verticalHeader().hide()
        self.permissions.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.permissions.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for row, (_code, label, enables) in enumerate(NEEDED):
            self.permissions.setItem(row, 0, QTableWidgetItem(label))
            self.permissions.setItem(row, 1, QTableWidgetItem(enables))
        self.permissions.resizeColumnToContents(0)
        self.permissions.horizontalHeader().setStretchLastSection(True)
        wrap_rows(self.permissions)  # what a permission is for wraps, not "…" (Invoices: Write's did)
        after = QLabel(
            "<ol start='3'>"
            "<li>Create the key, copy it (<code>rk_test_…</code> for test mode, <code>rk_live_…</code> for live) and paste "
            "it in the next window. It is kept in your system keyring, never in a file.</li>"
            "</ol>"
            "<p>A full secret key (<code>sk_…</code>) is refused: it can do far more than the console needs.</p>"
        )
        after.setWordWrap(True)
        back = QPushButton("Back")
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        self.open_connect = QPushButton("I have the key: connect…")
        self.open_connect.setProperty("class", "primary")
        self.open_connect.clicked.connect(lambda: self._choose(CONNECT))
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addStretch(1)
        buttons.addWidget(self.open_connect)
        layout.addWidget(heading)
        layout.addWidget(steps)
        layout.addWidget(self.permissions, 1)
        layout.addWidget(after)
        layout.addLayout(buttons)
        return page

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()
