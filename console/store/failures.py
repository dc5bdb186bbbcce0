"""The cache's failed payments: each open invoice Stripe charges whose payment failed, with its last decline, and
the failed-payments queue read from them beside their subscriptions (issue 33)."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson  # a large failed-payments queue's declines: 50,000 of them read at once

from ..domain import desk
from ..domain.failed import DAY, SHOWN_STATUSES, Collection, FailedRow, LastDecline

_COLUMNS = "id, subscription_id, customer_id, currency, amount_due, status, attempt_count, next_attempt, created, hosted_url"


def _values(c: Collection) -> tuple[Any, ...]:
    return (c.invoice_id, c.subscription_id, c.customer_id, c.currency, c.amount_due, c.status, c.attempt_count,
            c.next_attempt, c.created, c.hosted_url)  # fmt: skip


class Failures:
    """Mixed into Cache, which reads and writes with its own _query and transaction (declared for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _query_in: Callable[..., list[dict[str, Any]]]
    _plain: Callable[..., Iterator[tuple[Any, ...]]]
    transaction: Callable[..., Any]
    db: Any

    def replace_failures(self, found: Iterable[Collection]) -> None:
        """Every failing invoice as just listed (a full read): those no longer listed leave the desk; a kept one
        keeps its decline while its attempts are the same (it is read again after a new attempt)."""
        failing = [c for c in found if c.failing]
        with self.transaction():
            self.db.conn.execute("CREATE TEMP TABLE IF NOT EXISTS listed_failures (id TEXT PRIMARY KEY)")
            self.db.conn.execute("DELETE FROM listed_failures")
            self.db.conn.executemany("INSERT OR IGNORE INTO listed_failures VALUES (?)", [(c.invoice_id,) for c in failing])
            self.db.conn.execute("DELETE FROM failed_invoices WHERE id NOT IN (SELECT id FROM listed_failures)")
            self._upsert(failing)

    def apply_collections(self, changed: Iterable[Collection]) -> None:
        """Invoice events' collection states, oldest first, inside the caller's transaction: a failing invoice is
        stored as it now is, one paid, voided, written off or charged otherwise leaves the desk."""
        latest = {c.invoice_id: c for c in changed}
        gone = [(i,) for i, c in latest.items() if not c.failing]
        self.db.conn.executemany("DELETE FROM failed_invoices WHERE id = ?", gone)
        self._upsert([c for c in latest.values() if c.failing])

    def _upsert(self, failing: list[Collection]) -> None:
        self.db.conn.executemany(
            f"""INSERT INTO failed_invoices ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET amount_due = excluded.amount_due, status = excluded.status,
                  attempt_count = excluded.attempt_count, next_attempt = excluded.next_attempt,
                  hosted_url = coalesce(excluded.hosted_url, hosted_url)""",
            [_values(c) for c in failing],
        )

    def declines_due(self) -> list[tuple[str, int]]:
        """(invoice, attempts) for each failing invoice whose last attempt's decline is not read yet."""
        rows = self._query(
            """SELECT id, attempt_count FROM failed_invoices
               WHERE decline IS NULL OR json_extract(decline, '$.attempt') < attempt_count ORDER BY created"""
        )
        return [(r["id"], r["attempt_count"]) for r in rows]

    def declines_read(self, ids: Iterable[str]) -> dict[str, int]:
        """The attempt whose decline is stored, for each of these invoices that has one."""
        found = self._query_in(
            "SELECT id, json_extract(decline, '$.attempt') AS attempt FROM failed_invoices"
            " WHERE decline IS NOT NULL AND id IN ({marks})",
            ids,
        )
        return {r["id"]: int(r["attempt"] or 0) for r in found}

    def put_declines(self, read: Iterable[tuple[str, LastDecline]]) -> None:
        """Declines as just read; one read for an attempt older than the invoice now has is kept until the next."""
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE failed_invoices SET decline = ? WHERE id = ? AND attempt_count >= ?",
                [(json.dumps(dataclasses.asdict(d)), inv_id, d.attempt) for inv_id, d in read],
            )

    def note_card(self, customer_id: str, payment_method: str | None, at: int) -> None:
        """A customer's default card as an event says it (the newest event wins)."""
        self.db.conn.execute(
            """INSERT INTO customer_cards VALUES (?, ?, ?) ON CONFLICT (customer_id) DO UPDATE
               SET payment_method = excluded.payment_method, seen_at = excluded.seen_at WHERE excluded.seen_at >= seen_at""",
            [customer_id, payment_method, at],
        )

    def failure_count(self) -> int:
        """The rows the failed-payments queue shows (failed_rows): each subscription still to win back with its newest
        failing invoice, the hold-out's apart. Not every open failing invoice: one on a canceled subscription is lost,
        and a sync's summary that counted those said "7 open" above a queue of 3."""
        where = _where(holdout=False, ref=False)
        return int(self._query(f"WITH {_OLDER_HELD} SELECT count(*) AS n FROM failed_invoices f WHERE {where}")[0]["n"])

    def failed_rows(
        self, livemode: bool, *, ref: str | None = None, retry_days: int = 14, limit: int | None = None,
        holdout: bool = False,
    ) -> list[FailedRow]:  # fmt: skip
        """The failed-payments queue in its order: each subscription still to win back (past due, unpaid or paused)
        with its newest failing invoice; one currency after another (the most rows first: amounts never compare
        across currencies), by MRR at stake, then by the soonest end (`retry_days` after the first attempt, or
        Stripe's later attempt). Ordered here, so the first `limit` rows are the table's first rows (the window shows
        them before the rest is read). `ref`: only the row of that invoice or subscription id. The hold-out's rows (left
        to Stripe alone: domain/holdout.py) are the reps' queue's never, and only they with `holdout`."""
        where = _where(holdout=holdout, ref=ref is not None)
        # Each step reads an index, none a row per failure: the subscriptions with two failing invoices are found by
        # one pass over their index (a lookup per failure cost 0.1 s at 50,000), the currencies' order by counting;
        # each row is made a FailedRow as it comes (50,000 rows held as dicts first cost 40 MB more at the peak).
        rows = self._plain(
            f"""WITH {_OLDER_HELD},
                ranks AS (SELECT f.currency, row_number() OVER (ORDER BY count(*) DESC, f.currency) AS rank
                          FROM failed_invoices f WHERE {where} GROUP BY f.currency),
                top AS (SELECT f.id, f.mrr_minor, max(f.created + :window, coalesce(f.next_attempt, 0)) AS ends, f.created,
                               ranks.rank
                        FROM failed_invoices f JOIN ranks USING (currency) WHERE {where}
                        ORDER BY ranks.rank, f.mrr_minor DESC, ends, f.created, f.id LIMIT :limit)
                SELECT {_READ}, s.customer_name, s.customer_email, s.plan,
                       CASE WHEN instr(s.metadata, '{desk.PREFIX}') THEN s.metadata END AS desk_meta,
                       c.payment_method AS card_now
                FROM top JOIN failed_invoices f ON f.id = top.id JOIN subscriptions s ON s.id = f.subscription_id
                LEFT JOIN customer_cards c ON c.customer_id = f.customer_id
                ORDER BY top.rank, top.mrr_minor DESC, top.ends, top.created, top.id""",
            {"ref": ref, "window": retry_days * DAY, "limit": -1 if limit is None else limit},
        )
        return [_row(r, livemode) for r in rows]  # each read by place: no dict a row between the read and the row


_READ = ", ".join(f"f.{c}" for c in (*_COLUMNS.split(", "), "decline", "mrr_minor", "sub_status"))
_OLDER_HELD = """older AS (  -- a subscription's failing invoices but its newest (rare: a renewal failing again)
      SELECT g.id FROM failed_invoices g
      JOIN (SELECT subscription_id FROM failed_invoices GROUP BY subscription_id HAVING count(*) > 1) USING (subscription_id)
      WHERE g.id != (SELECT h.id FROM failed_invoices h WHERE h.subscription_id = g.subscription_id
                     ORDER BY h.created DESC, h.id DESC LIMIT 1)),
    held AS (SELECT id FROM recovery_invoices WHERE holdout = 'stripe')"""


def _where(*, holdout: bool, ref: bool) -> str:
    """The failed-payments queue's rows, over `f` (failed_invoices) with _OLDER_HELD: a subscription still to win back,
    its newest failing invoice, in the hold-out or not; `ref`: only the row of :ref (an invoice or subscription id)."""
    held = f"f.id {'' if holdout else 'NOT '}IN held"  # the hold-out's few ids, read once from their index
    shown = ", ".join(f"'{status}'" for status in SHOWN_STATUSES)
    only = " AND (f.id = :ref OR f.subscription_id = :ref)" if ref else ""
    return f"f.sub_status IN ({shown}) AND f.id NOT IN older AND {held}{only}"


_NAMES = (*(c.split(".")[1] for c in _READ.split(", ")), "customer_name", "customer_email", "plan", "desk_meta", "card_now")


_SHARED = ("code", "decline_code", "advice_code", "message", "brand", "last4")  # a few words repeated over thousands of rows
_AT = {name: i for i, name in enumerate(_NAMES)}


def _shared(text: str | None) -> str | None:
    """One string object for each repeated value (a currency, a status, a decline's words), not one per row."""
    return sys.intern(text) if text is not None else None


def _row(t: tuple[Any, ...], livemode: bool) -> FailedRow:
    at = _AT  # the row's columns by name (_NAMES), read from the tuple by place
    collection = Collection(
        invoice_id=t[at["id"]], subscription_id=t[at["subscription_id"]], customer_id=t[at["customer_id"]],
        currency=sys.intern(t[at["currency"]]), amount_due=t[at["amount_due"]], status=sys.intern(t[at["status"]]),
        attempt_count=t[at["attempt_count"]], next_attempt=t[at["next_attempt"]], automatic=True, created=t[at["created"]],
        hosted_url=t[at["hosted_url"]],
    )  # fmt: skip
    found = orjson.loads(t[at["decline"]]) if t[at["decline"]] else None
    if found is not None:
        for key in _SHARED:
            found[key] = _shared(found.get(key))
    decline = LastDecline(**found) if found is not None else None
    tried = decline.payment_method if decline else None
    card_now, meta = t[at["card_now"]], t[at["desk_meta"]]
    return FailedRow(
        collection=collection, decline=decline, customer_name=t[at["customer_name"]], email=t[at["customer_email"]],
        plan=sys.intern(t[at["plan"]] or ""), status=sys.intern(t[at["sub_status"]]), mrr_minor=t[at["mrr_minor"]],
        livemode=livemode, card_changed=decline is not None and card_now is not None and card_now != tried,
        desk=desk.read(orjson.loads(meta)) if meta else desk.NO_DESK,
    )  # fmt: skip
