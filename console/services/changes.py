"""What an operation changed, so each page refreshes only what it shows (like Anki's OpChanges)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Changes:
    queue: bool = False  # pending cancellations, their offers and states
    journal: bool = False  # actions and their states
    coupons: bool = False  # the account's coupons (the offers menu, the playbook's choices)
    portal: bool = False  # portal configurations and custom reasons
    outcomes: bool = False  # intents and how they ended (the Outcomes tab)
    overview: bool = False  # the account's headline figures
    failed: bool = False  # failed payments: their invoices, declines and desk states
    playbook: bool = False  # the playbook's settings (the recovery report's attribution order and window, hold-out)

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NOTHING = Changes()
AFTER_ACTION = Changes(queue=True, journal=True, outcomes=True)  # a save, pause, revoke, undo or retry
AFTER_SYNC = Changes(queue=True, journal=True, coupons=True, portal=True, outcomes=True, overview=True, failed=True)
AFTER_CHARGE = Changes(journal=True, failed=True)  # retry now, paid another way
AFTER_FAILED_PAUSE = Changes(queue=True, journal=True, failed=True)  # a failed payment's pause, its undo


@dataclass(frozen=True)
class Done(Generic[T]):
    """An operation's result and what it changed."""

    result: T
    changes: Changes = NOTHING
