"""The cache's save ledger: the invoices of saved subscriptions from the save on, and when each was last read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..domain import desk
from ..domain.save_value import LedgerInvoice
from .span import Span, among


class Ledger:
    """Mixed into Cache, which reads and writes with its own _query, _write and transaction (declared for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _write: Callable[..., None]
    transaction: Callable[..., Any]
    db: Any

    def ledger_due(self, *, gap: bool = False) -> dict[str, int]:
        """Saved subscriptions whose invoices should be read (subscription id -> from when): those never read; with
        `gap` (the invoice events since the last read are no longer all available), every saved subscription too,
        from its last read on, or from its oldest invoice still open then (a retry may have paid it since)."""
        rows = self._query(
            """SELECT i.subscription_id AS id, min(i.resolved_at) AS since, l.checked_at AS checked,
                      (SELECT min(v.created) FROM save_invoices v
                       WHERE v.subscription_id = i.subscription_id AND v.status IN ('draft', 'open')) AS open_since
               FROM intents i LEFT JOIN save_ledger l ON l.subscription_id = i.subscription_id
               WHERE i.resolution IN ('saved', 'revoked') AND i.resolved_at IS NOT NULL
                 AND (l.checked_at IS NULL OR ?)
               GROUP BY i.subscription_id""",
            [int(gap)],
        )
        return {
            r["id"]: r["since"] if r["checked"] is None else max(r["since"], min(r["checked"], r["open_since"] or r["checked"]))
            for r in rows
        }

    def ledger_kept(self) -> dict[str, int]:
        """The saved subscriptions whose invoices are kept, and from when (their save): what invoice events update."""
        return {r["subscription_id"]: r["since"] for r in self._query("SELECT subscription_id, since FROM save_ledger")}

    def put_ledger(self, found: Iterable[tuple[str, int, list[LedgerInvoice], list[tuple[str, str]]]], checked_at: int) -> None:
        """Saved subscriptions' invoices as just read: (subscription id, read from, invoices, (discount, coupon)
        pairs) each; what changed replaces what was kept. One transaction for the whole pass."""
        batch = list(found)
        with self.transaction():
            self.put_invoices(
                [i for _, _, invoices, _ in batch for i in invoices],
                [(d, c, sub) for sub, _, _, pairs in batch for d, c in pairs],
            )
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO save_ledger VALUES (?, ?, ?)",
                [(sub_id, since, checked_at) for sub_id, since, _, _ in batch],
            )

    def put_invoices(self, invoices: Iterable[LedgerInvoice], coupons: Iterable[tuple[str, str, str]]) -> None:
        """Kept invoices as now known (a read or an event): each replaces the row of the same id; `coupons` are
        (discount, coupon, subscription) for the discounts they name."""
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO save_invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    i.id,
                    i.subscription_id,
                    i.created,
                    i.currency,
                    i.status,
                    i.amount_paid,
                    i.total,
                    json.dumps(i.discounts),
                    i.attempt_count,
                )
                for i in invoices
            ],  # fmt: skip
        )
        self.db.conn.executemany(
            "INSERT INTO discounts (id, coupon_id, subscription_id) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET coupon_id = excluded.coupon_id",
            list(coupons),
        )

    def mark_invoice_paid(self, invoice_id: str, amount_paid: int) -> None:
        """An InvoicePayment paid a kept invoice (`invoice_payment.paid`); one not kept is none of the ledger's."""
        self.db.conn.execute(
            "UPDATE save_invoices SET status = 'paid', amount_paid = max(amount_paid, ?) WHERE id = ?", [amount_paid, invoice_id]
        )

    def invoices_estimates(self, starts: list[int], now: int) -> dict[int, int]:
        """About how many invoices the account made from each of `starts` to `now`, in one pass over the subscriptions:
        one a month for each subscription live then (monthly is the most frequent interval: an annual plan counted so
        only makes a range read look dearer than it is, so the console reads per subscription the more often)."""
        if not starts:
            return {}
        month = 30 * 86400
        rows = self._query(
            f"""WITH t(start) AS (VALUES {",".join("(?)" for _ in starts)})
               SELECT t.start AS start, coalesce(sum((min(coalesce(s.ended_at, ?), ?) - max(s.created, t.start)) / ? + 1), 0) AS n
               FROM t LEFT JOIN subscriptions s ON s.created <= ? AND coalesce(s.ended_at, ?) >= t.start
               GROUP BY t.start""",
            [*starts, now, now, month, now, now],
        )
        return {int(r["start"]): int(r["n"]) for r in rows}

    def ledger_invoices(self, span: Span | None = None) -> dict[str, list[LedgerInvoice]]:
        """Every kept invoice of a saved subscription (of the span's), oldest first, by subscription."""
        out: dict[str, list[LedgerInvoice]] = {}
        where, params = among("subscription_id", span, saved=True)
        for r in self._query(f"SELECT * FROM save_invoices{where} ORDER BY created", params):
            discounts = tuple((d, int(a)) for d, a in json.loads(r["discounts"]))
            out.setdefault(r["subscription_id"], []).append(
                LedgerInvoice(
                    r["id"],
                    r["subscription_id"],
                    r["created"],
                    r["currency"],
                    r["status"],
                    r["amount_paid"],
                    r["total"],
                    discounts,
                    r["attempt_count"],
                )  # fmt: skip
            )
        return out

    def ledger_read(self, span: Span | None = None) -> set[str]:
        """The saved subscriptions (of the span's) whose invoices have been read at least once."""
        where, params = among("subscription_id", span, saved=True)
        return {r["subscription_id"] for r in self._query(f"SELECT subscription_id FROM save_ledger{where}", params)}

    def discount_coupons(self, span: Span | None = None) -> dict[str, str]:
        """The coupon behind each discount the kept invoices (of the span's subscriptions) name."""
        where, params = among("s.subscription_id", span, saved=True)
        return {
            r["id"]: r["coupon_id"]
            for r in self._query(
                "SELECT id, coupon_id FROM discounts WHERE id IN "
                f"(SELECT json_extract(j.value, '$[0]') FROM save_invoices s, json_each(s.discounts) j{where})",
                params,
            )
        }

    def save_operators(self, span: Span | None = None) -> dict[str, str]:
        """Who made each save (action id -> operator), from the saves' timeline entries (by the subscriptions
        index: only the saved subscriptions' entries are read; of the span's, with one)."""
        out = {}
        where, params = among("subscription_id", span, saved=True)  # the span's saved ones, else every saved one
        where = where or " WHERE subscription_id IN (SELECT subscription_id FROM intents WHERE resolution = 'saved')"
        for r in self._query(f"SELECT detail FROM timeline{where} AND kind = 'console_save'", params):
            detail = json.loads(r["detail"])
            if detail.get("action_id") and detail.get("operator"):
                out[detail["action_id"]] = detail["operator"]
        return out

    def save_owners(self, span: Span | None = None) -> dict[str, str]:
        """The desk owner now of each saved subscription (a save's owner when no operator is recorded)."""
        where, params = among("id", span, saved=True)  # the span's saved ones, else every saved one
        where = where or " WHERE id IN (SELECT subscription_id FROM intents WHERE resolution IN ('saved', 'revoked'))"
        return {
            r["id"]: r["owner"]
            for r in self._query(
                f"SELECT id, json_extract(metadata, '$.{desk.OWNER}') AS owner FROM subscriptions{where}"
                f" AND instr(metadata, '{desk.OWNER}') AND owner IS NOT NULL AND owner != ''",
                params,
            )
        }

    def intent_plans(self, span: Span | None = None, since: int = 0) -> dict[str, tuple[str, int]]:
        """(billing interval, created) of every subscription with an intent (in the span) asked at or after `since`
        (an experiment's first day): what an experiment's rule matches on."""
        low, high = span or (since, 1 << 62)
        subs = "SELECT subscription_id FROM intents WHERE scheduled_at >= ? AND scheduled_at < ?"
        return {
            r["id"]: (r["interval"] or "month", r["created"])
            for r in self._query(
                f"SELECT id, created, json_extract(items, '$[0].interval') AS interval FROM subscriptions WHERE id IN ({subs})",
                [max(low, since), high],
            )
        }
