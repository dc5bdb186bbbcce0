"""Who is acting: the one rule for the operator's name that every console records on Stripe and in the journal."""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

OPERATOR_ENV = "CHURN_CONSOLE_OPERATOR"
NOBODY = "an operator"  # when no name can be found at all (no setting, no environment, no login name)
NAME_FILE = "operator.json"  # the name set in the window's Preferences, beside the data it signs
LIMIT = 500


def operator_name(chosen: str | None = None, data_dir: Path | None = None) -> str:
    """The name given for this one command (the CLI's --operator, a name typed in the consent step), else
    $CHURN_CONSOLE_OPERATOR, else the name set for this data dir (Preferences → Your name, shared by the
    window and every command on it), else the login name."""
    for name in (chosen, os.environ.get(OPERATOR_ENV), stored_name(data_dir)):
        if name and name.strip():
            return name.strip()[:LIMIT]
    try:
        return getpass.getuser() or NOBODY
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return NOBODY


def stored_name(data_dir: Path | None) -> str | None:
    """The data dir's name, or None (never set, or a file that cannot be read: the next rule applies)."""
    if data_dir is None:
        return None
    try:
        value = json.loads((data_dir / NAME_FILE).read_text("utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return value.strip()[:LIMIT] if isinstance(value, str) and value.strip() else None


def store_name(data_dir: Path, name: str) -> None:
    """Set (or, with an empty name, clear) the data dir's name; written whole or not at all."""
    path = data_dir / NAME_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"name": name.strip()[:LIMIT]}), "utf-8")  # 0600: the process's umask (paths.py)
    tmp.replace(path)


def overridden_by_environment() -> str | None:
    """$CHURN_CONSOLE_OPERATOR when set: it wins over the data dir's name (said in Preferences)."""
    value = os.environ.get(OPERATOR_ENV, "").strip()
    return value or None
