"""How the queue table's columns are held and sorted: numpy arrays (imported where first needed: the window's first
rows are held as lists and shown without it, ui/queue/head.py), the keys a cell sorts by, and text orders."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


# each array a table holds, and its type (a head table holds them as lists: PreparedQueue.as_arrays)
ARRAYS = {
    "days_left": "int32", "mrr": "int64", "ends": "int64", "currency_rank": "int32", "currency": "int32",
    "reason": "int32", "plan": "int32", "owner": "int32", "desk": "int32", "due": "bool",
}  # fmt: skip


def lists(values: Iterable[Any], _kind: str) -> list[Any]:
    """A head table's column: a list (no numpy before the window's first frame)."""
    return list(values)


def arrays(n: int) -> Callable[[Iterable[Any], str], np.ndarray]:
    """A table's column of `n` values: a numpy array, filled from the values one at a time (np.fromiter calls back
    into Python for each, so the GUI thread gets the interpreter between them: an array made from a whole list holds
    it throughout)."""
    import numpy as np

    return lambda values, kind: np.fromiter(values, dtype=kind, count=n)


def folded(text: str) -> str:
    """`text.casefold()`, or `text` itself when that is the same (most e-mails): one string held, not two."""
    lower = text.casefold()
    return text if lower == text else lower


def mrr_sort_key(rank: int, mrr_minor: int, ends_at: datetime) -> str:
    """One string that sorts (descending) by currency group, then MRR, then the soonest end.

    Amounts never compare across currencies; a descending sort reverses ties, so the tiebreak is part of the
    key. Fixed-width digits make string order numeric order.
    """
    return f"{999 - rank:03d}{min(mrr_minor, 10**18 - 1):018d}{10**11 - int(ends_at.timestamp()):011d}"


def text_order(values: list[Any], descending: bool) -> np.ndarray:
    """Row numbers sorted by texts, stable both ways (ties keep their order), as `sorted(reverse=...)` gives them. By
    numpy's argsort on a fixed-width text array, which sorts without holding the GIL (Python's sort of 200,000 names
    held it 79 ms, the GUI thread waiting; the array's making holds it about 26 ms at a time); code point order, as
    Python compares strings. A column holding anything but text, or a NUL (a fixed-width array drops trailing ones),
    is sorted by Python."""
    import numpy as np  # imported when first needed (orders.py)

    n = len(values)
    if not all(isinstance(v, str) and "\x00" not in v for v in values):
        return np.fromiter(sorted(range(n), key=values.__getitem__, reverse=descending), dtype=np.int64, count=n)
    texts = np.array(values, dtype=str) if n else np.zeros(0, dtype="U1")
    if not descending:
        return np.argsort(texts, kind="stable")
    return (n - 1 - np.argsort(texts[::-1], kind="stable"))[::-1]
