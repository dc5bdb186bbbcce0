"""Who is acting: the one rule for the operator's name that every console records on Stripe and in the journal."""

from __future__ import annotations

import getpass
import os

OPERATOR_ENV = "CHURN_CONSOLE_OPERATOR"
NOBODY = "an operator"  # when no name can be found at all (no setting, no environment, no login name)


def operator_name(chosen: str | None = None) -> str:
    """The name given (the CLI's --operator, the window's Preferences), else $CHURN_CONSOLE_OPERATOR, else the
    login name."""
    for name in (chosen, os.environ.get(OPERATOR_ENV)):
        if name and name.strip():
            return name.strip()[:500]
    try:
        return getpass.getuser() or NOBODY
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return NOBODY
