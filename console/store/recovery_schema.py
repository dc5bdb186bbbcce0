"""The recovery ledger's schema version (10), applied in order by store/schema.py's MIGRATIONS."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .database import Database


def _v10(db: Database) -> None:
    """Every invoice whose payment failed, kept after it leaves the desk (paid, written off, voided), with what it owed
    at its first failure and how it ended; and each change of a customer's card, by the customer or the card updater:
    what the recovery report credits each recovered invoice to (store/recovery.py, domain/recovery.py). The invoices
    failing now are its first rows (their first failure taken as their creation: the events before it are not kept).
    `holdout`: the group the hold-out assigned (domain/holdout.py), as its metadata on Stripe records it."""
    db.execute(
        """CREATE TABLE recovery_invoices (
            id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, customer_id TEXT NOT NULL, currency TEXT NOT NULL,
            failed_minor INTEGER NOT NULL, first_failed_at INTEGER NOT NULL, decline_code TEXT,
            outcome TEXT, ended_at INTEGER, by_payment INTEGER, holdout TEXT
        )"""
    )
    db.execute("CREATE INDEX recovery_first_failed ON recovery_invoices (first_failed_at)")
    db.execute("CREATE INDEX recovery_holdout ON recovery_invoices (holdout, id)")  # the queue leaves the hold-out out
    db.execute(
        """INSERT INTO recovery_invoices (id, subscription_id, customer_id, currency, failed_minor, first_failed_at, decline_code)
           SELECT id, subscription_id, customer_id, currency, amount_due, created, coalesce(json_extract(decline, '$.decline_code'), json_extract(decline, '$.code'))
           FROM failed_invoices"""
    )
    db.execute(
        """CREATE TABLE card_changes (
            customer_id TEXT NOT NULL, at INTEGER NOT NULL, payment_method TEXT, source TEXT NOT NULL,
            PRIMARY KEY (customer_id, at, source)
        )"""
    )
