"""Profiles in the window: switch from the toolbar; connect, check, rotate, rename and delete."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QInputDialog, QMenu, QMessageBox, QToolButton, QWidget

from ..errors import ConsoleError
from ..services.keys import KeyService
from ..services.permissions import Permission, table
from .context import PageContext
from .dialogs.connect import ConnectDialog
from .plain import escape


class AccountsController(QObject):
    """Owns the profile combo and the Account menu; `switch_to(name)` shows another profile (the window's, which
    re-lays its pages on the new account)."""

    def __init__(self, context: PageContext, service: KeyService, switch_to: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.window = parent  # the dialogs' parent
        self.switch_to = switch_to
        self.service = service
        self.combo = QComboBox()
        self.combo.setObjectName("profileSwitcher")
        self.combo.setToolTip("Switch account or mode")
        self.combo.activated.connect(lambda i: self.switch(self.combo.itemData(i)))
        self.menu_button = QToolButton()
        self.menu_button.setText("Account")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.menu_button)
        menu.addAction("Connect an account…", lambda: self.connect_account())
        menu.addAction("Check the key's permissions", self.check)
        menu.addAction("Rotate the key…", self.rotate)
        menu.addAction("Rename this profile…", self.rename)
        menu.addAction("Delete this profile…", self.delete)
        self.menu_button.setMenu(menu)
        self.fill()

    @property
    def current(self) -> str | None:
        return self.service.profiles.last

    def fill(self) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for p in self.service.profiles.items.values():
            self.combo.addItem(f"{p.name}  ·  {p.mode_label}", p.name)
        if self.current:
            self.combo.setCurrentIndex(max(0, self.combo.findData(self.current)))
        self.combo.setVisible(self.combo.count() > 0)
        self.combo.blockSignals(False)

    def switch(self, name: str) -> None:
        if name and name != self.context.session.profile:
            self.service.profiles.use(name)
            self.switch_to(name)
        self.fill()

    # menu ----------------------------------------------------------------------------------
    def connect_account(self, rotate: str | None = None) -> None:
        dialog = ConnectDialog(self.service, self.context.runner, rotate=rotate, parent=self.window)
        dialog.setObjectName("connectDialog")

        def done(code: int) -> None:
            if code and dialog.profile is not None:
                self.fill()
                self.switch_to(dialog.profile.name)

        dialog.finished.connect(done)
        dialog.open()

    def check(self) -> None:
        name = self.current
        if not name:
            return
        self.context.runner.submit_side(lambda: self.service.check(name), lambda perms: self._show(name, perms), self._error)

    def _show(self, name: str, perms: list[Permission]) -> None:
        self.context.bus.permissions_checked.emit()
        box = QMessageBox(
            QMessageBox.Icon.Information, "Key permissions", f"<pre>{escape(table(perms))}</pre>", parent=self.window
        )
        box.setObjectName("permissionReport")
        box.open()

    def _error(self, error: ConsoleError) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Account", f"{error.message}\n\n{error.hint}", parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a message can quote a profile or account name
        box.exec()

    def rotate(self) -> None:
        if self.current:
            self.connect_account(rotate=self.current)

    def rename(self) -> None:
        name = self.current
        if not name:
            return
        new, ok = QInputDialog.getText(self.window, "Rename profile", "New name:", text=name)
        if ok and new.strip() and new.strip() != name:
            try:
                self.service.rename(name, new)
            except ConsoleError as exc:
                self._error(exc)
            self.context.session.profile = self.service.profiles.last
            self.fill()

    def delete(self) -> None:
        name = self.current
        if not name:
            return
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete profile",
            f"Delete the profile {name!r} and remove its key from the keyring?",
            parent=self.window,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        purge = QCheckBox("Also delete its cached data (the journal of actions is always kept)")
        box.setCheckBox(purge)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return
        self.context.session.close()
        try:
            self.service.delete(name, purge_cache=purge.isChecked())
        except ConsoleError as exc:
            self._error(exc)
        self.fill()
        if self.current:
            self.switch_to(self.current)
