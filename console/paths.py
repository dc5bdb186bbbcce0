"""Where the console keeps its files (platformdirs), overridable with --data-dir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "churn-console"


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
        data = Path(platformdirs.user_data_dir(APP, appauthor=False))
        if demo:
            data = data / "demo"
        return cls(data, Path(platformdirs.user_log_dir(APP, appauthor=False)))
