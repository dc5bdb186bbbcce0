"""Synthetic cached accounts for the benchmarks (no Qt): `subscriptions(total, pending)` and `cached_account()`,
which writes them into a data dir the way sync does (a page-sized transaction at a time)."""

from __future__ import annotations

import functools
import random
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from console.domain.models import Coupon, Item, Subscription
from console.domain.save_value import LedgerInvoice
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


DAY = 86400
RETAIN = Coupon("RETAIN25-3M", "25% off for 3 months", 25.0, None, None, "repeating", 3, True, 0, None)
OPERATORS = ("Dana (CS)", "Sam (CS)", "Ines (CS)", "Kofi (CS)")


def _intent(n: int, sub: str, resolution: str, offer: str | None = None, action: str | None = None, **at: Any) -> tuple:
    """One past intent's row (the intents table's columns, in order)."""
    return (f"int_past{n:08d}", sub, at["cus"], at["asked"], at["rng"].choice(REASONS), None, at["mrr"], at["currency"],
            resolution, at["resolved"], offer, action, "event")  # fmt: skip


def add_history(data: Path, total: int, pending: int, months: int = 24, seed: int = 5) -> dict[str, int]:
    """Two years of a real account's churn history in a cached_account's data dir: each pending row's open intent;
    past intents at 1.5% of the subscriptions a month (SaaS monthly churn requests run 1-3%), of which 60% ended,
    25% were saved by the desk (a coupon or a pause, its operator on the timeline) and 15% revoked by the customer;
    every desk save's invoices since (monthly; the coupon's three months discounted; a few open or uncollectible)
    in the save ledger. Returns the counts written."""
    rng = random.Random(seed)
    now = int(NOW.timestamp())
    cache = Cache.for_account(data, ACCOUNT, False)
    counts = {"intents": 0, "saves": 0, "invoices": 0}
    with cache.bulk():
        cache.upsert_coupon(RETAIN)
        rows = cache.db.conn.execute(
            "SELECT id, customer_id, mrr_minor, currency, canceled_at, feedback FROM subscriptions WHERE pending = 1"
        ).fetchall()
        intents = [
            (f"int_open{n:08d}", sub, cus, at or now - 2 * DAY, feedback, None, mrr, cur, "pending", None, None, None, "event")
            for n, (sub, cus, mrr, cur, at, feedback) in enumerate(rows)
        ]
        saves, ledger, invoices, timeline = [], [], [], []
        past = int(total * 0.015) * months
        for n in range(past):
            index = pending + rng.randrange(max(1, total - pending))  # the active subscriptions asked before
            sub, cus = f"sub_bench{index:08d}", f"cus_bench{index:08d}"
            asked = now - rng.randrange(months * 30 * DAY)
            currency = rng.choice(("usd", "usd", "eur", "jpy"))
            mrr = {"usd": 1900, "eur": 1700, "jpy": 2800}[currency] * rng.choice((1, 1, 5))
            roll = rng.random()
            resolved = min(now, asked + rng.randrange(1, 30) * DAY)
            past = functools.partial(_intent, n, cus=cus, asked=asked, mrr=mrr, currency=currency, resolved=resolved, rng=rng)
            if roll < 0.6:  # ended: the subscription is gone (not in the cache: a churned customer's id)
                intents.append(past(f"sub_gone{n:08d}", "ended"))
                continue
            if roll < 0.75:
                intents.append(past(sub, "revoked"))
                continue
            action = f"act_hist{n:08d}"
            coupon = rng.random() < 0.7
            offer = "coupon:RETAIN25-3M" if coupon else "pause:2m"
            intents.append(past(sub, "saved", offer, action))
            timeline.append(
                (
                    f"save:{action}",
                    sub,
                    resolved,
                    "console_save",
                    f'{{"action_id": "{action}", "operator": "{rng.choice(OPERATORS)}"}}',
                )
            )
            saves.append(sub)
            ledger.append((sub, resolved, now))
            discount = f"di_hist{n:08d}"
            for month, created in enumerate(range(resolved + 30 * DAY, now, 30 * DAY)):
                off = mrr // 4 if coupon and month < 3 else 0
                status = "paid" if rng.random() > 0.03 else rng.choice(("open", "uncollectible"))
                paid = mrr - off if status == "paid" else 0
                invoices.append(
                    LedgerInvoice(f"in_hist{n:08d}_{month:02d}", sub, created, currency, status, paid, mrr - off,
                                  ((discount, off),) if off else (), 1 if status == "paid" else 4)
                )  # fmt: skip
            if coupon:
                cache.db.conn.execute(
                    "INSERT OR REPLACE INTO discounts (id, coupon_id, subscription_id) VALUES (?, ?, ?)",
                    (discount, RETAIN.id, sub),
                )
        cache.db.conn.executemany(
            "INSERT OR IGNORE INTO intents (id, subscription_id, customer_id, scheduled_at, feedback, comment, mrr_minor, currency,"
            " resolution, resolved_at, offer, action_id, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            intents,
        )
        cache.db.conn.executemany("INSERT OR REPLACE INTO timeline VALUES (?, ?, ?, ?, ?)", timeline)
        cache.put_invoices(invoices, [])
        cache.db.conn.executemany("INSERT OR REPLACE INTO save_ledger VALUES (?, ?, ?)", ledger)
    cache.set_meta("first_sync_at", now - months * 30 * DAY)
    cache.close()
    counts.update(intents=len(intents), saves=len(saves), invoices=len(invoices))
    return counts


DECLINES = (("insufficient_funds", 45), ("generic_decline", 25), ("expired_card", 15), ("lost_card", 15))


def add_failures(data: Path, total: int, failing: int, seed: int = 9) -> int:
    """`failing` of a cached_account's active (not pending) subscriptions past due, each with an open invoice whose
    payment failed 1-7 times over the last two weeks and its last decline read (the mix of sandbox/seed_cards.py), as
    the failed-payments desk keeps them (store/failures.py). Returns how many were written."""
    import json

    rng = random.Random(seed)
    now = int(NOW.timestamp())
    cache = Cache.for_account(data, ACCOUNT, False)
    pending = sum(cache.pending_by_currency().values())
    chosen = rng.sample(range(pending, total), failing)
    rows, subs = [], []
    for k, index in enumerate(chosen):
        sub, cus = f"sub_bench{index:08d}", f"cus_bench{index:08d}"
        currency = rng.choice(("usd", "usd", "eur", "jpy"))
        amount = {"usd": 1900, "eur": 1700, "jpy": 2800}[currency] * rng.choice((1, 1, 5))
        created = now - rng.randrange(14 * DAY)
        attempts = 1 + (now - created) // (2 * DAY)
        code = rng.choices([c for c, _ in DECLINES], [w for _, w in DECLINES])[0]
        hard = code in ("expired_card", "lost_card")
        nxt = None if hard else created + attempts * 2 * DAY
        decline = {"attempt": attempts, "code": "expired_card" if code == "expired_card" else "card_declined",
                   "decline_code": None if code == "expired_card" else code, "advice_code": None, "message": None,
                   "payment_method": f"pm_bench{index:08d}", "brand": rng.choice(("visa", "mastercard")),
                   "last4": f"{rng.randrange(10000):04d}", "exp_month": rng.randint(1, 12), "exp_year": 2027}  # fmt: skip
        rows.append((f"in_fail{k:08d}", sub, cus, currency, amount, "open", attempts, nxt, created, None, json.dumps(decline)))
        subs.append((sub,))
    with cache.bulk(), cache.transaction():
        cache.db.conn.executemany(
            "INSERT OR REPLACE INTO failed_invoices (id, subscription_id, customer_id, currency, amount_due, status,"
            " attempt_count, next_attempt, created, hosted_url, decline) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        cache.db.conn.executemany("UPDATE subscriptions SET status = 'past_due' WHERE id = ?", subs)
    cache.close()
    return len(rows)
