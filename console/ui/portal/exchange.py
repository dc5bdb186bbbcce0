"""A portal configuration to and from a file: the console's own export, or Stripe's JSON imported."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QMessageBox, QWidget

from ...domain.portal import PortalConfig
from ..context import PageContext
from ..files import open_path, save_path_as, write_problem
from ..plain import escape
from .form import PortalForm
from .wording import read_configuration


class PortalPage(Protocol):
    """What export and import act on: the portal page (ui/portal/page.py), which imports this module."""

    original: PortalConfig | None
    configs: list[PortalConfig]
    catalog: list[Any]
    list: QListWidget
    form: PortalForm
    context: PageContext

    def window(self) -> QWidget: ...

    def say(self, text: str, error: bool = False) -> None: ...

    def confirm_discard(self) -> bool: ...

    def _start_new(self, config: PortalConfig) -> None: ...


CONSOLE_SHAPE = "Churn Console export, for Import and `portal apply` (*.json)"
STRIPE_SHAPE = "Stripe's API body, as billing_portal.configurations.create takes it (*.json)"


def export_configuration(page: PortalPage) -> None:
    """Export…: the configuration shown, in the console's own format (config as code) or in Stripe's own shape (the
    API body), as the file dialog's type says; `portal export --format console|stripe` writes the same."""
    if page.original is None or page.original.id is None:
        return
    path, kind = save_path_as(
        page.window(), page.context.settings, "Export configuration", f"{page.original.id}.json", [CONSOLE_SHAPE, STRIPE_SHAPE]
    )
    if path is None:
        return
    try:
        path.write_text(page.original.to_stripe_json() if kind == STRIPE_SHAPE else page.original.to_json(), "utf-8")
    except OSError as exc:
        page.say(escape(write_problem(path, exc)), error=True)
        return
    page.say(f"Exported to {escape(str(path))}.")


def import_configuration(page: PortalPage, path: str | None = None) -> None:
    """Import a file (the console's export or Stripe's own JSON): onto the configuration it names, else as a new one."""
    if not page.confirm_discard():
        return
    if not path:
        chosen = open_path(page.window(), page.context.settings, "Import configuration", "JSON (*.json)")
        path = str(chosen) if chosen else None
    if not path:
        return
    wanted, refusal = read_configuration(path)
    if wanted is None:
        page.say(refusal, error=True)
        return
    target = next((c for c in page.configs if c.id == wanted.id), None)
    if target is None and wanted.id is None and page.original is not None and page.original.id is not None:
        answer = _onto_or_new(page, page.original)  # Stripe's shape names no configuration: the admin says which
        if answer is False:
            return
        target = answer if isinstance(answer, PortalConfig) else None
    if target is None:
        page._start_new(replace(wanted, id=None))
        page.say("Imported as a new configuration: Review and save to create it.")
    else:
        page.list.setCurrentRow(page.configs.index(target))
        page.original = target
        page.form.load(
            replace(wanted, id=target.id, is_default=target.is_default, active=target.active, updated=target.updated),
            page.catalog,
        )
        page.form.base = target
        page.say(f"Imported onto {escape(target.id or '')}: Review and save shows what changes.")


def _onto_or_new(page: PortalPage, shown: PortalConfig) -> PortalConfig | None | bool:
    """A file in Stripe's shape names no configuration: onto the one shown (`portal apply --to` in the CLI), as
    a new one (None), or not at all (False)."""
    box = QMessageBox(page.window())
    box.setWindowTitle("Import a configuration")
    box.setTextFormat(Qt.TextFormat.PlainText)  # a configuration's name is anyone's text
    box.setText(f"This file names no configuration. Import it onto “{shown.name or shown.id}”, or as a new configuration?")
    onto = box.addButton(f"Onto “{shown.name or shown.id}”", QMessageBox.ButtonRole.AcceptRole)
    new = box.addButton("As a new configuration", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(onto)
    box.exec()
    if box.clickedButton() is onto:
        return shown
    return None if box.clickedButton() is new else False
