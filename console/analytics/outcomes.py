"""Each cancellation intent resolved to an outcome, from the cache (sync, metadata) and the journal."""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Cache
from ..store.span import Span, among

LATE_LOSS_S = 90 * 86400
DAY = 86400


@dataclass(frozen=True)
class Outcome:
    """One time a customer asked to cancel, and what came of it.

    `kind`: saved_operator (an operator's offer: coupon, pause or revoke), saved_customer (revoked on
    their own), churned (it ended) or pending. A save followed by the end within 90 days is a late loss.
    """

    intent_id: str
    subscription_id: str
    scheduled_at: int
    resolved_at: int | None
    feedback: str | None
    currency: str
    mrr_at_stake: int
    kind: str
    offer: str | None  # coupon, pause, revoke for operator saves
    offer_code: str | None
    ended_at: int | None  # when the subscription ended, if it has
    feedback_option: str | None = None  # a custom reason's id (fo_…), when the customer picked one
    feedback_text: str | None = None  # its text
    action_id: str | None = None  # the console action that saved it (operator saves)
    variant: str | None = None  # "experiment:label" when a playbook experiment assigned the row an offer

    @property
    def reason_key(self) -> str | None:
        """What outcomes group by: the custom reason (fo_…) where one was chosen, else the survey code."""
        return self.feedback_option or self.feedback

    @property
    def saved(self) -> bool:
        return self.kind in ("saved_operator", "saved_customer")

    @property
    def late_loss(self) -> bool:
        return (
            self.saved
            and self.ended_at is not None
            and self.resolved_at is not None
            and self.ended_at - self.resolved_at <= LATE_LOSS_S
        )

    @property
    def mrr_kept(self) -> int:
        return self.mrr_at_stake if self.saved and not self.late_loss else 0

    def subscribed_after(self, days: int, now: int) -> bool | None:
        """Still subscribed `days` after the save (None while that day is still to come)."""
        if not self.saved or self.resolved_at is None:
            return None
        day = self.resolved_at + days * DAY
        if day > now:
            return None
        return self.ended_at is None or self.ended_at > day


def offer_family(code: str | None) -> str | None:
    """coupon:RETAIN25-3M -> coupon, pause:2m -> pause, revoke -> revoke."""
    if not code:
        return None
    return code.split(":", 1)[0]


def outcomes(cache: Cache, span: Span | None = None) -> list[Outcome]:
    """Every intent but the undone ones (an undone save is replaced by the new intent it reopened); with `span`,
    those of the subscriptions asked about in it: a range's report needs no other subscription's story."""
    where, params = among("id", span, "AND")
    ended = {
        r["id"]: r["ended_at"]
        for r in cache.db.query(f"SELECT id, ended_at FROM subscriptions WHERE ended_at IS NOT NULL{where}", params)
    }
    out = []
    for i in cache.intent_rows(span):
        resolution = i["resolution"]
        if resolution == "undone":
            continue
        kind = {"saved": "saved_operator", "revoked": "saved_customer", "ended": "churned", "pending": "pending"}.get(resolution)
        if kind is None:
            continue
        out.append(
            Outcome(
                intent_id=i["id"],
                subscription_id=i["subscription_id"],
                scheduled_at=i["scheduled_at"],
                resolved_at=i["resolved_at"],
                feedback=i["feedback"],
                currency=i["currency"],
                mrr_at_stake=i["mrr_minor"],
                kind=kind,
                offer=offer_family(i["offer"]) if kind == "saved_operator" else None,
                offer_code=i["offer"] if kind == "saved_operator" else None,
                ended_at=ended.get(i["subscription_id"]) if kind != "churned" else i["resolved_at"],
                feedback_option=i["feedback_option"],
                feedback_text=i["feedback_text"],
                action_id=i["action_id"] if kind == "saved_operator" else None,
                variant=i["variant"],
            )
        )
    return out
