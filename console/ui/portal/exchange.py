"""A portal configuration to and from a file: the console's own export, or Stripe's JSON imported."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any, Protocol

from PySide6.QtWidgets import QListWidget, QWidget

from ...domain.portal import PortalConfig
from ..context import PageContext
from ..files import open_path, save_path, write_problem
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


def export_configuration(page: PortalPage) -> None:
    """File → Export: the configuration shown, in the console's own format (config as code)."""
    if page.original is None or page.original.id is None:
        return
    path = save_path(page.window(), page.context.settings, "Export configuration", f"{page.original.id}.json", "JSON (*.json)")
    if path is None:
        return
    try:
        path.write_text(page.original.to_json(), "utf-8")
    except OSError as exc:
        page.say(html.escape(write_problem(path, exc)), error=True)
        return
    page.say(f"Exported to {html.escape(str(path))}.")


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
        page.say(f"Imported onto {html.escape(target.id or '')}: Review and save shows what changes.")
