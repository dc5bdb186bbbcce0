"""One action at a time per subscription on this machine: an OS file lock (filelock) that dies with its process.

Held from the re-read to the journal's last word, so a second console (another process, or another thread of
the window) waits, re-reads, and sees what the first one did. Also the cross-process "being sent" marker: an
interrupted action whose lock is held is still being sent by a live process and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConsoleError

if TYPE_CHECKING:
    from filelock import FileLock

WAIT_S = 30.0  # longer than one action with its retries takes


class SubscriptionBusy(ConsoleError):
    """Another console on this machine is acting on the subscription and did not finish in time."""


class SubscriptionLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _lock(self, sub_id: str, wait_s: float) -> FileLock:
        from filelock import FileLock  # when a lock is first taken, not before the window's first frame (10 ms)

        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        safe = "".join(c if c.isalnum() or c == "_" else "-" for c in sub_id)
        return FileLock(self.folder / f"{safe}.lock", timeout=wait_s)

    @contextmanager
    def held(self, sub_id: str, wait_s: float = WAIT_S) -> Iterator[None]:
        """Wait (up to `wait_s`) until no other console acts on `sub_id`, then act alone."""
        from filelock import Timeout

        lock = self._lock(sub_id, wait_s)
        try:
            lock.acquire()
        except Timeout:
            raise SubscriptionBusy(
                f"Another churn-console on this machine is still acting on {sub_id} after {wait_s:.0f} s.",
                "Nothing was sent. Try again in a moment; the journal shows what the other one did.",
            ) from None
        try:
            yield
        finally:
            lock.release()

    @contextmanager
    def if_free(self, sub_id: str) -> Iterator[bool]:
        """Hold the lock only if nobody holds it now; yields whether it is held (False: someone is sending)."""
        from filelock import Timeout

        lock = self._lock(sub_id, 0)
        try:
            lock.acquire()
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()
