"""Files that hold customers are the user's only: 0600 files and 0700 folders, under --data-dir too, whatever
the user's umask (the window's settings included)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys


def _loose(root) -> list[str]:
    out = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if (path.is_dir() and mode != 0o700) or (path.is_file() and mode != 0o600):
            out.append(f"{path.relative_to(root.parent)} {oct(mode)}")
    return out


def test_data_logs_settings_and_exports_are_owner_only(sandbox, tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")} | {
        "HOME": str(home),
        "STRIPE_API_KEY": sandbox.key,
        "CHURN_CONSOLE_OPERATOR": "Dana",
        "QT_QPA_PLATFORM": "offscreen",
    }
    data = home / "churn-data"  # a --data-dir that does not exist yet

    def run(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", "import os, sys; os.umask(0o022); from console.cli import main; sys.exit(main())", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )

    base = ["--data-dir", str(data), "--api-base", sandbox.url]
    assert run(*base, "sync").returncode == 0
    sub = sandbox.state.ordered("subscription")
    pending = next(s["id"] for s in sub if s["cancel_at_period_end"] and s["status"] == "active")
    assert run(*base, "revoke", pending, "--consent", "call").returncode == 0
    exported = run(*base, "portal", "export", sandbox.state.ordered("billing_portal.configuration")[0]["id"])
    assert exported.returncode == 0
    assert run(*base, "--smoke").returncode == 0  # the window: its settings file as well
    assert list(data.glob("*.sqlite3")) and list(data.rglob("*.log*"))
    assert _loose(home) == []
