"""Save and open dialogs that start in the folder the user last chose (remembered in the settings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

FOLDER_KEY = "files/last_folder"


def _folder(settings: QSettings) -> Path:
    folder = Path(str(settings.value(FOLDER_KEY, "") or Path.home()))
    return folder if folder.is_dir() else Path.home()


def save_path(parent: QWidget, settings: QSettings, title: str, name: str, kinds: str) -> Path | None:
    """Ask where to save `name`, starting in the last folder; None when the user cancels."""
    chosen, _ = QFileDialog.getSaveFileName(parent, title, str(_folder(settings) / name), kinds)
    return _remember(settings, chosen)


def save_path_as(parent: QWidget, settings: QSettings, title: str, name: str, kinds: list[str]) -> tuple[Path | None, str]:
    """save_path() with a choice of file types: (the path or None, the type chosen)."""
    chosen, kind = QFileDialog.getSaveFileName(parent, title, str(_folder(settings) / name), ";;".join(kinds))
    return _remember(settings, chosen), kind


def open_path(parent: QWidget, settings: QSettings, title: str, kinds: str) -> Path | None:
    chosen, _ = QFileDialog.getOpenFileName(parent, title, str(_folder(settings)), kinds)
    return _remember(settings, chosen)


def _remember(settings: QSettings, chosen: str) -> Path | None:
    if not chosen:
        return None
    path = Path(chosen)
    settings.setValue(FOLDER_KEY, str(path.parent))
    return path


def write_problem(path: Path, error: OSError) -> str:
    """Why a file could not be written, and what to do (the chart or data is still on screen)."""
    reason = error.strerror or str(error)
    return f"Could not write {path}: {reason}. Choose another folder, or free some space, and export again."
