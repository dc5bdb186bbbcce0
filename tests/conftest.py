"""Suite-wide setup: Qt offscreen before any Qt import, and no test touches the real home dir."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
