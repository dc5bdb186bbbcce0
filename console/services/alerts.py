"""What a sync tells the people at the desk, while the window runs: new pending cancellations and new failed
payments (above the MRR the user set), and, for a row's owner, that their customer revoked, was saved by someone
else, ended, was taken by another rep, put a new card on file after a failed payment, or paid it. Worked out from the sync's report and the cache, after each sync but the window's first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from ..domain import desk, stamp
from ..domain.feedback import label
from ..domain.models import Subscription
from ..domain.money import format_money, to_major
from ..sync.report import SyncReport as SyncReport  # re-exported: the window's alerts take one
from .workspace import Workspace


@dataclass(frozen=True)
class Alert:
    """People's names (customers', reps') are only ever in `title`, which notification servers show as plain text;
    `text` holds the console's own words (a notification body may be read as markup by the desktop)."""

    kind: str  # new | revoked | saved_elsewhere | ended | taken | failed | card_updated | recovered
    subscription_id: str
    title: str
    text: str


class Watch:
    """Remembers which pending cancellations the operator owns, to tell them what became of each."""

    def __init__(self) -> None:
        self.mine: dict[str, str] = {}  # subscription id -> the customer's name, for the rows the operator owns
        self.failing: set[str] = set()  # the failed-payments queue's subscriptions at the last sync
        self.mine_failing: dict[str, str] = {}  # those the operator owns -> the customer's name
        self.new_card: set[str] = set()  # those whose customer has put a card on file since its decline
        self.started = False

    def after_sync(self, workspace: Workspace, report: SyncReport, me: str, min_mrr: float = 0.0) -> list[Alert]:
        """The alerts this sync raises (none for the window's first: everything is new then)."""
        first, self.started = not self.started, True
        cache, out = workspace.cache, []
        if not first:
            new = cache.subscriptions(sorted(report.queue_after - report.queue_before))
            for sub in sorted(new.values(), key=lambda s: -s.mrr_minor):
                if to_major(sub.mrr_minor, sub.currency) >= min_mrr:
                    out.append(_new(sub))
            now = datetime.now(UTC)
            owned = cache.subscriptions(list(self.mine))
            for sub_id, name in self.mine.items():
                mine = owned.get(sub_id)
                if mine is not None and (alert := _what_became(mine, name, me, now, report)):
                    out.append(alert)
            out += self._failures(workspace, min_mrr)
        self.remember(workspace, me)
        return out

    def _failures(self, workspace: Workspace, min_mrr: float) -> list[Alert]:
        """A new failed payment at or above the MRR the user set; for its owner, a new card on file, and the invoice paid."""
        rows = {r.subscription_id: r for r in workspace.cache.failed_rows(workspace.cache.livemode)}
        out = []
        for sub_id in sorted(rows.keys() - self.failing, key=lambda s: -rows[s].mrr_minor):
            row = rows[sub_id]
            if to_major(row.mrr_minor, row.collection.currency) >= min_mrr:
                money = format_money(row.collection.amount_due, row.collection.currency)
                who = row.customer_name or row.email or row.customer_id
                out.append(Alert("failed", sub_id, f"Payment failed: {who}", f"{money} due · {row.decline_words()}"))
        for sub_id, name in self.mine_failing.items():
            mine = rows.get(sub_id)
            if mine is not None and mine.card_changed and sub_id not in self.new_card:
                text = "Retry now charges it (or wait for Stripe's next retry)."
                out.append(Alert("card_updated", sub_id, f"{name} has a new card on file", text))
        paid = workspace.cache.subscriptions([s for s in self.mine_failing if s not in rows])
        for sub_id, sub in paid.items():
            if sub.status == "active":
                name = self.mine_failing[sub_id]
                out.append(
                    Alert("recovered", sub_id, f"{name} paid", "The failed invoice was paid: the subscription is active again.")
                )
        return out

    def remember(self, workspace: Workspace, me: str) -> None:
        lines = workspace.queue_json(int(datetime.now(UTC).timestamp()), owner=me) if me else []
        records = [orjson.loads(line) for line in lines]
        self.mine = {r["subscription"]: r["name"] or r["email"] or r["customer"] for r in records}
        rows = workspace.cache.failed_rows(workspace.cache.livemode)
        self.failing = {r.subscription_id for r in rows}
        now = datetime.now(UTC)
        self.mine_failing = {
            r.subscription_id: r.customer_name or r.email or r.customer_id for r in rows if me and r.desk.owner_now(now) == me
        }
        self.new_card = {r.subscription_id for r in rows if r.card_changed}


def _who(sub: Subscription) -> str:
    return sub.customer_name or sub.customer_email or sub.customer_id


def _new(sub: Subscription) -> Alert:
    reason = sub.feedback_text or label(sub.feedback)
    money = format_money(sub.mrr_minor, sub.currency)
    return Alert("new", sub.id, f"New cancellation: {_who(sub)}", f"{money}/mo at stake · {reason}")


def _what_became(sub: Subscription, name: str, me: str, now: datetime, report: SyncReport) -> Alert | None:
    if sub.id in report.queue_after:  # still pending: taken by someone else?
        owner = desk.read(sub.metadata).owner_now(now)
        if owner and owner != me:
            return Alert("taken", sub.id, f"{owner} took {name}", "They own it now; your claim was replaced.")
        return None
    if sub.ended:
        return Alert("ended", sub.id, f"{name} has ended", "The subscription was canceled as the customer asked.")
    saved = stamp.read(sub.metadata)
    if saved is not None and saved.operator != me:
        when = f"{saved.at:%d %b %H:%M} UTC" if saved.at else "at an unknown time"
        return Alert(
            "saved_elsewhere",
            sub.id,
            f"{name} was saved by {saved.operator or 'another operator'}",
            f"Saved from another console, {when}.",
        )
    if saved is None:
        return Alert("revoked", sub.id, f"{name} revoked their cancellation", "The customer is staying, on their own.")
    return None  # saved by the operator themselves: they know
