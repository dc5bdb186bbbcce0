"""Output to a closed pipe (`churn-console journal | head -1`) ends quietly with status 0, no crash report."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("argv", [["journal"], ["queue", "--format", "json"], ["--help"]])
def test_a_closed_pipe_ends_quietly(sandbox, tmp_path, argv):
    env = {**os.environ, "STRIPE_API_KEY": sandbox.key, "CHURN_CONSOLE_OPERATOR": "Dana"}
    base = [sys.executable, "-m", "console", "--data-dir", str(tmp_path), "--api-base", sandbox.url]
    subprocess.run([*base, "sync"], env=env, check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen([*base, *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err and "crash" not in err.lower()
    assert not list(tmp_path.rglob("crash-*"))
