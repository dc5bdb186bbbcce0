"""The cache's save ledger: the invoices of saved subscriptions from the save on, and when each was last read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from ..domain import desk
from ..domain.save_value import LedgerInvoice

REFRESH_S = 6 * 3600  # a live saved subscription's invoices are read again after this long (one renewal a period)


class Ledger:
    """Mixed into Cache, which reads and writes with its own _query, _write and transaction (declared for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _write: Callable[..., None]
    transaction: Callable[..., Any]
    db: Any

    def ledger_due(self, now: int) -> dict[str, int]:
        """Saved subscriptions whose invoices should be read (subscription id -> from when): never read, read
        before they ended, or live and last read REFRESH_S ago."""
        rows = self._query(
            """SELECT i.subscription_id AS id, min(i.resolved_at) AS since
               FROM intents i LEFT JOIN save_ledger l ON l.subscription_id = i.subscription_id
               LEFT JOIN subscriptions s ON s.id = i.subscription_id
               WHERE i.resolution IN ('saved', 'revoked') AND i.resolved_at IS NOT NULL
                 AND (l.checked_at IS NULL OR s.ended_at > l.checked_at OR (s.ended_at IS NULL AND l.checked_at < ?))
               GROUP BY i.subscription_id""",
            [now - REFRESH_S],
        )
        return {r["id"]: r["since"] for r in rows}

    def put_ledger(self, found: Iterable[tuple[str, int, list[LedgerInvoice], list[tuple[str, str]]]], checked_at: int) -> None:
        """Saved subscriptions' invoices as just read: (subscription id, read from, invoices, (discount, coupon)
        pairs) each; what changed replaces what was kept. One transaction for the whole pass."""
        batch = list(found)
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO save_invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        i.id,
                        sub_id,
                        i.created,
                        i.currency,
                        i.status,
                        i.amount_paid,
                        i.total,
                        json.dumps(i.discounts),
                        i.attempt_count,
                    )
                    for sub_id, _, invoices, _ in batch
                    for i in invoices
                ],  # fmt: skip
            )
            self.db.conn.executemany(
                "INSERT INTO discounts (id, coupon_id, subscription_id) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET coupon_id = excluded.coupon_id",
                [(disc, coupon, sub_id) for sub_id, _, _, coupons in batch for disc, coupon in coupons],
            )
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO save_ledger VALUES (?, ?, ?)",
                [(sub_id, since, checked_at) for sub_id, since, _, _ in batch],
            )

    def ledger_invoices(self) -> dict[str, list[LedgerInvoice]]:
        """Every kept invoice of a saved subscription, oldest first, by subscription."""
        out: dict[str, list[LedgerInvoice]] = {}
        for r in self._query("SELECT * FROM save_invoices ORDER BY created"):
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

    def ledger_read(self) -> set[str]:
        """The saved subscriptions whose invoices have been read at least once."""
        return {r["subscription_id"] for r in self._query("SELECT subscription_id FROM save_ledger")}

    def discount_coupons(self) -> dict[str, str]:
        """The coupon behind each discount the kept invoices name (not every discount of the account)."""
        return {
            r["id"]: r["coupon_id"]
            for r in self._query(
                "SELECT id, coupon_id FROM discounts WHERE id IN "
                "(SELECT json_extract(j.value, '$[0]') FROM save_invoices s, json_each(s.discounts) j)"
            )
        }

    def save_operators(self) -> dict[str, str]:
        """Who made each save (action id -> operator), from the saves' timeline entries (by the subscriptions
        index: only the saved subscriptions' entries are read)."""
        out = {}
        for r in self._query(
            "SELECT detail FROM timeline WHERE subscription_id IN "
            "(SELECT subscription_id FROM intents WHERE resolution = 'saved') AND kind = 'console_save'"
        ):
            detail = json.loads(r["detail"])
            if detail.get("action_id") and detail.get("operator"):
                out[detail["action_id"]] = detail["operator"]
        return out

    def save_owners(self) -> dict[str, str]:
        """The desk owner now of each saved subscription (a save's owner when no operator is recorded)."""
        return {
            r["id"]: r["owner"]
            for r in self._query(
                f"SELECT id, json_extract(metadata, '$.{desk.OWNER}') AS owner FROM subscriptions "
                "WHERE id IN (SELECT subscription_id FROM intents WHERE resolution IN ('saved', 'revoked')) "
                "AND owner IS NOT NULL AND owner != ''"
            )
        }

    def intent_plans(self) -> dict[str, tuple[str, int]]:
        """(billing interval, created) of every subscription with an intent: what an experiment's rule matches on."""
        return {
            r["id"]: (r["interval"] or "month", r["created"])
            for r in self._query(
                "SELECT id, created, json_extract(items, '$[0].interval') AS interval FROM subscriptions "
                "WHERE id IN (SELECT subscription_id FROM intents)"
            )
        }
