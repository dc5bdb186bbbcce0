"""Ctrl+C (SIGINT) and SIGTERM (a logout, a shutdown) end the window as File → Quit does: its layout is saved and it
lets go of the shared demo account (an abrupt end skipped both)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest


def _ready(data) -> bool:
    """The window's first sync has stored the demo account's queue."""
    import sqlite3

    for path in data.glob("acct_*.sqlite3"):
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
            try:
                return db.execute("SELECT value FROM meta WHERE key = 'last_sync_at'").fetchone() is not None
            finally:
                db.close()
        except sqlite3.Error:
            return False
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_ends_the_window_in_order_and_the_demo_account_is_saved(tmp_path, sig):
    data = tmp_path / "data"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "--demo", "--data-dir", str(data)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not _ready(data) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, proc.communicate()[1]
    registered = data / "demo-clients" / str(proc.pid)
    assert registered.exists()  # the window uses the data dir's demo account
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert not registered.exists()  # File → Quit's path: the connection closed, the demo server may stop when idle
    assert "geometry" in (data / "settings.ini").read_text("utf-8").lower()  # and the layout saved


def test_the_window_hands_the_gil_over_quickly_to_paint_while_a_worker_reads(qapp):
    """Issue 32: every cell the table paints calls Python, each call waiting for the GIL a worker holds; at Python's
    default 5 ms switch interval a repaint during a 200,000-row read froze the window 1.4-2.4 s (0.3 s at 0.5 ms)."""
    import sys

    from console.ui.app import SWITCH_INTERVAL_S, application

    application()
    assert sys.getswitchinterval() == SWITCH_INTERVAL_S <= 0.001


def test_the_refresh_cycle_runs_while_side_work_fills_the_shared_pool(qtbot):
    """Issue 32: the connect waited behind a large queue's read and the lookups in the shared pool (two threads on two
    cores), and a failed connect's banner came 4 s late. The cycle has a thread of its own."""
    import threading

    from console.ui.workers import Runner

    runner = Runner()
    release = threading.Event()
    side = max(2, runner.pool.maxThreadCount())
    for _ in range(side):  # every shared thread busy, as a long read and lookups keep them
        runner.submit_side(lambda: release.wait(10), lambda _r: None, lambda _e: None)
    done = []
    try:
        runner.submit(lambda: "connected", done.append, done.append)
        qtbot.waitUntil(lambda: done == ["connected"], timeout=3000)
    finally:
        release.set()
        runner.wait(5000)
