"""The failed-payments desk's schema versions (7 to 9), applied in order by store/schema.py's MIGRATIONS."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .database import Database


def _v7(db: Database) -> None:
    """The failed-payments desk (store/failures.py): every open invoice Stripe charges whose payment failed, its
    collection state and its last decline (JSON, read once per attempt)."""
    db.execute(
        """CREATE TABLE failed_invoices (
            id TEXT PRIMARY KEY, subscription_id TEXT NOT NULL, customer_id TEXT NOT NULL, currency TEXT NOT NULL,
            amount_due INTEGER NOT NULL, status TEXT NOT NULL, attempt_count INTEGER NOT NULL, next_attempt INTEGER,
            created INTEGER NOT NULL, hosted_url TEXT, decline TEXT
        )"""
    )
    db.execute("CREATE INDEX failed_invoices_subscription ON failed_invoices (subscription_id)")


def _v8(db: Database) -> None:
    """Each customer's default card as the events last said it (customer.updated): a failed payment whose customer has
    a new card since its decline is retried now, not asked for a card again (store/failures.py)."""
    db.execute("CREATE TABLE customer_cards (customer_id TEXT PRIMARY KEY, payment_method TEXT, seen_at INTEGER NOT NULL)")


def _v9(db: Database) -> None:
    """Each failure keeps its subscription's MRR and status beside it, kept current by triggers on every write of the
    subscription: the failed-payments queue is ordered from this table alone (50,000 lookups of their subscriptions
    in a million-row table took 0.3-0.4 s before the tab's first rows: bench_failed_screen.py)."""
    db.execute("ALTER TABLE failed_invoices ADD COLUMN mrr_minor INTEGER")
    db.execute("ALTER TABLE failed_invoices ADD COLUMN sub_status TEXT")
    db.execute(
        """UPDATE failed_invoices SET
             mrr_minor = (SELECT s.mrr_minor FROM subscriptions s WHERE s.id = failed_invoices.subscription_id),
             sub_status = (SELECT s.status FROM subscriptions s WHERE s.id = failed_invoices.subscription_id)"""
    )
    follow = "UPDATE failed_invoices SET mrr_minor = NEW.mrr_minor, sub_status = NEW.status WHERE subscription_id = NEW.id"
    db.execute(f"CREATE TRIGGER failed_follow_insert AFTER INSERT ON subscriptions BEGIN {follow}; END")
    db.execute(f"CREATE TRIGGER failed_follow_update AFTER UPDATE OF mrr_minor, status ON subscriptions BEGIN {follow}; END")
    db.execute(
        "CREATE TRIGGER failed_follow_delete AFTER DELETE ON subscriptions BEGIN "
        "UPDATE failed_invoices SET sub_status = NULL WHERE subscription_id = OLD.id; END"
    )  # (an INSERT OR REPLACE fires no delete trigger: SQLite's recursive triggers are off)
    # the order's keys and the newest failure of each subscription, read from indexes alone (no decline JSON read)
    db.execute(
        "CREATE INDEX failed_keys ON failed_invoices (sub_status, currency, mrr_minor, created, next_attempt, subscription_id, id)"
    )
    db.execute("DROP INDEX failed_invoices_subscription")
    db.execute("CREATE INDEX failed_invoices_subscription ON failed_invoices (subscription_id, created, id)")
    db.execute(
        "CREATE TRIGGER failed_from_subscription AFTER INSERT ON failed_invoices BEGIN "
        "UPDATE failed_invoices SET mrr_minor = (SELECT mrr_minor FROM subscriptions WHERE id = NEW.subscription_id), "
        "sub_status = (SELECT status FROM subscriptions WHERE id = NEW.subscription_id) WHERE id = NEW.id; END"
    )
