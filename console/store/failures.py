"""The cache's failed payments: each open invoice Stripe charges whose payment failed, with its last decline, and
the failed-payments queue read from them beside their subscriptions (issue 33)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
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
        return int(self._query("SELECT count(*) AS n FROM failed_invoices")[0]["n"])

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
        only = " AND (f.id = ? OR f.subscription_id = ?)" if ref is not None else ""
        # the hold-out's few ids, read once from their index (a lookup per failure cost 0.14 s at 50,000: the first rows)
        only += f" AND f.id {'' if holdout else 'NOT '}IN (SELECT id FROM recovery_invoices WHERE holdout = 'stripe')"
        shown = ", ".join(f"'{status}'" for status in SHOWN_STATUSES)
        rows = self._query(
            f"""WITH keys AS MATERIALIZED (  -- the order's keys, from this table alone (schema v9 keeps MRR and status)
                  SELECT f.id, f.currency, f.mrr_minor, max(f.created + ?, coalesce(f.next_attempt, 0)) AS ends, f.created
                  FROM failed_invoices f
                  WHERE f.sub_status IN ({shown}){only}
                    AND f.id = (SELECT g.id FROM failed_invoices g WHERE g.subscription_id = f.subscription_id
                                ORDER BY g.created DESC, g.id DESC LIMIT 1)
                ),
                ranks AS (SELECT currency, row_number() OVER (ORDER BY count(*) DESC, currency) AS rank
                          FROM keys GROUP BY currency),
                top AS (SELECT keys.*, ranks.rank FROM keys JOIN ranks USING (currency)
                        ORDER BY ranks.rank, keys.mrr_minor DESC, keys.ends, keys.created, keys.id LIMIT ?)
                SELECT f.*, s.customer_name, s.customer_email, s.plan,
                       CASE WHEN instr(s.metadata, '{desk.PREFIX}') THEN s.metadata END AS desk_meta,
                       c.payment_method AS card_now
                FROM top JOIN failed_invoices f ON f.id = top.id JOIN subscriptions s ON s.id = f.subscription_id
                LEFT JOIN customer_cards c ON c.customer_id = f.customer_id
                ORDER BY top.rank, top.mrr_minor DESC, top.ends, top.created, top.id""",
            [retry_days * DAY, *([ref, ref] if ref is not None else []), -1 if limit is None else limit],
        )
        return [_row(r, livemode) for r in rows]


def _row(r: dict[str, Any], livemode: bool) -> FailedRow:
    collection = Collection(
        invoice_id=r["id"], subscription_id=r["subscription_id"], customer_id=r["customer_id"], currency=r["currency"],
        amount_due=r["amount_due"], status=r["status"], attempt_count=r["attempt_count"], next_attempt=r["next_attempt"],
        automatic=True, created=r["created"], hosted_url=r["hosted_url"],
    )  # fmt: skip
    decline = LastDecline(**orjson.loads(r["decline"])) if r["decline"] else None
    tried = decline.payment_method if decline else None
    return FailedRow(
        collection=collection, decline=decline, customer_name=r["customer_name"], email=r["customer_email"],
        plan=r["plan"], status=r["sub_status"], mrr_minor=r["mrr_minor"], livemode=livemode,
        card_changed=decline is not None and r["card_now"] is not None and r["card_now"] != tried,
        desk=desk.read(orjson.loads(r["desk_meta"])) if r["desk_meta"] else desk.NO_DESK,
    )  # fmt: skip
