"""The cache's coupons, portal configurations and discounts (which coupon each discount id applies: events name a
subscription's discounts by id only)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

from ..domain.models import Coupon, PortalConfigSummary
from . import rows
from .valuation import Book


class Catalog:
    """Mixed into Cache, which reads and writes with its own connection and lock (declared here, for mypy)."""

    db: Any
    book: Book
    _query: Callable[..., list[dict[str, Any]]]
    transaction: Callable[[], AbstractContextManager[None]]

    def replace_coupons(self, coupons: Iterable[Coupon]) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM coupons")
            self.db.table("coupons").insert_all((rows.coupon_row(c) for c in coupons), pk="id")
        self.book.invalidate()

    def upsert_coupon(self, coupon: Coupon) -> None:
        with self.transaction():
            self.db.table("coupons").upsert(rows.coupon_row(coupon), pk="id")
        self.book.invalidate()

    def delete_coupon(self, coupon_id: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM coupons WHERE id = ?", [coupon_id])
        self.book.invalidate()

    def coupons(self) -> list[Coupon]:
        return [rows.coupon_from_row(r) for r in self._query("SELECT * FROM coupons ORDER BY id")]

    def replace_portal_configurations(self, configs: Iterable[PortalConfigSummary]) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM portal_configurations")
            self.db.table("portal_configurations").insert_all((rows.config_row(c) for c in configs), pk="id")

    def portal_configurations(self) -> list[PortalConfigSummary]:
        return [
            rows.config_from_row(r) for r in self._query("SELECT * FROM portal_configurations ORDER BY is_default DESC, name")
        ]

    def upsert_portal_configuration(self, config: PortalConfigSummary) -> None:
        with self.transaction():
            self.db.table("portal_configurations").upsert(rows.config_row(config), pk="id")

    def remember_discounts(self, found: Iterable[tuple[str, str, str | None, int | None]]) -> None:
        """(discount id, coupon id, subscription id, end): events name a subscription's discounts by id only."""
        batch = list(found)
        if batch:
            with self.transaction():
                self.db.conn.executemany(
                    "INSERT OR REPLACE INTO discounts (id, coupon_id, subscription_id, end_at) VALUES (?, ?, ?, ?)", batch
                )

    def discounts_of(self, discount_ids: Iterable[str]) -> list[tuple[str, int | None]]:
        """(coupon id, end) of each known discount, in the order given."""
        ids = list(discount_ids)
        if not ids:
            return []
        found = {
            r["id"]: (r["coupon_id"], r["end_at"])
            for r in self._query(f"SELECT id, coupon_id, end_at FROM discounts WHERE id IN ({','.join('?' * len(ids))})", ids)
        }
        return [found[d] for d in ids if d in found]
