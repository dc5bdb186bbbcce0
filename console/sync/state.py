"""Record subscriptions' new state in the cache: sync (pages and events) and actions all come here."""

from __future__ import annotations

from typing import Any

from ..domain import desk, stamp
from ..domain.models import Subscription
from ..store import Cache
from . import intents


def record(
    cache: Cache,
    subs: list[Subscription],
    synced_at: int,
    *,
    seen_at: int | None = None,
    previous: dict[str, Any] | None = None,
    every: bool = True,
) -> list[Subscription]:
    """Write `subs` (valued: domain/mrr.py) and what their state says about cancellation intents, in one
    transaction; returns the observed ones, valued. `seen_at` is when the state was seen (default `synced_at`),
    `previous` an event's previous attributes. With `every=False` (a full sync's pages), only subscriptions
    with something to record are observed (and valued objects built for): pending, ended, with an open intent,
    or saved by a console, or carrying a rep's recovery marks (a retry, a pause, a card-update link as the desk's last
    change: their timeline lines are what the recovery report credits reps from); every=True observes them all."""
    with cache.transaction():
        open_ids = set() if every else cache.with_open_intents([s.id for s in subs])

        def observed(sub: Subscription) -> bool:
            marked = stamp.has_save(sub.metadata) or stamp.has_credit(sub.metadata) or desk.sent_link(sub.metadata)
            return every or sub.pending_cancellation or sub.ended or sub.id in open_ids or marked

        valued = cache.upsert_subscriptions(subs, synced_at=synced_at, back=observed)
        for sub in valued:
            intents.observe(cache, sub, synced_at if seen_at is None else seen_at, previous=previous)
    return valued
