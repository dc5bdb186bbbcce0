"""The store's SQLite connection with the calls it makes on it; sqlite-utils imported at the first table write."""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

Params = Sequence[Any] | dict[str, Any] | None


class Database:
    """Reads run on the connection itself; `table()` and `atomic()` are sqlite-utils', on the same connection.

    A read needs nothing of sqlite-utils, and importing it (with click, pluggy and dateutil) took 45 ms of each
    start: of the window's before its first frame, of `queue` and `report` before their first row. It is imported
    when something first writes through it. The connection is in autocommit mode (isolation_level None, as
    schema.open_file makes it), where sqlite-utils' execute() runs the statement as it is: execute() here does
    the same without it (sqlite_utils/db.py, Database.execute: its commit applies only to an implicit transaction,
    which autocommit never opens)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        if conn.isolation_level is not None:
            raise ValueError("the store's connections are in autocommit mode (isolation_level=None)")
        self.conn = conn
        self._utils: sqlite_utils.Database | None = None
        self._made = threading.Lock()

    def execute(self, sql: str, parameters: Params = None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Params = None) -> Iterator[dict[str, Any]]:
        """Each row as a dict of its columns (sqlite-utils' Database.query)."""
        cursor = self.execute(sql, params or ())
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row, strict=True))

    def atomic(self) -> AbstractContextManager[sqlite_utils.Database]:
        """A transaction, or a savepoint inside one (sqlite-utils' Database.atomic)."""
        return self.utils.atomic()

    def table(self, name: str) -> sqlite_utils.db.Table:
        return self.utils.table(name)

    @property
    def utils(self) -> sqlite_utils.Database:
        """sqlite-utils' Database on this connection, made (and the library imported) at its first use."""
        with self._made:
            if self._utils is None:
                # Without sqlite-utils' plugins: loading them scans every installed package's entry points (150 ms,
                # bench_startup.py), and a plugin would run its code on the cache's connection; none is used.
                self._utils = sqlite_utils_module().Database(self.conn, execute_plugins=False)
            return self._utils


_importing = threading.Lock()


def sqlite_utils_module(*, beside_reads: bool = False) -> ModuleType:
    """sqlite-utils, imported without numpy when that is safe.

    It imports numpy, when installed, only to convert numpy values given to its insert() and to guess column types
    from them (sqlite_utils/db.py); the console writes through its own values and never gives it one. So while no
    other thread runs, numpy is hidden as sqlite-utils is imported (it then goes without, as where numpy is absent):
    50 ms of a command's first write. With other threads alive it is imported as it is: hiding numpy then could
    fail another thread's `import numpy` (the window's charts and its queue table are prepared on workers). A Qt
    process counts as one with threads: QThreadPool's workers are not Python threads, and active_count() misses them.
    `beside_reads`: the caller vouches that the other threads alive only read from Stripe (a sync's opening reads and
    its account check: services/workspace.py), which never import numpy (pyproject's import contracts keep numpy to
    the window): a first sync's import went with numpy, 50-60 ms of the GIL while its first requests were sent."""
    with _importing:
        threads = threading.active_count() > 1 and not beside_reads
        if "sqlite_utils" in sys.modules or "numpy" in sys.modules or threads or "PySide6" in sys.modules:
            import sqlite_utils as found

            return found
        sys.modules["numpy"] = None  # type: ignore[assignment]  # `import numpy` raises ImportError meanwhile
        try:
            import sqlite_utils as found
        finally:
            del sys.modules["numpy"]
        return found
