"""Connect an account: paste a restricted key, see the account and what the key may do, then store it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...errors import ConsoleError
from ...services.keys import HOW_TO, KeyService, Verified, inspect_key, verify
from ...services.profiles import Profile
from .. import theme
from ..plain import escape
from ..text_size import scaled
from ..workers import Runner
from ..wrapped_rows import wrap_rows


class ConnectDialog(QDialog):
    """Verifies the key off the GUI thread; nothing is stored until the user chooses how."""

    def __init__(
        self,
        service: KeyService,
        runner: Runner,
        *,
        api_base: str | None = None,
        rotate: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.runner = runner
        self.rotating = rotate
        self.profile: Profile | None = None
        self.verified: Verified | None = None
        self.setWindowTitle(f"Rotate the key of {rotate}" if rotate else "Connect a Stripe account")
        self.resize(scaled(660), scaled(620))
        layout = QVBoxLayout(self)
        intro = QLabel(f"The console works with a <b>restricted key</b>. {escape(HOW_TO)}")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.key = QLineEdit()
        self.key.setObjectName("apiKey")
        self.key.setEchoMode(QLineEdit.EchoMode.Password)
        self.key.setPlaceholderText("rk_live_… or rk_test_…")
        show = QCheckBox("Show")
        show.toggled.connect(lambda on: self.key.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password))
        key_row = QHBoxLayout()
        key_row.addWidget(self.key, 1)
        key_row.addWidget(show)
        form.addRow("Restricted key", key_row)
        self.name = QLineEdit(rotate or "")
        self.name.setObjectName("profileName")
        self.name.setPlaceholderText("e.g. Acme live")
        self.name.setEnabled(rotate is None)
        form.addRow("Profile name", self.name)
        if rotate is not None and rotate in service.profiles.items:
            api_base = service.profiles.get(rotate).api_base  # the profile's server, shown (it cannot change here)
        self.api_base = QLineEdit(api_base or "")
        self.api_base.setObjectName("apiBase")
        self.api_base.setPlaceholderText("https://api.stripe.com (leave empty)")
        self.api_base.setEnabled(rotate is None)
        form.addRow("Server", self.api_base)
        self.allow_secret = QCheckBox("Accept a secret key (sk_…) — not recommended")
        form.addRow("", self.allow_secret)
        layout.addLayout(form)
        self.verify_button = QPushButton("Verify with Stripe")
        self.verify_button.setObjectName("verifyKey")
        self.verify_button.clicked.connect(self.start_verify)
        layout.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.message = QLabel("")
        self.message.setObjectName("connectMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.permissions = QTableWidget(0, 3)
        self.permissions.setObjectName("permissionTable")
        self.permissions.setHorizontalHeaderLabels(["Permission", "Granted", "Enables"])
        self.permissions.horizontalHeader().setStretchLastSection(True)
        self.permissions.verticalHeader().hide()
        wrap_rows(self.permissions)  # what a permission is for wraps, not "…" (Invoices: Write's did)
        layout.addWidget(self.permissions, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.session_button = QPushButton("Use for this session only")
        self.session_button.setObjectName("sessionOnly")
        self.session_button.setToolTip("Keep the key in memory until the console quits; nothing is written")
        self.store_button = QPushButton("Store in the keyring")
        self.store_button.setObjectName("storeKey")
        self.store_button.setProperty("class", "primary")
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        for button in (self.session_button, self.store_button):
            button.setEnabled(False)
            buttons.addWidget(button)
        buttons.addWidget(cancel)
        layout.addLayout(buttons)
        self.store_button.clicked.connect(lambda: self.finish(session_only=False))
        self.session_button.clicked.connect(lambda: self.finish(session_only=True))
        self.key.textChanged.connect(self._invalidate)
        status = service.keystore.status()
        self.keyring_ok = status.secure
        self.keyring_note = QLabel(f"<i>{escape(status.advice)} Until then the key can be used for this session only.</i>")
        self.keyring_note.setObjectName("keyringNote")
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(not status.secure)
        layout.addWidget(self.keyring_note)
        if not status.secure:
            self.store_button.setToolTip(status.advice)

    def _say(self, text: str, error: bool = False) -> None:
        colour = theme.colour("error" if error else "ok")
        self.message.setText(f"<span style='color:{colour}'>{text}</span>")

    def _invalidate(self) -> None:
        self.verified = None
        self.store_button.setEnabled(False)
        self.session_button.setEnabled(False)

    def start_verify(self) -> None:
        raw = self.key.text()
        try:
            inspect_key(raw, allow_secret=self.allow_secret.isChecked())  # refuse bad shapes before any request
        except ConsoleError as exc:
            self._say(f"<b>{escape(exc.message)}</b>", error=True)
            return
        base = self.api_base.text().strip() or None
        if self.rotating:
            base = self.service.profiles.get(self.rotating).api_base
        self.verify_button.setEnabled(False)
        self._say("Asking Stripe…")
        self.runner.submit_side(
            lambda: verify(raw, base, allow_secret=self.allow_secret.isChecked())[1], self._verified, self._failed
        )

    def _verified(self, verified: Verified) -> None:
        self.verify_button.setEnabled(True)
        self.verified = verified
        account = verified.account
        mode = "<b style='color:#c62828'>LIVE</b>" if account.livemode else "<b style='color:#7a4b00'>TEST</b>"
        missing = [p.label for p in verified.permissions if not p.granted]
        extra = (
            f" Missing: {', '.join(missing)} (those features stay disabled)."
            if missing
            else " Every permission the console needs is granted."
        )
        # A restricted key cannot read the account's name (Stripe answers 403): only its id is known.
        who = f"{escape(account.name)} ({account.id})" if account.readable else f"Stripe account {account.id}"
        self._say(f"{who}, {mode} mode.{escape(extra)}")
        if not self.name.text().strip():
            stem = account.name if account.readable else "Stripe"
            self.name.setText(f"{stem} {'live' if account.livemode else 'test'}")
        self.permissions.setRowCount(len(verified.permissions))
        for i, p in enumerate(verified.permissions):
            self.permissions.setItem(i, 0, QTableWidgetItem(p.label))
            granted = QTableWidgetItem("yes" if p.granted else "NO")
            granted.setForeground(QColor(theme.colour("ok" if p.granted else "error")))  # readable in both themes
            self.permissions.setItem(i, 1, granted)
            self.permissions.setItem(i, 2, QTableWidgetItem(p.enables))
        self.permissions.resizeColumnToContents(0)
        self.permissions.resizeColumnToContents(1)  # the third stretches, its words wrapped (wrap_rows)
        self.permissions.resizeRowsToContents()
        self.store_button.setEnabled(self.keyring_ok)
        self.session_button.setEnabled(True)

    def _failed(self, error: ConsoleError) -> None:
        self.verify_button.setEnabled(True)
        self._say(f"<b>{escape(error.message)}</b> {escape(error.hint)}", error=True)

    def finish(self, *, session_only: bool) -> None:
        """Store (or keep for the session) on the thread pool: the service verifies once more first."""
        raw, allow = self.key.text(), self.allow_secret.isChecked()
        name, base = self.name.text(), self.api_base.text().strip() or None
        if self.rotating:
            work = lambda: self.service.rotate(self.rotating, raw, allow_secret=allow)[0]  # noqa: E731
        else:
            work = lambda: self.service.connect(name, raw, base, session_only=session_only, allow_secret=allow)[0]  # noqa: E731
        self.store_button.setEnabled(False)
        self.session_button.setEnabled(False)
        self._say("Saving…")
        self.runner.submit_side(work, self._stored, self._failed)

    def _stored(self, profile: Profile) -> None:
        self.profile = profile
        self.key.clear()
        self.accept()
