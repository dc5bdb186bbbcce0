"""One operator action as the journal records it: what was done, to whom, with what consent, and how it ended."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

# desk: take, release, note, contact attempt; charge: a failed payment's "retry now" or "paid another way"
ActionKind = Literal["save", "pause", "revoke", "contact", "undo", "desk", "charge"]
# overridden: applied, then another console (on another machine) saved the same customer right after; its
# offer is the one on the subscription (requests.save_update writes the offer state whole).
# declined: a charge Stripe made and the card's bank declined (the invoice's attempt counted, nothing collected)
ActionState = Literal["pending", "applied", "failed", "refused", "undone", "overridden", "declined"]
KINDS: tuple[ActionKind, ...] = get_args(ActionKind)
STATES: tuple[ActionState, ...] = get_args(ActionState)
UNDOABLE: tuple[ActionKind, ...] = ("save", "pause", "revoke")  # what changed Stripe and can be put back
KIND_OF_OFFER: dict[str, ActionKind] = {"coupon": "save", "pause": "pause", "revoke": "revoke", "contact": "contact"}
FAILED_PAUSE = "pause:failed"  # a failed payment's subscription paused instead of lost (actions/failed_pause.py)


@dataclass(frozen=True)
class Consent:
    """How the customer agreed: a channel (call, email, chat, ticket, in_app) and an optional note or link."""

    channel: str
    note: str | None = None


@dataclass
class Action:
    """One operator action. `id` and `idempotency_key` exist before anything is sent."""

    id: str
    created_at: int
    operator: str
    subscription_id: str
    customer_id: str
    kind: ActionKind
    offer_code: str
    consent_channel: str | None
    consent_note: str | None
    idempotency_key: str
    livemode: bool
    customer_name: str | None = None
    mrr_minor: int = 0
    currency: str = ""
    params: dict[str, Any] = field(default_factory=dict)  # the exact request(s), re-sent on retry
    before: dict[str, Any] = field(default_factory=dict)  # what undo restores
    state: ActionState = "pending"
    request_id: str | None = None
    error: str | None = None
    retryable: bool = False
    undo_of: str | None = None
    undone_by: str | None = None
    applied_at: int | None = None
    attempts: int = 0

    @property
    def row_owner(self) -> str:
        """Whose row it was on the save desk when another operator acted on it ("" when it was the operator's own,
        or nobody's): allowed, and said in the journal (domain/desk.py)."""
        owner = str(self.before.get("desk_owner") or "")
        return owner if owner != self.operator else ""

    @property
    def failed_desk(self) -> bool:
        """A failed payment's action (a charge, a pause instead of the end, that pause's undo): the failed-payments
        desk sends, resends and undoes it (actions/recovery.py, actions/failed_pause.py), never the save actions."""
        return self.kind == "charge" or self.offer_code in (FAILED_PAUSE, f"undo:{FAILED_PAUSE}")

    def operator_words(self) -> str:
        """`Dana (CS) (Sam's row)`, or the operator's name alone."""
        return f"{self.operator} ({self.row_owner}'s row)" if self.row_owner else self.operator

    def row(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out["params"] = json.dumps(self.params)  # insertion order: a retry sends exactly the same request
        out["before"] = json.dumps(self.before, sort_keys=True)
        out["livemode"] = int(self.livemode)
        out["retryable"] = int(self.retryable)
        return out

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Action:
        data = dict(row)
        data["params"] = json.loads(data["params"])
        data["before"] = json.loads(data["before"])
        data["livemode"] = bool(data["livemode"])
        data["retryable"] = bool(data["retryable"])
        return cls(**data)
