"""The window's first rows (a head table: a few hundred rows, its arrays plain lists) sorted and filtered by Python,
in the orders and with the matches table.py's numpy paths give the whole queue: numpy is imported on the worker that
prepares the whole queue, not by the GUI thread before the first frame (~70 ms) or at a first key typed while the
rest is read (tests/benchmarks/bench_screen.py)."""

from __future__ import annotations

from ...domain.queue_filter import NO_ANSWER, QueueFilter
from .orders import mrr_sort_key
from .table import DESK_COL, MRR_COL, OWNER_COL, PreparedQueue


def head_view(table: PreparedQueue, criteria: QueueFilter, column: int, descending: bool) -> list[int]:
    """The row numbers shown, in order: those `criteria` keeps, sorted by `column`; "Mine" puts the due ones first."""
    keep = _matches(table, criteria) if criteria.active else None
    view = [i for i in _order(table, column, descending) if keep is None or keep[i]]
    if criteria.due_first:
        view = [i for i in view if table.due[i]] + [i for i in view if not table.due[i]]
    return view


def _order(table: PreparedQueue, column: int, descending: bool) -> list[int]:
    """As PreparedQueue._order: stable both ways (ties keep the most urgent first), as sorted(reverse=...) is."""
    rows = range(len(table.rows))
    if column == MRR_COL:  # by currency group, MRR, the soonest end: the string mrr_sort_key sorts by (np.lexsort's)
        keys = [mrr_sort_key(table.currency_rank[i], table.mrr[i], table.rows[i].ends_at) for i in rows]
        return sorted(rows, key=keys.__getitem__, reverse=descending)
    if column in (OWNER_COL, DESK_COL):  # each code's place among its texts, casefolded
        texts = [t.casefold() for t in table._texts[column]]
        place = {code: n for n, code in enumerate(sorted(range(len(texts)), key=texts.__getitem__))}
        codes = table.owner if column == OWNER_COL else table.desk
        return sorted(rows, key=lambda i: place[codes[i]], reverse=descending)
    return sorted(rows, key=table.sort_columns[column].__getitem__, reverse=descending)


def _matches(table: PreparedQueue, criteria: QueueFilter) -> list[bool]:
    """As PreparedQueue.matches: a boolean per row."""
    wanted = []
    if criteria.reason is not None:
        wanted.append((table.reason, table.reason_codes.get(None if criteria.reason == NO_ANSWER else criteria.reason, -1)))
    if criteria.currency:
        wanted.append((table.currency, table.currency_codes.get(criteria.currency, -1)))
    if criteria.plan:
        wanted.append((table.plan, table.plan_codes.get(criteria.plan, -1)))
    if criteria.owner is not None:
        wanted.append((table.owner, table.owner_codes.get(criteria.owner, -1)))
    low, high, days = criteria.min_days, criteria.max_days, table.days_left
    words = criteria.text.strip().casefold().split()
    return [
        all(codes[i] == code for codes, code in wanted)
        and (low is None or days[i] >= low)
        and (high is None or days[i] <= high)
        and all(word in table.haystacks[i] for word in words)
        for i in range(len(table.rows))
    ]
