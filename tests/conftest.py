"""Suite-wide setup: Qt offscreen before any Qt import, and no test touches the real home dir."""

import json
import os
import tempfile


def _desktop_sized_offscreen() -> None:
    """Offscreen, on a 1920×1200 screen like a desktop's (the plugin's own is 800×600, smaller than the window's
    minimum, so Qt would clamp every window and restored geometry to it)."""
    platform = os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if platform != "offscreen":
        return
    screen = {"name": "desktop", "x": 0, "y": 0, "width": 1920, "height": 1200, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    path = os.path.join(tempfile.gettempdir(), f"churn-console-offscreen-{os.getuid()}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"screens": [screen]}, handle)
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={path}"


_desktop_sized_offscreen()
# A demo account's server (services/demo_server.py) stops 3 s after its last console, not 10 minutes: the tests'
# data dirs are thrown away, and their servers with them.
os.environ.setdefault("CHURN_CONSOLE_DEMO_IDLE_S", "3")


def _reliability_dir(config):
    from pathlib import Path

    from tests.support.reliability import counters_dir

    return counters_dir(Path(str(config.rootpath)))


def pytest_sessionstart(session):
    """The controller (not xdist workers) starts each run with empty reliability counters."""
    if not hasattr(session.config, "workerinput"):
        import shutil

        shutil.rmtree(_reliability_dir(session.config), ignore_errors=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The reliability tests' table: faults injected, syncs compared, actions, duplicates, lost updates, fuzz cases."""
    directory = _reliability_dir(config)
    if not directory.exists():
        return
    from tests.support.reliability import table

    terminalreporter.section("reliability summary")
    for line in table(directory):
        terminalreporter.write_line(line)


import pytest  # noqa: E402


@pytest.fixture
def process_hooks():
    """Code under test installs a crash handler and a log file: put the test process back as it was."""
    import logging
    import sys
    import threading

    root = logging.getLogger()
    saved = sys.excepthook, threading.excepthook, list(root.handlers)
    yield
    sys.excepthook, threading.excepthook = saved[0], saved[1]
    for handler in set(root.handlers) - set(saved[2]):
        handler.close()
        root.removeHandler(handler)
