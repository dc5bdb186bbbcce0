"""Save and open dialogs that start in the folder the user last chose (remembered in the settings), and exports."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from ..domain.text import csv_row

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


def export_file(
    parent: QWidget, settings: QSettings, say: Callable[[str, bool], None], title: str, name: str, kinds: str,
    write: Callable[[Path], None], what: str,
) -> None:  # fmt: skip
    """Ask where, write, and say what was saved or why it could not be (a chart's PNG or CSV, and the like)."""
    path = save_path(parent, settings, title, name, kinds)
    if path is None:
        return
    try:
        write(path)
    except OSError as exc:
        say(write_problem(path, exc), True)
        return
    say(f"Saved {what} to {path}.", False)


def write_rows_csv(path: Path, header: list[str], rows: Iterable[list[object]]) -> None:
    """A chart's numbers as CSV; every cell made safe to open in a spreadsheet (a custom reason's text is anyone's)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(csv_row(row) for row in rows)
