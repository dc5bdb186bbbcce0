"""What the queue tab shows, read from the cache in one go (on a worker thread after a sync)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.desk import LAPSE_DAYS
from ..domain.models import Coupon
from ..domain.playbook import Playbook
from ..domain.queue import QueueRow
from ..errors import ConsoleError
from .desk_settings import DeskSettings
from .workspace import Workspace


@dataclass(frozen=True)
class QueueData:
    """The queue's rows with their recommended offers, the coupons and portal configurations to offer."""

    playbook: Playbook
    rows: list[QueueRow]
    offers: dict[str, str]
    coupons: list[Coupon]
    configurations: list[Any]
    synced_at: int | None
    total: int | None = None  # with `head`: how many pending cancellations there are in all
    lapse_days: int = LAPSE_DAYS  # the save desk's: a claim older than this without activity is nobody's
    unfinished: str | None = None  # a full sync stopped before its end: the queue is partial (Workspace.unfinished_sync)

    @classmethod
    def read(
        cls, workspace: Workspace, head: int | None = None, known: Callable[[str], QueueRow | None] | None = None
    ) -> QueueData:
        """Touches no widget: safe on a worker thread, so the GUI thread only fills the model. With `head`, only
        the first rows the window shows (the rest read on a worker afterwards); `known`: see Cache.queue."""
        playbook = workspace.playbook()
        groups = workspace.cache.pending_by_currency() if head is not None else None  # the head's order and the total
        rows = workspace.cache.queue(head, known, groups)
        coupons = {c.id: c for c in workspace.cache.coupons()}
        offers = {r.subscription_id: playbook.recommend(r, r.interval)[0].describe(coupons) for r in rows}
        total = sum(groups.values()) if groups is not None else None
        try:
            lapse = DeskSettings.load(workspace.data_dir).lapse_days
        except ConsoleError:  # a desk.json that cannot be read is said when the desk is used; the queue still shows
            lapse = LAPSE_DAYS
        return cls(
            playbook,
            rows,
            offers,
            list(coupons.values()),
            workspace.cache.portal_configurations(),
            workspace.last_synced(),
            total,
            lapse,
            workspace.unfinished_sync(queue=True),
        )
