"""Where the console keeps its files (platformdirs), overridable with --data-dir."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

APP = "churn-console"
PRIVATE_UMASK = 0o077  # files 0600, folders 0700: caches, journal, logs, crash reports, settings and exports hold customers


def private_files() -> None:
    """Everything this process creates from now on is readable by its user only (POSIX; Windows ACLs already are)."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def tighten(folder: Path) -> None:
    """Make the console's own files in `folder` (written by an older version, or copied in) owner-only too."""
    if os.name != "posix" or not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            mode = path.lstat().st_mode
            if stat.S_ISREG(mode) and mode & 0o077:
                path.chmod(0o600)
        except OSError:
            continue  # not ours to change (another user's file in a shared folder): leave it


@dataclass(frozen=True)
class Paths:
    """Data (caches, journal), and logs."""

    data: Path
    logs: Path

    @classmethod
    def default(cls, data_dir: str | None = None, *, demo: bool = False) -> Paths:
        if data_dir:
            base = Path(data_dir).expanduser()
            return cls(base, base / "logs")
        import platformdirs  # here: `churn-console --version` never needs it

        data = Path(platformdirs.user_data_dir(APP, appauthor=False))
        if demo:
            data = data / "demo"
        return cls(data, Path(platformdirs.user_log_dir(APP, appauthor=False)))
