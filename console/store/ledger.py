"""The cache's save ledger: the invoices of saved subscriptions from the save on, and when each was last read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

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
            """SELECT i.subscription_id AS id, min(i.resolved_at) AS since, l.checked_at, s.ended_at
               FROM intents i LEFT JOIN save_ledger l ON l.subscription_id = i.subscription_id
               LEFT JOIN subscriptions s ON s.id = i.subscription_id
               WHERE i.resolution IN ('saved', 'revoked') AND i.resolved_at IS NOT NULL
               GROUP BY i.subscription_id"""
        )
        due = {}
        for r in rows:
            checked, ended = r["checked_at"], r["ended_at"]
            stale = checked is None or (ended is not None and ended > checked) or (ended is None and checked < now - REFRESH_S)
            if stale:
                due[r["id"]] = r["since"]
        return due

    def put_ledger(
        self, sub_id: str, since: int, invoices: Iterable[LedgerInvoice], coupons: Iterable[tuple[str, str]], checked_at: int
    ) -> None:
        """A subscription's invoices from `since` on, as just read (what changed replaces what was kept)."""
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
                    for i in invoices
                ],  # fmt: skip
            )
            self.db.conn.executemany(
                "INSERT INTO discounts (id, coupon_id, subscription_id) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET coupon_id = excluded.coupon_id",
                [(disc, coupon, sub_id) for disc, coupon in coupons],
            )
            self._write("INSERT OR REPLACE INTO save_ledger VALUES (?, ?, ?)", [sub_id, since, checked_at])

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
        return {r["id"]: r["coupon_id"] for r in self._query("SELECT id, coupon_id FROM discounts")}
