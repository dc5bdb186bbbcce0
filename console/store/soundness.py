"""When a database file was last found sound by SQLite's check: the file's stamp then, kept beside it (NAME.sound).

SQLite's quick_check reads the whole file (1.2 s of a core at a million subscriptions, 790 MB). A file that has not
changed since it passed needs no second pass: the console checks once after each change, not at every open. The stamp
is the file's device, inode, size and modification time (and its WAL's, while the WAL holds anything); a write, a
file moved or copied in, or one replaced by another all change it, and the check runs again. A file written in the
last SETTLED_S seconds has no stamp: a filesystem keeps modification times to a clock tick (4 ms on Linux), and a
second write within the tick of the first would leave the time as it was."""

from __future__ import annotations

import os
import time
from pathlib import Path

SUFFIX = ".sound"
SETTLED_S = 2


def stamp(path: Path) -> str | None:
    """What identifies the file's content now without reading it; None when it cannot be read (gone, no access) or
    was written in the last SETTLED_S seconds."""
    try:
        st = path.stat()
    except OSError:
        return None
    parts = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns]
    times = [st.st_mtime_ns]
    try:
        wal = path.with_name(path.name + "-wal").stat()
    except OSError:
        wal = None
    if wal is not None and wal.st_size:  # an empty WAL is what any reader's open leaves: no content of its own
        parts += [wal.st_size, wal.st_mtime_ns]
        times.append(wal.st_mtime_ns)
    if time.time_ns() - max(times) < SETTLED_S * 10**9:
        return None
    return ":".join(map(str, parts))


def record(path: Path) -> Path:
    return path.with_name(path.name + SUFFIX)


def known_sound(path: Path, now: str | None = None) -> bool:
    """Whether the file passed SQLite's check as it is now (unchanged since); `now`: its stamp, when taken already."""
    now = now or stamp(path)
    try:
        return now is not None and record(path).read_text(encoding="ascii") == now
    except (OSError, ValueError):
        return False


def remember_sound(path: Path, before: str | None) -> None:
    """The file passed the check as it was at `before` (its stamp taken before the check began: a write during the
    check leaves a stamp that no longer matches). Not written where the folder is read-only: checked again then."""
    if before is None:
        return
    target = record(path)
    part = target.with_name(f"{target.name}.{os.getpid()}")
    try:
        part.write_text(before, encoding="ascii")
        os.replace(part, target)
    except OSError:
        part.unlink(missing_ok=True)


def forget(path: Path) -> None:
    """The file is gone or set aside: what was said of it no longer holds."""
    try:
        record(path).unlink(missing_ok=True)
    except OSError:
        pass
