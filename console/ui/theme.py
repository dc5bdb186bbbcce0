"""Load the application's style sheet from resources/ (kept out of the code)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)


def resources_dir() -> Path:
    """resources/ beside the package (source tree) or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def apply(app: QApplication) -> None:
    """Apply style.qss; a missing file leaves Qt's native style, with a log line."""
    path = resources_dir() / "style.qss"
    try:
        app.setStyleSheet(path.read_text("utf-8"))
    except OSError:
        log.warning("style sheet not found at %s; using the platform style", path)
