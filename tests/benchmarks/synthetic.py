"""Synthetic cached accounts for the benchmarks (no Qt): `subscriptions(total, pending)` and `cached_account()`,
which writes them into a data dir the way sync does (a page-sized transaction at a time)."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from console.domain.models import Item, Subscription
from console.store import Cache

NOW = datetime.now(UTC)
NAMES = "Olivia Liam Emma Noah Amelia Oliver Sophia Elijah Mia Lucas Yuki Priya Marco Lars".split()
REASONS = ("too_expensive", "unused", "missing_features", "switched_service", None)
ACCOUNT = "acct_bench"


def subscriptions(total: int, pending: int, rng: random.Random) -> Iterator[Subscription]:
    for n in range(total):
        is_pending = n < pending
        currency = rng.choice(("usd", "usd", "eur", "jpy"))
        amount = {"usd": 1900, "eur": 1700, "jpy": 2800}[currency] * rng.choice((1, 1, 5))
        end = NOW + timedelta(days=rng.uniform(0.5, 30))
        yield Subscription(
            id=f"sub_bench{n:08d}", customer_id=f"cus_bench{n:08d}", customer_name=f"{rng.choice(NAMES)} {n}",
            customer_email=f"user{n}@example.com", status="active", currency=currency, created=NOW - timedelta(days=rng.uniform(30, 900)),
            items=(Item("price_x", "prod_x", "Team monthly", amount, currency, "month", 1, 1, end),),
            cancel_at_period_end=is_pending, cancel_at=end if is_pending else None, canceled_at=NOW - timedelta(days=2) if is_pending else None,
            ended_at=None, feedback=rng.choice(REASONS) if is_pending else None, comment="Budget cuts this quarter." if is_pending and n % 3 == 0 else None,
            cancel_reason="cancellation_requested" if is_pending else None,
        )  # fmt: skip


def _observed(sub: Subscription) -> bool:
    return sub.pending_cancellation


def cached_account(total: int, pending: int, data: Path | None = None) -> tuple[Path, float]:
    """A data dir holding one cached account of `total` subscriptions (`pending` set to cancel), as the window
    and `churn-console queue` open it; returns it and the seconds the upsert took. Written as a full sync's
    pages write (sync/state.py): valued copies are asked back only for what it observes (the pending ones here;
    ended ones, open intents and saves too)."""
    data = data or Path(tempfile.mkdtemp(prefix="bench-cache-"))
    cache = Cache.for_account(data, ACCOUNT, False)
    batch, upsert_s = [], 0.0
    with cache.bulk():  # as full_sync writes its pages
        for sub in subscriptions(total, pending, random.Random(3)):
            batch.append(sub)
            if len(batch) == 1000:
                t0 = time.perf_counter()
                cache.upsert_subscriptions(batch, synced_at=int(time.time()), back=_observed)
                upsert_s += time.perf_counter() - t0
                batch = []
        if batch:
            t0 = time.perf_counter()
            cache.upsert_subscriptions(batch, synced_at=int(time.time()), back=_observed)
            upsert_s += time.perf_counter() - t0
    cache.set_meta("last_sync_at", int(time.time()))
    cache.close()
    (data / "last_account.json").write_text(f'{{"id": "{ACCOUNT}", "name": "Bench", "livemode": false}}')
    return data, upsert_s
