"""Keep Python's cyclic garbage collector off large heaps, so the window never waits on it: paused while a sync
or a read of the queue allocates, and what stays (the table shown) moved out of its reach."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """A full sync allocates hundreds of thousands of short-lived objects that reference counting frees.

    A full collection while they are alive walks all of them, holding the GIL for 50-100 ms, which
    the GUI thread feels as a stall (tests/benchmarks/bench_ui.py measures it). Paused for the
    sync (overlapping syncs share one pause); the collector runs again, on a small heap, after it.
    """
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()


def out_of_reach() -> None:
    """Move every object alive now out of the collector's reach (gc.freeze: no collection, no walk). Called
    after the window swaps in a table: the next full collection then never walks 200,000 rows while holding
    the GIL. Reference counting still frees them when the table is replaced (the rows hold no cycles)."""
    gc.freeze()
