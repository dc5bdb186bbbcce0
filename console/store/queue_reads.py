"""The queue read from the cache: QueueRow objects for the window (which searches and sorts them in place), and
for the CLI each pending cancellation one JSON object built by SQLite (a 200,000-row queue in about a second)."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

from ..domain import desk
from ..domain.feedback import NO_ANSWER, PORTAL_LABELS, label
from ..domain.money import format_money
from ..domain.queue import DASHBOARD, RECORD_FIELDS, QueueRow, rank_of_counts
from ..domain.text import text_chunks
from . import rows

_ISO = "strftime('%Y-%m-%dT%H:%M:%S+00:00', {}, 'unixepoch')"  # what datetime.isoformat() writes for a whole UTC second
_DAYS_LEFT = "CASE WHEN s.ends_at > :now THEN (s.ends_at - :now) / 86400 ELSE 0 END"  # whole days, never negative
# the survey's labels in SQL (its eight codes; any other code through label(), as an SQL function)
_LABEL = (
    f"CASE coalesce(s.feedback, '') WHEN '' THEN '{NO_ANSWER}' "
    + " ".join(f"WHEN '{code}' THEN '{text.replace(chr(39), chr(39) * 2)}'" for code, text in PORTAL_LABELS.items())
    + " ELSE reason_label(s.feedback) END"
)


def _desk(key: str) -> str:
    """A save-desk key from the metadata (domain/desk.py); most rows have none, and instr() says so cheaply."""
    return f"CASE WHEN instr(s.metadata, '{desk.PREFIX}') THEN json_extract(s.metadata, '$.{key}') END"


# The owner as domain.desk.Desk.owner_now says: none once the last desk change is older than :lapse seconds (its
# time is the last 25 characters of the `last` key: an ISO time with its offset, which strftime reads).
_LAST_AT = f"CAST(strftime('%s', substr({_desk(desk.LAST)}, -25)) AS INTEGER)"
_OWNER = f"CASE WHEN coalesce({_desk(desk.OWNER)}, '') <> '' AND :now - coalesce({_LAST_AT}, :now) <= :lapse THEN {_desk(desk.OWNER)} END"
_DUE = (
    f"(coalesce({_desk(desk.FOLLOW_UP)}, '') <> '' AND {_desk(desk.FOLLOW_UP)} <= :today)"
    f" OR ({_desk(desk.CONTACT)} IS NULL AND s.ends_at - :now < {(desk.URGENT_DAYS + 1) * 86400})"
)  # Desk.due: the follow-up date has come, or three or fewer days left with no contact yet

_VALUES = {  # RECORD_FIELDS, each as SQL
    "subscription": "s.id",
    "customer": "s.customer_id",
    "name": "s.customer_name",
    "email": "s.customer_email",
    "customer_deleted": "json(CASE WHEN s.customer_deleted THEN 'true' ELSE 'false' END)",
    "plan": "s.plan",
    "status": "s.status",
    "mrr_minor": "s.mrr_minor",
    "currency": "s.currency",
    "mrr": "money(s.mrr_minor, s.currency)",
    # a metered price's MRR is what its latest invoice charged (docs/mrr.md): the window marks it `~`, so does the CLI
    "mrr_usage_based": "json(CASE WHEN s.mrr_usage THEN 'true' ELSE 'false' END)",
    "cancel_at": _ISO.format("s.ends_at"),
    # "asked on" is when the customer asked (their open intent), not when an undo set the cancellation again
    "requested_at": _ISO.format(
        "coalesce((SELECT MIN(scheduled_at) FROM intents WHERE subscription_id = s.id AND resolution = 'pending'), s.canceled_at)"
    ),
    "days_left": _DAYS_LEFT,
    "feedback": "s.feedback",
    "reason": f"CASE WHEN s.feedback_text <> '' THEN s.feedback_text ELSE {_LABEL} END",
    "comment": "s.comment",
    "tenure_days": "CASE WHEN s.created < :now THEN (:now - s.created) / 86400 ELSE 0 END",
    "discount": "CASE WHEN s.coupon_ids = '[]' THEN NULL ELSE (SELECT group_concat(value, ', ') FROM json_each(s.coupon_ids)) END",
    "dashboard_url": ":dashboard || s.id",
    "owner": _OWNER,
    "owner_since": _desk(desk.SINCE),
    "desk_state": f"coalesce({_desk(desk.STATE)}, 'new')",
    "due": f"json(CASE WHEN {_DUE} THEN 'true' ELSE 'false' END)",  # Desk.due, the window's bold rows
    "follow_up": _desk(desk.FOLLOW_UP),
    "last_contact": _desk(desk.CONTACT),
    "note": _desk(desk.NOTE),
    "discount_saved_at": _ISO.format(
        "(SELECT MAX(resolved_at) FROM intents WHERE subscription_id = s.id AND resolution = 'saved' AND offer LIKE 'coupon:%')"
    ),
}
assert tuple(_VALUES) == RECORD_FIELDS
_RECORD = "json_object(" + ", ".join(f"'{name}', {sql}" for name, sql in _VALUES.items()) + ")"
# The pending rows by their rowids, in rowid order: SQLite then reads the table's pages in file order, each once
# (a page holds about eight rows), where the pending index's order (by end) jumps about the file, a page read per
# row: the window's whole read 1.33 -> 1.04 s, queue_json's 2.3 -> 2.0 s at 200,000 pending (this machine, one run).
PENDING_ROWS = "rowid IN (SELECT rowid FROM subscriptions WHERE pending = 1)"
# A row's open intent and last coupon save are looked up by the intents' (subscription_id, resolution) index as the row
# is made, not joined from two GROUP BYs over every intent: with two years of history (560,000 intents) the joins cost
# 0.6 s more, paid twice (the currency counts read them too). Measured with tests/benchmarks/synthetic.add_history.
_FROM = f"FROM subscriptions s WHERE s.{PENDING_ROWS}"


def _among(ids: list[str] | None) -> tuple[str, list[str]]:
    """`AND subscription_id IN (…)` for these ids (none: matches nothing), or no condition for None."""
    if ids is None:
        return "", []
    return (f" AND subscription_id IN ({','.join('?' * len(ids))})" if ids else " AND 0"), list(ids)


class JsonSpool:
    """JSON texts, one a line, kept in a temporary file (never named on disk, gone when closed) in the order they
    are to be printed, and read back a chunk at a time: a large queue is never held whole."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.count = 0

    def write_blocks(self, blocks: Iterable[bytes]) -> None:
        """Append blocks of whole lines (UTF-8, each line ending in a newline) in order."""
        for block in blocks:
            self.file.write(block)
            self.count += block.count(b"\n")
        self.file.flush()

    def __len__(self) -> int:
        return self.count

    def lines(self) -> list[str]:
        """Every text at once (for a few: the desk's alerts, tests)."""
        return [line for chunk in self.chunks() for line in chunk]

    def chunks(self, size: int = 4096, block: int = 1 << 22) -> Iterator[list[str]]:
        """The texts in order, at most `size` at a time (read and decoded a few MB at once, then split)."""
        return text_chunks(self.blocks(block), size)

    def blocks(self, block: int = 1 << 22) -> Iterator[bytes]:
        """The file as it is (UTF-8, a text a line) a few MB at a time, each block whole lines ending in a newline."""
        self.file.seek(0)
        rest = b""
        while data := self.file.read(block):
            data = rest + data
            end = data.rfind(b"\n") + 1  # whole lines only: the rest waits for the next block
            rest = data[end:]
            if end:
                yield data[:end]
        if rest:  # a last text written without its newline (never by write(): said for safety)
            yield rest + b"\n"

    def close(self) -> None:
        self.file.close()

    def __enter__(self) -> JsonSpool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class QueueReads:
    """Mixed into Cache, which reads with its own lock and connection (declared here, for mypy)."""

    livemode: bool
    db: Any
    _each: Any
    _query: Any
    _plain: Any
    _batches: Any
    _lock: Any

    def pending_by_currency(self) -> dict[str, int]:
        """How many pending cancellations each currency has (from the pending rows' MRR index alone)."""
        found = self._query("SELECT currency, count(*) AS n FROM subscriptions WHERE pending = 1 GROUP BY currency")
        return {g["currency"]: g["n"] for g in found}

    def queue(
        self,
        head: int | None = None,
        known: Callable[[str], QueueRow | None] | None = None,
        groups: dict[str, int] | None = None,
    ) -> list[QueueRow]:
        """Every pending cancellation, soonest end first (the views sort again as they show). With `head`, only
        the first `head` rows in the window's default order (MRR, in currency groups by size), read from the
        index in milliseconds: what the window shows before it has read the rest. "Asked on" is when the
        customer asked (their open intent), not when an undo set the cancellation again (Stripe's `canceled_at`).
        `known(id)`: a row the caller holds, returned in place of an equal one read (the window's shown rows);
        `groups`: pending_by_currency() as the caller read it for its total (not counted twice)."""
        if head is None:
            found: Iterable[Any] = self._each(
                f"SELECT {rows.QUEUE_COLUMNS} FROM subscriptions WHERE {PENDING_ROWS} ORDER BY ends_at, id"
            )
        else:
            counted = self.pending_by_currency() if groups is None else groups
            found = []
            for currency in rank_of_counts(counted):  # the window's order: the currency with the most rows first
                if len(found) >= head:
                    break
                found += self._each(
                    f"SELECT {rows.QUEUE_COLUMNS} FROM subscriptions WHERE pending = 1 AND currency = ?"
                    f" ORDER BY mrr_minor DESC, ends_at LIMIT {int(head) - len(found)}",
                    [currency],
                )
        return self._finished(found, None if head is None else [r["id"] for r in found], known)

    def queue_row_of(self, sub_id: str) -> QueueRow | None:
        """One pending cancellation as the queue shows it (for an e-mail or a command about one row: reading the
        whole queue of a large account for it took seconds), or None when it is not pending."""
        found = list(self._each(f"SELECT {rows.QUEUE_COLUMNS} FROM subscriptions WHERE pending = 1 AND id = ?", [sub_id]))
        return next(iter(self._finished(found, [sub_id])), None)

    def _finished(
        self, found: Iterable[Any], ids: list[str] | None, known: Callable[[str], QueueRow | None] | None = None
    ) -> list[QueueRow]:
        """The rows read, each with when the customer asked (their open intent) and its last discount save; `ids`:
        the rows' ids when only some were read (their intents read by the index), None for the whole queue."""
        where, params = _among(ids)
        asked = {
            r["subscription_id"]: r["at"]
            for r in self._query(
                f"SELECT subscription_id, MIN(scheduled_at) AS at FROM intents WHERE resolution = 'pending'{where}"
                " GROUP BY subscription_id",
                params,
            )
        }
        saves = self.discount_saves(ids)
        out = []
        for r in found:
            row = rows.queue_row(r, self.livemode)
            when = asked.get(row.subscription_id)
            if when and rows.epoch(row.requested_at) != when:
                row = dataclasses.replace(row, requested_at=rows.utc(when))
            if (save := saves.get(row.subscription_id)) is not None:
                row = dataclasses.replace(row, discount_saved_at=rows.utc(save[0]), discount_saved_offer=save[1])
            if known is not None and (same := known(row.subscription_id)) == row:
                row = same  # the caller's equal row: the one just read is freed at once
            out.append(row)
        return out

    def discount_saves(self, ids: list[str] | None = None) -> dict[str, tuple[int, str]]:
        """Each subscription's latest save by the desk with a discount (intents saved with a `coupon:` offer): when,
        and the offer; of `ids` only (read by the intents' subscription index: a save's click and the first rows
        ask for a few), or the whole account's. The guardrail against a second discount (domain/playbook.py)."""
        where, params = _among(ids)
        found = self._query(
            "SELECT subscription_id, resolved_at AS at, offer FROM intents WHERE resolution = 'saved'"
            f" AND offer LIKE 'coupon:%' AND resolved_at IS NOT NULL{where} ORDER BY resolved_at",
            params,
        )
        return {r["subscription_id"]: (r["at"], r["offer"]) for r in found}  # the latest wins (ordered)

    def queue_spool(self, now: int, **filters: Any) -> JsonSpool:
        """queue_blocks(now, **filters) kept in a temporary file (never named on disk), in order: a 200,000-row
        queue's JSON (about 200 MB of text) is read back a chunk at a time, never held whole (issue 32)."""
        spool = JsonSpool(tempfile.TemporaryFile(prefix="churn-console-queue-"))
        try:
            spool.write_blocks(self.queue_blocks(now, **filters))
        except BaseException:
            spool.close()
            raise
        return spool

    def queue_blocks(
        self,
        now: int,
        *,
        sort: str = "mrr",
        reason: str | None = None,
        owner: str | None = None,
        due: bool | None = None,
        lapse_days: int = desk.LAPSE_DAYS,
    ) -> Iterator[bytes]:
        """Every pending cancellation as one JSON object each (RECORD_FIELDS), a line each, in `sort` order, at `now`
        (whole epoch seconds: days left and tenure count whole days from it); `reason` keeps only that survey answer
        or custom reason's id (`none`: no answer); `owner` only that owner's rows ("": nobody's, claims lapsed after
        `lapse_days` included), `due` only those due (domain.desk.Desk.due; False: only those not due). SQLite sorts
        and makes the objects; they come a few thousand lines at a time (UTF-8, each line ending in a newline), for
        output as they are read (the read stays open meanwhile) or for queue_spool."""
        sql, params = self._queue_query(now, sort, reason, owner, due, lapse_days)
        for batch in self._batches(sql, params):
            yield b"\n".join([*(row[0] for row in batch), b""])

    def _queue_query(
        self, now: int, sort: str, reason: str | None, owner: str | None, due: bool | None, lapse_days: int
    ) -> tuple[str, dict[str, Any]]:
        """The SQL of queue_spool and queue_blocks, and its parameters (the currencies ranked by their rows first)."""
        self._functions()
        where = ""
        params: dict[str, Any] = {
            "now": now,
            "dashboard": f"{DASHBOARD}{'' if self.livemode else 'test/'}subscriptions/",
            "lapse": lapse_days * 86400,
            "today": datetime.fromtimestamp(now, UTC).date().isoformat(),
        }
        if reason:
            where = " AND coalesce(s.feedback_option, s.feedback) IS :reason"
            params["reason"] = None if reason == "none" else reason
        if owner is not None:
            where += f" AND coalesce({_OWNER}, '') = :owner"
            params["owner"] = owner
        if due is not None:
            where += f" AND {'' if due else 'NOT '}coalesce({_DUE}, 0)"
        # SQLite sorts (spilling to its temporary files past its cache): the rows never sit in this process whole
        counts = (  # unfiltered: from the index alone, not 200,000 table reads (0.17 s); by name, none is needed
            {}
            if sort == "customer"
            else self._plain(f"SELECT s.currency, count(*) {_FROM}{where} GROUP BY s.currency", params)
            if where
            else self.pending_by_currency().items()
        )
        rank = rank_of_counts(dict(counts))
        params |= {f"cur{i}": cur for cur, i in rank.items()}
        ranked = (
            ("CASE s.currency " + " ".join(f"WHEN :cur{i} THEN {i}" for i in rank.values()) + " END") if rank else "s.currency"
        )
        order = {
            "mrr": f"{ranked}, s.mrr_minor DESC, {_DAYS_LEFT}, s.id",
            "days_left": f"{_DAYS_LEFT}, {ranked}, s.mrr_minor DESC, s.id",
            "customer": "casefold(coalesce(nullif(s.customer_name, ''), nullif(s.customer_email, ''), '')), s.id",
        }[sort]
        # as a blob: its UTF-8 as SQLite holds it, not decoded into text only to be encoded again (0.1 s at 200,000)
        return f"SELECT CAST({_RECORD} AS BLOB) {_FROM}{where} ORDER BY {order}", params

    def _functions(self) -> None:
        """The two values SQLite cannot compute itself, as SQL functions on this connection: made once, under the
        connection's lock (SQLite refuses to make one while another thread's statement is running on it: "Error
        creating function", met when the window's alerts read on a worker while the queue was read)."""
        with self._lock:
            conn = self.db.conn
            if getattr(self, "_functions_on", None) is conn:
                return
            conn.create_function("money", 2, format_money, deterministic=True)  # memoised: each amount formatted once
            conn.create_function("reason_label", 1, label, deterministic=True)
            conn.create_function("casefold", 1, str.casefold, deterministic=True)  # the window's order by name
            self._functions_on = conn
