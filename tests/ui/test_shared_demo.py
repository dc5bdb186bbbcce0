"""One demo account per data dir, shared by the window and every command on it (services/demo_server.py): a take
made from the CLI while the window is open is on the window's account, the window's save is on the CLI's, and
after the window quits (and the idle server stops) both are still there when the account starts again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from console.services import demo_server
from console.services.session import connector
from console.ui.dialogs.consent import ConsentDialog
from console.ui.main_window import MainWindow
from tests.ui.gestures import active, answer, click_row, sequence, shown


def _cli(data, *argv: str) -> tuple[int, str, str]:
    env = {**os.environ, "CHURN_CONSOLE_OPERATOR": "Casey (CLI)"}
    done = subprocess.run(
        [sys.executable, "-m", "console", "--demo", "--data-dir", str(data), *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def _queue(data) -> dict[str, dict]:
    code, out, err = _cli(data, "queue", "--format", "json")
    assert code == 0, err
    return {r["subscription"]: r for r in json.loads(out)}


def _window(qtbot, data) -> MainWindow:
    window = MainWindow(connector(data, demo=True, profile=None, api_base=None), data)
    qtbot.addWidget(window)
    done: list = []
    window.synced.connect(done.append)
    window.sync_failed.connect(done.append)
    window.show()
    qtbot.waitUntil(lambda: bool(done) and not window.runner.busy, timeout=60000)
    assert not isinstance(done[0], Exception), done[0]
    window.context.set_operator("Dana (window)")
    return window


def _save_first_coupon_row(qtbot, window, skip: set[str]) -> str:
    active(qtbot, window)
    at = next(
        i for i, r in enumerate(shown(window)) if window.recommendation(r).kind == "coupon" and r.subscription_id not in skip
    )
    click_row(window.queue.table, at)
    row = window.queue.selected_rows()[0]
    answer(ConsentDialog, lambda d: d.ok.click())
    with qtbot.waitSignal(window.controller.applied, timeout=30000):
        sequence(window, "Ctrl+Enter")
    return row.subscription_id


def _stopped(data) -> None:
    """The window quit: with no console left, the server saves the account and stops (3 s idle in the tests)."""
    pid = demo_server.running_info_pid(data)
    assert pid is not None
    deadline = time.monotonic() + 30  # watched without a request (a request is a use: it would keep it up)
    while time.monotonic() < deadline and (demo_server.running_info_pid(data) or _alive(pid)):
        time.sleep(0.2)
    assert demo_server.running_info_pid(data) is None and not _alive(pid), "the demo server outlived its last console"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not open(f"/proc/{pid}/stat").read().split()[2] == "Z" if os.path.exists(f"/proc/{pid}/stat") else True


@pytest.mark.parametrize("first", ["window", "cli"])
def test_the_window_and_the_cli_share_one_demo_account_and_nothing_is_lost(qtbot, tmp_path, first):
    data = tmp_path / "demo"
    if first == "cli":
        assert _cli(data, "sync")[0] == 0  # the CLI starts the account's server
        server = demo_server.running(data)
        window = _window(qtbot, data)
        assert demo_server.running(data) == server  # the window joined it: one account
    else:
        window = _window(qtbot, data)
    taken = shown(window)[-1].subscription_id  # a row from the window's own queue
    code, out, err = _cli(data, "take", taken)
    assert code == 0, err  # the CLI's account holds the window's rows
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=20000)
    model = window.queue.model
    assert model.rows[model.row_of(taken)].desk.owner == "Casey (CLI)"  # the window sees the CLI's take
    saved = _save_first_coupon_row(qtbot, window, {taken})
    assert _cli(data, "sync")[0] == 0
    assert saved not in _queue(data)  # the CLI sees the window's save
    window.close()
    _stopped(data)
    after = _queue(data)  # a new start of the account, from what was saved
    assert after[taken]["owner"] == "Casey (CLI)" and saved not in after
    assert _cli(data, "sync")[0] == 0
    after = _queue(data)
    assert after[taken]["owner"] == "Casey (CLI)" and saved not in after  # and on the restarted account itself
    code, out, _ = _cli(data, "journal", "--format", "json")
    assert any(a["subscription_id"] == saved and a["state"] == "applied" for a in json.loads(out))
