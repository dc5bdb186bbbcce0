"""One demo account per data dir, shared by every window and command on it: a small background sandbox process.

The first process that needs the demo starts it (under a file lock, so two never start two); it writes where it
listens and its restricted key to `demo-server.json` (0600, like every file here), saves the account to
`demo-sandbox.json` after every write (atomically), and stops once no console has used it for a while. Every
later window or command connects to it, so what one does is what the others see, and nothing is lost when one
of them quits (each process once kept its own copy and the last to stop overwrote the others').
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

log = logging.getLogger(__name__)

INFO = "demo-server.json"  # {"url", "key", "pid"} of the running demo server
LOCK = "demo-server.lock"  # held while one process checks for the server or starts it
STATE = "demo-sandbox.json"  # the demo account itself
CLIENTS = "demo-clients"  # one empty file per console process using the demo (its pid)
ARGV_FLAG = "_demo-server"  # `churn-console _demo-server DIR`: how the server process is started (not a command)
IDLE_ENV = "CHURN_CONSOLE_DEMO_IDLE_S"
IDLE_S = 600.0  # no request and no live console for this long: the server saves and stops
START_WAIT_S = 60.0
SAVE_COALESCE_S = 0.2  # writes within this of each other are saved once (each is saved, the last one included)


@dataclass(frozen=True)
class DemoServer:
    url: str
    key: str
    pid: int


def ensure(data_dir: Path) -> DemoServer:
    """The data dir's demo server, started when none answers; registers this process as one of its consoles."""
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(str(data_dir / LOCK), timeout=START_WAIT_S):
            found = running(data_dir)
            if found is None:
                found = _start(data_dir)
            register(data_dir)
            return found
    except Timeout:
        from ..errors import ConsoleError

        raise ConsoleError(
            f"Another churn-console is still starting the demo account in {data_dir}.", "Wait a moment, then try again."
        ) from None


def running(data_dir: Path) -> DemoServer | None:
    """The server `demo-server.json` names, if its process lives and it answers; None otherwise."""
    try:
        info = json.loads((data_dir / INFO).read_text("utf-8"))
        found = DemoServer(str(info["url"]), str(info["key"]), int(info["pid"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not _alive(found.pid):
        return None
    request = urllib.request.Request(f"{found.url}/v1/coupons?limit=1", headers={"Authorization": f"Bearer {found.key}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - a loopback URL this module wrote
            return found if answer.status == 200 else None
    except (OSError, urllib.error.URLError):
        return None


def _start(data_dir: Path) -> DemoServer:
    """Start the server as its own process (it outlives this one) and wait until it says where it listens."""
    (data_dir / INFO).unlink(missing_ok=True)
    command = [sys.executable, ARGV_FLAG, str(data_dir)] if getattr(sys, "frozen", False) else [
        sys.executable, "-m", "console", ARGV_FLAG, str(data_dir)
    ]  # fmt: skip
    detach = {"start_new_session": True} if os.name == "posix" else {"creationflags": 0x00000008}  # DETACHED_PROCESS
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True, **detach
    )
    threading.Thread(target=process.wait, name="demo-server-reaper", daemon=True).start()  # no zombie when it ends
    deadline = time.monotonic() + START_WAIT_S
    while time.monotonic() < deadline:
        found = running(data_dir)
        if found is not None:
            return found
        if process.poll() is not None:
            break
        time.sleep(0.05)
    from ..errors import ConsoleError

    raise ConsoleError(f"The demo account could not be started in {data_dir}.", "See the log in its logs folder, then try again.")


def register(data_dir: Path) -> None:
    """This process uses the demo: the server stays while it lives (a crashed one is noticed by its pid)."""
    folder = data_dir / CLIENTS
    folder.mkdir(exist_ok=True)
    (folder / str(os.getpid())).touch()


def unregister(data_dir: Path) -> None:
    (data_dir / CLIENTS / str(os.getpid())).unlink(missing_ok=True)


def live_clients(data_dir: Path) -> int:
    """Consoles using the demo now; a file left by one that died is removed."""
    count = 0
    for path in (data_dir / CLIENTS).glob("*") if (data_dir / CLIENTS).is_dir() else []:
        if path.name.isdigit() and _alive(int(path.name)):
            count += 1
        else:
            path.unlink(missing_ok=True)
    return count


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process with that pid: not ours, but alive
        return True
    return True


def serve(data_dir: Path, *, seed: int = 7, customers: int = 500) -> int:
    """The server process: the demo account on a free loopback port until idle (or SIGTERM), saved after writes."""
    from .. import logs
    from ..heap import collector_paused
    from ..sandbox.app import Sandbox

    logs.setup(data_dir / "logs")  # what it did, beside the consoles' own logs
    idle_s = float(os.environ.get(IDLE_ENV) or IDLE_S)
    with collector_paused():
        sandbox = Sandbox(seed=seed, customers=customers, state_file=data_dir / STATE)
    dirty = threading.Event()
    stopping = threading.Event()
    sandbox.on_write(dirty.set)

    def save_writes() -> None:
        while not stopping.is_set():
            if dirty.wait(0.5):
                time.sleep(SAVE_COALESCE_S)
                dirty.clear()
                sandbox.save()

    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    sandbox.start()
    saver = threading.Thread(target=save_writes, name="demo-save", daemon=True)
    saver.start()
    info = {"url": sandbox.url, "key": sandbox.key, "pid": os.getpid()}
    tmp = data_dir / f"{INFO}.tmp"
    tmp.write_text(json.dumps(info), "utf-8")
    tmp.replace(data_dir / INFO)
    log.info("demo account for %s listening on %s", data_dir, sandbox.url)
    lock = FileLock(str(data_dir / LOCK), timeout=0)
    try:
        while not stopping.wait(1.0):
            if live_clients(data_dir) or sandbox.idle_for() < idle_s:
                continue
            try:  # decided under the consoles' lock: one registering now keeps the server, never finds it gone
                with lock:
                    if live_clients(data_dir) == 0:
                        _withdraw(data_dir)
                        break
            except Timeout:
                continue
    finally:
        stopping.set()
        _withdraw(data_dir)
        sandbox.stop()  # the last save
    return 0


def _withdraw(data_dir: Path) -> None:
    """No console finds this server any more (its info file, if it is still ours, is removed)."""
    if running_info_pid(data_dir) == os.getpid():
        (data_dir / INFO).unlink(missing_ok=True)


def running_info_pid(data_dir: Path) -> int | None:
    try:
        return int(json.loads((data_dir / INFO).read_text("utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
