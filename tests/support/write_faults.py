"""Fail one SQLite write at a chosen point, as SQLite's own anomaly tests fail each I/O in turn.

https://sqlite.org/testing.html ("I/O error testing", "out-of-memory testing"): run the operation once counting
its write points, then once per point with that point failing, and check the database after each. Here a write
point is a statement that changes the file (INSERT, UPDATE, DELETE, REPLACE, COMMIT) at one place in the
console's code: the store's line that runs it, and the first line outside the store that asked for it (the
same store helper called from two places is two sites). Every connection the console opens while `injected()`
is active goes through FaultyConnection (sqlite3.connect's documented `factory` argument).
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CONSOLE = str(Path(__file__).resolve().parents[2] / "console") + "/"
STORE = CONSOLE + "store/"
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "COMMIT")
PASS_THROUGH = ("transaction", "_write", "atomic", "__exit__", "__enter__")

# The two ways a write fails that is not the console's fault: the disk is full, or another program holds the
# lock past the busy timeout (https://sqlite.org/rescode.html: SQLITE_FULL 13, SQLITE_BUSY 5).
ERRORS = {
    "SQLITE_FULL": (sqlite3.SQLITE_FULL, "database or disk is full"),
    "SQLITE_BUSY": (sqlite3.SQLITE_BUSY, "database is locked"),
}


def failure(kind: str) -> sqlite3.OperationalError:
    code, text = ERRORS[kind]
    exc = sqlite3.OperationalError(text)
    exc.sqlite_errorcode = code  # type: ignore[attr-defined]  # what the sqlite3 module sets on its own errors
    exc.sqlite_errorname = kind  # type: ignore[attr-defined]
    return exc


@dataclass
class Plan:
    """Counting (target None) or failing the `target` = (site, n)th write once, with `kind`'s error."""

    target: tuple[str, int] | None = None
    kind: str = "SQLITE_FULL"
    counts: Counter = field(default_factory=Counter)
    fired: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def before(self, sql: str) -> None:
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if verb not in WRITES:
            return
        site = f"{_site(sys._getframe(2))} {verb}"
        with self.lock:
            self.counts[site] += 1
            if not self.fired and self.target == (site, self.counts[site]):
                self.fired = True
                raise failure(self.kind)


def _site(frame) -> str:
    """`store line <- caller line`: the innermost console line that ran the statement, and the first line
    outside the store (and outside transaction plumbing) that asked for it."""
    inner = outer = None
    while frame is not None:
        name = frame.f_code.co_filename
        if name.startswith(CONSOLE) and frame.f_code.co_name not in PASS_THROUGH:
            here = f"{name[len(CONSOLE) :]}:{frame.f_lineno}"
            inner = inner or here
            if not name.startswith(STORE):
                outer = here
                break
        frame = frame.f_back
    return f"{inner} <- {outer}" if outer and outer != inner else str(inner)


PLAN: list[Plan] = [Plan()]  # the plan in force (a list: FaultyConnection reads it at each statement)


class FaultyConnection(sqlite3.Connection):
    def execute(self, sql, *args):  # type: ignore[override]
        PLAN[0].before(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):  # type: ignore[override]
        PLAN[0].before(sql)
        return super().executemany(sql, *args)


@contextmanager
def injected(monkeypatch, plan: Plan) -> Iterator[Plan]:
    """Every connection opened inside goes through FaultyConnection under `plan`."""
    real = sqlite3.connect

    def connect(*args, **kwargs):
        kwargs.setdefault("factory", FaultyConnection)
        return real(*args, **kwargs)

    PLAN[0] = plan
    with monkeypatch.context() as m:
        m.setattr(sqlite3, "connect", connect)
        try:
            yield plan
        finally:
            PLAN[0] = Plan()


def points(counts: Counter) -> list[tuple[str, int]]:
    """Each site at its first, a middle and its last occurrence (fewer when it ran fewer times)."""
    out = []
    for site, n in sorted(counts.items()):
        out += [(site, k) for k in sorted({1, (n + 1) // 2, n})]
    return out
