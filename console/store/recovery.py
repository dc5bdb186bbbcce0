"""The cache's recovery ledger: every invoice whose payment failed and how it ended, and each change of a customer's
card (issue 34). Fed by the invoice events and the customers' (sync/invoices.py, sync/apply.py); read by the recovery
report (services/recovery_report.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..domain.failed import Collection

ENDED = ("canceled", "incomplete_expired")


class RecoveryLedger:
    """Mixed into Cache, which reads and writes with its own _query and transaction (declared for mypy)."""

    _query: Callable[..., list[dict[str, Any]]]
    _query_in: Callable[..., list[dict[str, Any]]]
    transaction: Callable[..., Any]
    db: Any

    def note_failed(self, failed: Iterable[tuple[Collection, int]]) -> None:
        """Invoices whose payment failed, each with when it was seen failing: the earliest time is its first failure,
        and what it owed then is what failed."""
        self.db.conn.executemany(
            """INSERT INTO recovery_invoices (id, subscription_id, customer_id, currency, failed_minor, first_failed_at, holdout)
               VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE
               SET first_failed_at = min(first_failed_at, excluded.first_failed_at),
                   holdout = coalesce(holdout, excluded.holdout)""",
            [(c.invoice_id, c.subscription_id, c.customer_id, c.currency, c.amount_due, at, c.holdout) for c, at in failed],
        )

    def note_ended(self, ended: Iterable[tuple[str, str, int]]) -> None:
        """(invoice, outcome, when): paid, uncollectible or void. Only invoices that failed are kept; a written-off
        invoice paid later is paid (Stripe allows paying an uncollectible invoice), a paid one stays paid."""
        self.db.conn.executemany(
            "UPDATE recovery_invoices SET outcome = ?, ended_at = ? WHERE id = ? AND coalesce(outcome, '') != 'paid'",
            [(outcome, at, invoice_id) for invoice_id, outcome, at in ended],
        )

    def note_paid_how(self, invoice_ids: Iterable[str], *, by_payment: bool) -> None:
        """`invoice_payment.paid`: a charge paid it (by_payment). `invoice.paid` alone: marked paid outside Stripe,
        unless a charge's event says otherwise, in either order (Stripe does not promise one)."""
        sql = "UPDATE recovery_invoices SET by_payment = 1 WHERE id = ?" if by_payment else (
            "UPDATE recovery_invoices SET by_payment = coalesce(by_payment, 0) WHERE id = ?"
        )  # fmt: skip
        self.db.conn.executemany(sql, [(i,) for i in invoice_ids])

    def note_decline_code(self, found: Iterable[tuple[str, str | None]]) -> None:
        """The first decline read for each failed invoice (what the report groups by)."""
        self.db.conn.executemany(
            "UPDATE recovery_invoices SET decline_code = coalesce(decline_code, ?) WHERE id = ?",
            [(code, invoice_id) for invoice_id, code in found if code],
        )

    def note_card_change(self, customer_id: str, payment_method: str | None, at: int, source: str) -> None:
        """A customer's card changed: by the customer (`customer`) or the card updater (`updater`)."""
        self.db.conn.execute("INSERT OR IGNORE INTO card_changes VALUES (?, ?, ?, ?)", [customer_id, at, payment_method, source])

    def unsettled_recoveries(self) -> list[str]:
        """Failed invoices no longer open and failing whose ending no event told, and the written-off ones (Stripe
        lets an uncollectible invoice be paid later: docs.stripe.com/invoicing/overview; its event may be in the gap)."""
        rows = self._query(
            """SELECT r.id FROM recovery_invoices r WHERE (r.outcome IS NULL OR r.outcome = 'uncollectible')
               AND NOT EXISTS (SELECT 1 FROM failed_invoices f WHERE f.id = r.id)"""
        )
        return [r["id"] for r in rows]

    def unassigned_failures(self, since: int) -> list[str]:
        """Failures first seen failing at or after `since` that the hold-out has not assigned yet (oldest first)."""
        rows = self._query(
            "SELECT id FROM recovery_invoices WHERE holdout IS NULL AND first_failed_at >= ? ORDER BY first_failed_at, id",
            [since],
        )
        return [r["id"] for r in rows]

    def set_holdout(self, assigned: Iterable[tuple[str, str]]) -> None:
        """(invoice, group) as recorded on Stripe; a group already kept is never changed."""
        self.db.conn.executemany(
            "UPDATE recovery_invoices SET holdout = coalesce(holdout, ?) WHERE id = ?", [(g, i) for i, g in assigned]
        )

    def recovery_rows(self, since: int, until: int) -> list[dict[str, Any]]:
        """The failed invoices first failed in [since, until); one still open whose subscription ended is lost with it
        (`canceled`, at the subscription's end)."""
        ended = ", ".join(f"'{s}'" for s in ENDED)
        return self._query(
            f"""SELECT r.id, r.subscription_id, r.customer_id, r.currency, r.failed_minor, r.first_failed_at, r.decline_code,
                       r.by_payment, r.holdout, CASE WHEN r.outcome IS NULL AND s.status IN ({ended}) THEN 'canceled' ELSE r.outcome END AS outcome,
                       CASE WHEN r.outcome IS NULL AND s.status IN ({ended}) THEN s.ended_at ELSE r.ended_at END AS ended_at
                FROM recovery_invoices r LEFT JOIN subscriptions s ON s.id = r.subscription_id
                WHERE r.first_failed_at >= ? AND r.first_failed_at < ? ORDER BY r.first_failed_at, r.id""",
            [since, until],
        )

    def card_changes_of(self, customer_ids: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
        out: dict[str, list[tuple[int, str]]] = {}
        found = self._query_in(
            "SELECT customer_id, at, source FROM card_changes WHERE customer_id IN ({marks}) ORDER BY at",
            sorted(set(customer_ids)),
        )
        for r in found:
            out.setdefault(r["customer_id"], []).append((r["at"], r["source"]))
        return out
