"""An account's workspace: its cache, and its gateway when online. Opens offline from the last account."""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta

from ..actions import Actions
from ..actions.desk import DeskWriter
from ..actions.failed_pause import FailedPause
from ..actions.locks import SubscriptionLocks
from ..actions.recovery import Recovery
from ..domain import desk, stamp
from ..domain.action import Action
from ..domain.models import Account
from ..domain.mrr import Valuation
from ..domain.offers import action_words
from ..domain.playbook import Playbook
from ..domain.queue import QueueRow
from ..errors import ConsoleError
from ..heap import collector_paused
from ..paths import tighten
from ..store import Cache
from ..store.database import sqlite_utils_module
from ..store.journal import Journal
from ..store.queue_reads import JsonSpool
from ..store.schema import DatabaseDamaged, DatabaseUnavailable, what_failed
from ..sync.full import unfinished
from ..sync.holdout import assign_holdouts
from ..sync.report import Progress, SyncReport, no_progress
from .desk_settings import DeskSettings

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway
    from ..sync.opening import Opening

log = logging.getLogger(__name__)
LAST_ACCOUNT = "last_account.json"
PLAYBOOK = "playbook.json"
LTV_MAX_AGE_S = 24 * 3600


@dataclass
class Workspace:
    """What the window and the CLI work with; `gateway` is None while offline."""

    data_dir: Path
    account: Account
    cache: Cache
    gateway: StripeGateway | None = None
    _journal: Journal | None = field(default=None, repr=False)
    _opening: Opening | None = field(default=None, repr=False)  # a full sync's first reads, begun beside the check

    @classmethod
    def connect(
        cls, gateway: StripeGateway, data_dir: Path, name: str = "", *, syncing: bool = False, full: bool = False
    ) -> Workspace:
        """Ask Stripe which account the key belongs to and open that account's cache.

        `name` is shown when the key may not read the account's own name (restricted keys). `syncing`: a sync
        follows (`full`: asked for in full); when it is known to be a full one (asked, or the first in this data
        dir, whose cache cannot exist yet), what it reads before its first page goes beside this check, not after."""
        new_dir = not cls.exists(data_dir)
        opening = None
        if syncing and (full or new_dir):
            from ..sync.opening import Opening  # the engine's reads, imported when a sync comes

            opening = Opening.start(gateway, stream=new_dir)
        if new_dir or syncing:  # a new cache's schema, and a sync's pages, are written through sqlite-utils: imported
            # during the check's round trip (after it, 0.13 s before a `sync --full`'s first page)
            threading.Thread(target=sqlite_utils_module, kwargs={"beside_reads": True}, name="store-import").start()
        try:
            account = gateway.account(name)
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            tighten(data_dir)
            (data_dir / LAST_ACCOUNT).write_text(
                json.dumps({"id": account.id, "name": account.name, "livemode": account.livemode})
            )
            workspace = cls(data_dir, account, Cache.for_account(data_dir, account.id, account.livemode), gateway)
        except BaseException:
            if opening is not None:
                opening.close()
            raise
        workspace._opening = opening
        return workspace

    @staticmethod
    def exists(data_dir: Path) -> bool:
        """Has any account been used here (without opening its cache)?"""
        return (data_dir / LAST_ACCOUNT).exists()

    @classmethod
    def last(cls, data_dir: Path, *, check: bool = True) -> Workspace | None:
        """The cache of the last account used here (no network), or None. `check=False`: see Cache."""
        try:
            info = json.loads((data_dir / LAST_ACCOUNT).read_text())
        except (OSError, ValueError):
            return None
        account = Account(id=info["id"], name=info["name"], livemode=bool(info["livemode"]))
        return cls.cached(data_dir, account, check=check)

    @classmethod
    def cached(cls, data_dir: Path, account: Account, *, check: bool = True) -> Workspace | None:
        """An account's cache without the network (None when it was never synced here)."""
        path = data_dir / f"{account.id}-{'live' if account.livemode else 'test'}.sqlite3"
        return cls(data_dir, account, Cache(path, livemode=account.livemode, check=check)) if path.exists() else None

    def attach(self, gateway: StripeGateway, name: str = "") -> Workspace:
        """Go online: the same account, now reachable (or another one, which gets its own cache)."""
        account = gateway.account(name or self.account.name)
        if account.id == self.account.id and account.livemode == self.account.livemode:
            self.gateway = gateway
            return self
        return Workspace.connect(gateway, self.data_dir, name)

    @property
    def online(self) -> bool:
        return self.gateway is not None

    def need_gateway(self) -> StripeGateway:
        if self.gateway is None:
            raise ConsoleError("Stripe is not connected.", "Connect, then try again.")
        return self.gateway

    # queue ---------------------------------------------------------------------------
    def sync(
        self, *, full: bool = False, progress: Progress = no_progress, queue_ready: Callable[[SyncReport], None] | None = None
    ) -> SyncReport:
        self.cache.verify()  # a cache the window opened unchecked is checked now, before anything is written
        try:
            with collector_paused():
                from ..sync.engine import sync  # the engine and its requests, imported at the first sync

                opening, self._opening = self._opening, None  # for this sync only
                report = sync(
                    self.need_gateway(), self.cache, full=full, progress=progress, queue_ready=queue_ready, opening=opening
                )
        except DatabaseUnavailable as exc:
            if (words := self.unfinished_sync()) is None:
                raise
            # pages were stored before the failure: "nothing was changed" would be wrong, and the queue is partial
            raise DatabaseUnavailable(f"{what_failed(exc)}. {words}", exc.hint) from exc
        book = self.playbook()
        if assigned := assign_holdouts(self.need_gateway(), self.cache, report, book.holdout_percent, book.holdout_since):
            report.notes.append(f"{assigned} new failed payment{'s' if assigned != 1 else ''} assigned to the hold-out's groups")
        if finished := self.finish_interrupted():
            states = ", ".join(f"{a.id} {a.state}" for a in finished)
            report.notes.append(f"{len(finished)} action{'s' if len(finished) != 1 else ''} interrupted earlier: {states}")
        if self.journal.set_aside is not None and not self.cache.get_meta("journal_recovered"):
            subs = self.cache.subscriptions(
                r["id"] for r in self.cache.db.query(f"SELECT id FROM subscriptions WHERE metadata LIKE '%{stamp.PREFIX}action%'")
            )
            recovered = self.journal.recover_from_metadata(subs.values(), self.account.livemode)
            self.cache.set_meta("journal_recovered", len(recovered))
            report.skipped.append(
                f"the journal was damaged and set aside as {self.journal.set_aside.name}; {len(recovered)} saves recovered from Stripe's metadata"
            )
        if self.cache.set_aside is not None:
            report.notes.append(f"the cache was damaged and set aside as {self.cache.set_aside.name}; rebuilt from Stripe")
            self.cache.set_aside = None
        if overridden := self.actions("sync").reconcile_overridden():
            report.notes.append("; ".join(f"{a.customer_name or a.subscription_id}: {a.error}" for a in overridden))
        if copies := self.journal.damaged_copies():
            report.notes.append(
                f"{len(copies)} damaged journal cop{'ies' if len(copies) > 1 else 'y'} kept aside ({copies[0].name}): "
                "recover its actions with Journal → Recover or `churn-console journal --recover-damaged`"
            )
        return report

    def recover_damaged_journals(self) -> list[tuple[Path, int]]:
        """Merge back what each damaged journal copy still holds; each copy is kept, renamed `….merged`."""
        return [(copy, self.journal.merge_damaged(copy)) for copy in self.journal.damaged_copies()]

    def finish_interrupted(self) -> list[Action]:
        """Actions journaled but never recorded as done (the console was killed mid-request): look
        at Stripe and finish or report each; never applies one twice (see Actions.recover)."""
        if self.gateway is None:
            return []
        actions = self.actions("recovery")
        if not self.journal.in_state("pending") and not actions.unsettled_failures():
            return []
        finished = actions.recover()  # resumed actions re-send their own journaled params
        finished += DeskWriter(self.gateway, self.cache, self.journal, "recovery", actions.locks).finish_interrupted()
        finished += self.recovery("recovery").recover()  # a failed payment's charge: its own key, never twice
        finished += self.failed_pause("recovery").recover()  # a failed payment's pause: each step once
        for action in finished:
            log.info("interrupted action %s (%s) is now %s", action.id, action.kind, action.state)
        return finished

    def queue(self, head: int | None = None, known: Callable[[str], QueueRow | None] | None = None) -> list[QueueRow]:
        return self.cache.queue(head, known)

    def queue_json(
        self, now: int, *, sort: str = "mrr", reason: str | None = None, owner: str | None = None, due: bool | None = None
    ) -> list[str]:
        """The queue as the CLI prints it, one JSON object a row (store/queue_reads.py), at `now` (epoch seconds);
        `owner`/`due` as the save desk says (claims lapse after desk.json's lapse_days); on a cache opened
        unchecked, checked beside the read (Cache.read_checked)."""
        with self.queue_spool(now, sort=sort, reason=reason, owner=owner, due=due) as spool:
            return spool.lines()

    def queue_spool(
        self, now: int, *, sort: str = "mrr", reason: str | None = None, owner: str | None = None, due: bool | None = None
    ) -> JsonSpool:
        """queue_json's rows kept in a temporary file and read back a chunk at a time (what `queue --format json`
        prints: a large queue is never held whole). Checked like queue_json before a row is given out."""
        lapse = self._lapse(owner)
        return self.cache.read_checked(
            lambda: self.cache.queue_spool(now, sort=sort, reason=reason, owner=owner, due=due, lapse_days=lapse)
        )

    def _lapse(self, owner: str | None) -> int:
        """After how many days a claim lapses, when the queue is asked by owner (desk.json's setting)."""
        return DeskSettings.load(self.data_dir).lapse_days if owner is not None else desk.LAPSE_DAYS

    def queue_blocks(
        self, now: int, *, sort: str = "mrr", reason: str | None = None, owner: str | None = None, due: bool | None = None
    ) -> Iterator[bytes]:
        """queue_spool's rows as UTF-8 blocks of JSON texts, a line each, to write out as they come: straight from
        SQLite when the file passed its check unchanged since (store/soundness.py: no verdict to wait for), else
        through the spool, given out once the check passed. Damage met on the way is checked, and a damaged file set
        aside: the output then ends with the error, never as if complete (the command exits non-zero)."""
        if self.cache.unchecked:
            with self.queue_spool(now, sort=sort, reason=reason, owner=owner, due=due) as spool:
                yield from spool.blocks()
            return
        try:
            yield from self.cache.queue_blocks(now, sort=sort, reason=reason, owner=owner, due=due, lapse_days=self._lapse(owner))
        except DatabaseDamaged:
            self.cache.unchecked = True  # its stamp said sound: check it now, and set it aside if it is not
            if self.cache.verify():
                raise
            raise self.cache.damage() from None

    def unfinished_sync(self, *, queue: bool = False) -> str | None:
        """Said wherever the cache is shown while a full sync has not finished: what it shows is partial, not whole
        (`queue`: where only the queue is shown, said only while the queue itself is partial)."""
        if (stopped := unfinished(self.cache, queue=queue)) is None:
            return None
        done, total = stopped
        pages = f"{done:,} of about {total:,} pages" if total else f"{done:,} page{'s' if done != 1 else ''} read"
        return f"The last sync did not finish: {pages}. Sync again to complete the queue."

    def last_synced(self) -> int | None:
        found = self.cache.get_meta("last_sync_at")
        return int(found) if found is not None else None

    def timeline(self, sub_id: str) -> list[dict[str, Any]]:
        return self.cache.timeline(sub_id)

    def mrr_explained(self, sub_id: str) -> Valuation | None:
        """How the subscription's MRR was worked out (list, tiers or usage, discounts), in words."""
        sub = self.cache.subscription(sub_id)
        return self.cache.valuation(sub) if sub is not None else None

    def lifetime_value(self, customer_id: str, *, refresh: bool = False) -> dict[str, tuple[int, int]]:
        """Paid invoices per currency: from the cache when fresh, else read from Stripe and cached."""
        cached = self.cache.lifetime_value(customer_id)
        fresh = cached and time.time() - cached[0]["computed_at"] < LTV_MAX_AGE_S
        if cached and (fresh or self.gateway is None) and not refresh:
            return {r["currency"]: (r["paid_minor"], r["invoices"]) for r in cached}
        paid = self.need_gateway().paid_invoices(customer_id)
        self.cache.set_lifetime_value(customer_id, paid, int(time.time()))
        return paid

    # actions -----------------------------------------------------------------------------
    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = Journal.for_account(self.data_dir, self.account.id, self.account.livemode)
        return self._journal

    def actions(self, operator: str) -> Actions:
        return Actions(
            self.need_gateway(), self.cache, self.journal, operator, guard=self.second_discount, assign=self.variant_of
        )

    def recovery(self, operator: str) -> Recovery:
        """The failed-payments desk's charges (retry now, paid another way), as `operator`."""
        return Recovery(
            self.need_gateway(), self.cache, self.journal, operator, SubscriptionLocks(self.journal.path.parent / "locks")
        )

    def failed_pause(self, operator: str) -> FailedPause:
        """The failed-payments desk's pause instead of the end (and its undo), as `operator`."""
        recovery = self.recovery(operator)
        return FailedPause(recovery.gateway, self.cache, self.journal, operator, recovery.locks, recovery.row)

    def variant_of(self, sub_id: str) -> str | None:
        """The playbook experiment's variant for this row (`experiment:label`), recorded with its save, or None."""
        row = self.cache.queue_row_of(sub_id)
        return None if row is None else self.playbook().assignment(row, row.interval)

    def second_discount(self, sub_id: str) -> str | None:
        """Why the playbook gives this subscription no discount now (saved with one within its window), or None."""
        playbook, saved = self.playbook(), self.cache.discount_saves([sub_id]).get(sub_id)  # by the index: on a click
        if not playbook.no_repeat_discount or saved is None:
            return None
        at = datetime.fromtimestamp(saved[0], UTC)
        if at <= datetime.now(UTC) - relativedelta(months=playbook.repeat_months):
            return None
        what = action_words("save", saved[1], {c.id: c for c in self.cache.coupons()}).lower()
        return (
            f"This customer was {what} on {at:%d %b %Y}: the playbook gives no second discount within "
            f"{playbook.repeat_months} months."
        )

    def with_saves(self, row: QueueRow) -> QueueRow:
        """The row with its last discount save (for a row built from Stripe, not read from the cache)."""
        saved = self.cache.discount_saves([row.subscription_id]).get(row.subscription_id)
        if saved is None:
            return row
        return dataclasses.replace(row, discount_saved_at=datetime.fromtimestamp(saved[0], UTC), discount_saved_offer=saved[1])

    def playbook(self) -> Playbook:
        return Playbook.load(self.data_dir / PLAYBOOK)

    def save_playbook(self, playbook: Playbook) -> None:
        playbook.save(self.data_dir / PLAYBOOK)

    def close(self) -> None:
        if self._opening is not None:
            self._opening.close()
            self._opening = None
        self.cache.close()
        if self._journal is not None:
            self._journal.close()
