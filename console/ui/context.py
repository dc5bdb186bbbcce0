"""What a page is built from, instead of the window: the session, the operation runner, the change bus, settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings

from ..domain.models import Coupon
from ..services.session import Session
from ..services.workspace import Workspace
from .operations import ChangeBus, Operations
from .workers import Runner


@dataclass
class PageContext:
    session: Session
    ops: Operations
    bus: ChangeBus
    runner: Runner
    settings: QSettings
    say: Callable[[str], None] = lambda _text: None  # a passing note: the window's status line (none for a page alone)

    @property
    def workspace(self) -> Workspace | None:
        return self.session.workspace

    def granted(self, code: str) -> bool:
        return self.session.granted(code)

    def operator(self) -> str:
        """The operator's name, as every command on this data dir reads it (services/operator.py)."""
        return self.session.operator()

    def set_operator(self, name: str) -> None:
        self.session.set_operator(name)

    def coupons(self) -> list[Coupon]:
        workspace = self.session.workspace
        return workspace.cache.coupons() if workspace else []
