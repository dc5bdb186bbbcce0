"""Another console, as a separate process (another operator's machine): `churn-console ARGS…` against a sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start_console(sb, data: Path, operator: str, *argv: str) -> subprocess.Popen:
    """Started, not waited for (two of them race); text stdout and stderr to read once it ends."""
    env = {**os.environ, "STRIPE_API_KEY": sb.key, "CHURN_CONSOLE_OPERATOR": operator}
    return subprocess.Popen(
        [sys.executable, "-m", "console", "--data-dir", str(data), "--api-base", sb.url, *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
