"""The queue's rows as the table shows, sorts and filters them: prepared once, without Qt (so a worker builds it).

Large accounts hold 200,000 pending cancellations: every per-row decision the table needs is prepared here as a
numpy array (days left, MRR, codes for currency, reason and plan), sort orders are computed once per column and
kept, and the filter is a few vectorised comparisons plus one substring pass for free text. The view then only
indexes (tests/benchmarks/bench_ui.py). The window's first rows (a head table, `lite`) hold plain lists, sorted and
filtered by Python (head.py): numpy is imported by the worker that prepares the whole queue, not before the first frame.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from ...domain.desk import LAPSE_DAYS, column_words
from ...domain.money import format_money, totals
from ...domain.playbook import REPEAT_MONTHS
from ...domain.queue import QueueRow, currency_rank, tenure_text
from ...domain.queue_filter import NO_ANSWER, QueueFilter, search_text
from ..dates import day_text
from .orders import ARRAYS, arrays, folded, lists, mrr_sort_key, text_order

if TYPE_CHECKING:
    import numpy as np

COLUMNS = (
    "Customer", "Email", "Plan", "MRR", "Days left", "Owner", "Desk", "Reason", "Offer", "Comment", "Tenure", "Status", "Discount",
)  # fmt: skip
MRR_COL = COLUMNS.index("MRR")
_OFFER_COL, _TENURE_COL = COLUMNS.index("Offer"), COLUMNS.index("Tenure")
OWNER_COL, DESK_COL = COLUMNS.index("Owner"), COLUMNS.index("Desk")
# Owner and Desk hold a few distinct texts (the team's names, a handful of states): kept as codes into their texts,
# not in each row's tuple (a million-subscription account's window stays under 600 MB: bench_ui.py)
_CODED = (OWNER_COL, DESK_COL)
# Below this many rows a table is lite (lists, sorted and filtered by Python: a pass over 5,000 rows is a few ms):
# a small queue never imports numpy, whose import on the worker that prepared it stalled the first keys typed while
# a 20,000-subscription window loaded (bench_screen.py). From it on, the columns' orders are also made ahead.
LITE_ROWS = 5_000
_SLOT = {c: i for i, c in enumerate(c for c in range(len(COLUMNS)) if c not in _CODED)}  # column -> place in a row's texts


def desk_words(row: QueueRow, due: bool, today: date, repeat_since: datetime | None = None) -> str:
    """The Desk column: `Due · Waiting for reply · today` (whether it is due, the state, the next follow-up), after
    `Saved before` for a customer the desk saved with a discount since `repeat_since` (the playbook's guardrail)."""
    saved = row.discount_saved_at
    again = saved is not None and repeat_since is not None and saved > repeat_since
    return column_words(row.desk.state, due, row.desk.follow_up, today, saved_before=again, day=day_text)


def _by_end(row: QueueRow) -> tuple[datetime, str]:
    return row.ends_at, row.subscription_id


@dataclass
class Choices:
    """What the filter bar offers: the currencies, plans and custom reasons present in the queue."""

    currencies: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    custom_reasons: list[tuple[str, str]] = field(default_factory=list)  # (fo_… id, its text), by text


class Kept:
    """A shown table, for the next read to take over its rows and texts (PreparedQueue.kept()): no copy, so the
    table is not freed (Retired) until the read lets go of it (release(), from the worker)."""

    def __init__(self, table: PreparedQueue) -> None:
        self.table = table
        self.released = False  # one assignment, from the worker: read by the GUI thread before it frees the table

    def release(self) -> None:
        self.released = True

    def known(self, sub_id: str) -> QueueRow | None:
        j = self.table.ids.get(sub_id)
        return self.table.rows[j] if j is not None else None

    def same(self, row: QueueRow, days: int, offer: str, tenure: int) -> int | None:
        """Where this very row sits in the kept table, when its texts still hold (same day, same offer)."""
        t = self.table
        j = t.ids.get(row.subscription_id)
        if j is None or t.rows[j] is not row or t.days[j] != days:
            return None
        return j if t.display[j][_SLOT[_OFFER_COL]] == offer and t.sort_columns[_TENURE_COL][j] == tenure else None


@dataclass
class PreparedQueue:
    """Rows (pre-sorted by days left, so ties in any column keep the most urgent first) with their cell texts,
    sort keys (one list per column), and the arrays the view sorts, filters and totals with (ARRAYS: numpy arrays,
    or lists while `lite`)."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    rows: list[QueueRow] = field(default_factory=list)
    days: list[int] = field(default_factory=list)
    haystacks: list[str] = field(default_factory=list)
    display: list[tuple[str, ...]] = field(default_factory=list)
    sort_columns: list[list[Any]] = field(default_factory=lambda: [[] for _ in COLUMNS])
    ids: dict[str, int] = field(default_factory=dict)
    choices: Choices = field(default_factory=Choices)
    lite: bool = True  # ARRAYS still lists (a head table, or an empty one): sorted and filtered by head.py
    days_left: Any = field(default_factory=list)
    mrr: Any = field(default_factory=list)
    ends: Any = field(default_factory=list)
    currency_rank: Any = field(default_factory=list)
    currency: Any = field(default_factory=list)
    currency_codes: dict[str, int] = field(default_factory=dict)
    reason: Any = field(default_factory=list)
    reason_codes: dict[str | None, int] = field(default_factory=dict)
    plan: Any = field(default_factory=list)
    plan_codes: dict[str, int] = field(default_factory=dict)
    owner: Any = field(default_factory=list)  # the owner now ("" nobody's), as codes
    owner_codes: dict[str, int] = field(default_factory=dict)
    desk: Any = field(default_factory=list)  # the Desk column's text, as codes
    desk_codes: dict[str, int] = field(default_factory=dict)
    due: Any = field(default_factory=list)  # domain.desk.Desk.due, at `now`
    _texts: dict[int, list[str]] = field(default_factory=dict)  # a coded column's texts, by code
    _orders: dict[tuple[int, bool], np.ndarray] = field(default_factory=dict)
    _keepers: list[Kept] = field(default_factory=list)
    _searched: tuple[QueueFilter, tuple[str, ...], np.ndarray] | None = None  # the last text search (_search)

    def kept(self) -> Kept:
        """This table for a re-read to take over from (copying its lists took the GUI thread 30-50 ms at 200,000)."""
        keeper = Kept(self)
        self._keepers.append(keeper)
        return keeper

    def in_use(self) -> bool:
        """Whether a read still takes over from this table (then it is not freed yet)."""
        self._keepers = [k for k in self._keepers if not k.released]
        return bool(self._keepers)

    @classmethod
    def build(
        cls,
        rows: list[QueueRow],
        now: datetime | None = None,
        offers: dict[str, str] | None = None,
        sort: tuple[int, bool] | None = None,
        kept: Kept | None = None,
        lapse_days: int = LAPSE_DAYS,
        repeat_months: int = REPEAT_MONTHS,
        lite: bool | None = None,
    ) -> PreparedQueue:
        """`offers` maps subscription id -> the playbook's recommendation, as shown in the Offer column; `sort`
        (column, descending) is the order the view shows, computed here so the GUI thread does not. A row the
        cache read back unchanged (the very object `kept` holds, the same day) takes over its texts and keys.
        `lite`: the arrays stay lists (the window's first rows, shown before numpy is imported); by default, below
        LITE_ROWS rows."""
        offers = offers or {}
        lite = len(rows) < LITE_ROWS if lite is None else lite
        table = cls(now or datetime.now(UTC))
        rank = currency_rank(r.currency for r in rows)
        # the cache reads them in this order already (SQLite sorts without holding the GIL the GUI thread needs)
        ordered = all(_by_end(a) <= _by_end(b) for a, b in zip(rows, rows[1:], strict=False))
        table.rows = list(rows) if ordered else sorted(rows, key=_by_end)
        table.days = [r.days_left(table.now) for r in table.rows]
        table.ids = {r.subscription_id: i for i, r in enumerate(table.rows)}
        same = kept.same if kept is not None else (lambda _r, _d, _o, _t: None)
        columns = table.sort_columns
        # the few texts many rows share (days, tenures, statuses, plans, offers) are held once each: a 200,000-row
        # table otherwise keeps a copy a row (comments are the customers' own: not worth a lookup)
        shared: dict[str, str] = {}
        one = shared.setdefault
        for row, days in zip(table.rows, table.days, strict=True):
            tenure = row.tenure_days(table.now)
            offer = one(o, o) if (o := offers.get(row.subscription_id, "")) else ""
            if kept is not None and (j := same(row, days, offer, tenure)) is not None:
                table.display.append(kept.table.display[j])
                table.haystacks.append(kept.table.haystacks[j])
                for column, keys in enumerate(kept.table.sort_columns):
                    if column != MRR_COL and column not in _CODED:  # these sort by the arrays (sort_key makes keys)
                        columns[column].append(keys[j])
                continue
            comment = row.comment or ""
            table.haystacks.append(search_text(row))
            table.display.append(
                (
                    row.display_name if (row.customer_name or row.customer_deleted) else "—",
                    row.email or "",
                    row.plan,
                    # ~: from usage; format_money is memoised, so each amount's text is held once (not a copy a row)
                    ("~" if row.usage_based else "") + format_money(row.mrr_minor, row.currency),
                    one(d := str(days), d),
                    row.reason,
                    offer,
                    comment.replace("\n", " "),
                    one(t := tenure_text(tenure), t),
                    one(st := row.status.replace("_", " "), st),
                    row.discount or "",
                )
            )
            for column, key in enumerate(
                (
                    (row.customer_name or row.email or "").casefold(),
                    folded(row.email or ""),
                    one(pl := row.plan.casefold(), pl),
                    None,  # MRR: sorted by the arrays, its key made when asked (sort_key)
                    int(row.ends_at.timestamp()),
                    None,  # Owner and Desk: sorted by their codes
                    None,
                    row.reason,
                    offer,
                    comment.casefold(),
                    tenure,
                    row.status,
                    row.discount or "",
                )
            ):
                if column != MRR_COL and column not in _CODED:
                    columns[column].append(key)
        vector = lists if lite else arrays(len(table.rows))
        table.days_left = vector(table.days, "int32")
        table.mrr = vector((r.mrr_minor for r in table.rows), "int64")
        table.ends = vector(columns[COLUMNS.index("Days left")], "int64")
        table.currency_rank = vector((rank[r.currency] for r in table.rows), "int32")
        for name, key in (("currency", "currency"), ("reason", "reason_key"), ("plan", "plan")):
            known: dict[Any, int] = getattr(table, f"{name}_codes")  # each value's code: its index among them
            setattr(table, name, vector((known.setdefault(getattr(r, key), len(known)) for r in table.rows), "int32"))
        # the save desk's columns, as codes (no list a row): who owns it now, whether it is due, the Desk text
        now, today, owners, texts = table.now, table.now.date(), table.owner_codes, table.desk_codes
        since = now - relativedelta(months=repeat_months)
        table.due = vector((r.desk.due(r.ends_at, now) for r in table.rows), "bool")
        table.owner = vector((owners.setdefault(r.desk.owner_now(now, lapse_days), len(owners)) for r in table.rows), "int32")
        table.desk = vector(
            (
                texts.setdefault(desk_words(r, bool(d), today, since), len(texts))
                for r, d in zip(table.rows, table.due, strict=True)
            ),
            "int32",
        )
        table.lite = lite
        table._texts = {OWNER_COL: list(owners), DESK_COL: list(texts)}
        custom = {(r.feedback_option, r.feedback_text or r.feedback_option) for r in table.rows if r.feedback_option}
        table.choices = Choices(sorted(table.currency_codes), sorted(table.plan_codes), sorted(custom, key=lambda x: x[1]))
        if sort is not None and not lite:  # a head table is sorted and filtered by Python (head.py)
            table.order(*sort)
        return table

    def as_arrays(self) -> None:
        """The ARRAYS as numpy arrays, once: a lite table asked for a numpy order or filter (the view sorts and filters
        lite tables by Python, head.py; order() and matches() ask for this first)."""
        if not self.lite:
            return
        import numpy as np  # imported when first needed (orders.py)

        for name, kind in ARRAYS.items():
            setattr(self, name, np.asarray(getattr(self, name), dtype=kind))
        self.lite = False

    def dispose(self, step: int = 2000) -> Iterator[None]:
        """Free the rows a couple of thousand at a time, yielding after each step (a fraction of a millisecond):
        the window frees a replaced table between its events, where dropping 200,000 rows at once would hold the
        GUI thread (and the GIL) for a fifth of a second. A worker freeing it made the GUI thread wait as long."""
        lists: list[list[Any]] = [self.rows, self.display, self.haystacks, self.days, *self.sort_columns]
        for rows in lists:
            while rows:
                del rows[-step:]
                yield
        keys = list(self.ids)
        self.ids.clear()
        while keys:
            del keys[-step * 5 :]
            yield

    # the view's questions ------------------------------------------------------------------
    def cell(self, row: int, column: int) -> str:
        """The text a cell holds (the model shows it through domain/text.no_reordering; sorting reads it as it is)."""
        if column in _CODED:
            return self._texts[column][int((self.owner if column == OWNER_COL else self.desk)[row])]
        return self.display[row][_SLOT[column]]

    def sort_key(self, row: int, column: int) -> Any:
        """What the row sorts by in a column (the MRR key is made here: the view sorts MRR by the arrays)."""
        if column == MRR_COL:
            return mrr_sort_key(int(self.currency_rank[row]), int(self.mrr[row]), self.rows[row].ends_at)
        if column in _CODED:
            return self.cell(row, column).casefold()
        return self.sort_columns[column][row]

    def order(self, column: int, descending: bool) -> np.ndarray:
        """Row numbers sorted by a column (stable: ties keep the most urgent first), kept for the next time."""
        key = (column, descending)
        if key not in self._orders:
            self.as_arrays()
            self._orders[key] = self._order(column, descending).astype("int32")
        return self._orders[key]

    def _order(self, column: int, descending: bool) -> np.ndarray:
        import numpy as np  # imported when first needed (orders.py)

        values, n = self.sort_columns[column], len(self.rows)
        if column in _CODED:  # each code's place among its texts (a few), then the rows by it: stable both ways
            texts = [t.casefold() for t in self._texts[column]]
            place = np.empty(len(texts), dtype=np.int64)
            place[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(len(texts))
            keys = place[self.owner if column == OWNER_COL else self.desk] if n else np.zeros(0, np.int64)
            return np.argsort(-keys if descending else keys, kind="stable")
        if column == MRR_COL:  # by currency group (most rows first), then MRR, then the soonest end; or all reversed
            if descending:
                return np.lexsort((self.ends, -self.mrr, self.currency_rank))
            return np.lexsort((-self.ends, self.mrr, -self.currency_rank))
        if values and isinstance(values[0], int):
            numbers = np.asarray(values, dtype=np.int64)
            return np.argsort(-numbers if descending else numbers, kind="stable")
        return text_order(values, descending)

    def warm_orders(self) -> None:
        """Each column's ascending order (a header's first click sorts so), made ahead on a worker once the rows are
        shown: the first click on a text column of 200,000 rows took 96-155 ms, sorting then (bench_screen.py)."""
        for column in range(len(COLUMNS)):
            if column != MRR_COL:
                self.order(column, False)

    def matches(self, criteria: QueueFilter) -> np.ndarray | None:
        """Which rows the filter keeps (a boolean per row), or None when it keeps them all."""
        if not criteria.active:
            return None
        self.as_arrays()
        import numpy as np  # imported when first needed (orders.py)

        keep = np.ones(len(self.rows), dtype=bool)
        if criteria.reason is not None:
            keep &= self.reason == self.reason_codes.get(None if criteria.reason == NO_ANSWER else criteria.reason, -1)
        if criteria.currency:
            keep &= self.currency == self.currency_codes.get(criteria.currency, -1)
        if criteria.plan:
            keep &= self.plan == self.plan_codes.get(criteria.plan, -1)
        if criteria.owner is not None:
            keep &= self.owner == self.owner_codes.get(criteria.owner, -1)
        if criteria.min_days is not None:
            keep &= self.days_left >= criteria.min_days
        if criteria.max_days is not None:
            keep &= self.days_left <= criteria.max_days
        words = tuple(criteria.text.strip().casefold().split())
        if words:
            found = self._search(words, keep, dataclasses.replace(criteria, text=""))
            keep = np.zeros(len(self.rows), dtype=bool)
            keep[found] = True
        return keep

    def _search(self, words: tuple[str, ...], keep: np.ndarray, scope: QueueFilter) -> np.ndarray:
        """The rows among `keep` whose search text holds every word, as row numbers: one word at a time, a plain
        `in` per row through map() (in C, into a boolean array: no Python list of 200,000 numbers to convert).
        Typing narrows: when the last search had the same other criteria (`scope`) and each of its words lies
        inside one of these ("oli" after "ol", "olivia 1" after "olivia"), only the rows it found can match, and
        a word it already had is not looked for again. The first letter searches them all."""
        import numpy as np  # imported when first needed (orders.py)

        hays = self.haystacks
        last = self._searched
        todo = words
        found: np.ndarray | None = None  # None: every row
        if last is not None and last[0] == scope and all(any(p in w for w in words) for p in last[1]):
            found, todo = last[2], tuple(w for w in words if w not in last[1])
            found = None if len(found) == len(hays) else found  # it kept them all ("o"): no list of them to make
        elif not keep.all():
            found = np.flatnonzero(keep)
        for word in todo:
            if found is None:
                found = np.flatnonzero(np.fromiter(map(operator.contains, hays, repeat(word)), dtype=bool, count=len(hays)))
            else:
                some = list(map(hays.__getitem__, found.tolist()))
                found = found[np.fromiter(map(operator.contains, some, repeat(word)), dtype=bool, count=len(some))]
        result = np.arange(len(hays)) if found is None else found
        self._searched = (scope, words, result)  # every row in it holds each of these words
        return result

    def totals(self, rows: Any = None) -> dict[str, int]:
        """MRR summed per currency over `rows` (all when None), never across currencies (as money.totals, which
        sums a head table's)."""
        if self.lite:
            picked = self.rows if rows is None else [self.rows[i] for i in rows]
            return totals((r.mrr_minor, r.currency) for r in picked)
        import numpy as np  # imported when first needed (orders.py)

        codes = self.currency if rows is None else self.currency[rows]
        amounts = self.mrr if rows is None else self.mrr[rows]
        size = len(self.currency_codes)
        counts = np.bincount(codes, minlength=size)
        sums = np.bincount(codes, weights=amounts, minlength=size)  # float64: exact below 2**53 minor units
        return {cur.lower(): int(round(sums[code])) for cur, code in self.currency_codes.items() if counts[code]}
