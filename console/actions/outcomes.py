"""What an operator is told when an action did not end as sent: replaced by another console's, or not recorded."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..domain import stamp
from ..domain.action import KIND_OF_OFFER, Action
from ..domain.models import Coupon
from ..domain.offers import action_words
from ..errors import ConsoleError
from ..store import Cache
from ..store.journal import Journal
from ..store.schema import DatabaseError, DatabaseUnavailable, what_failed
from ..sync.state import record as record_state

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
SETTLE_TRIPS, SETTLE_MIN_S, SETTLE_MAX_S = 3, 0.1, 2.0  # the second read-back after a save: see read_back()


class SaveReplaced(ConsoleError):
    """Our action was applied, then another console's landed after it: the customer has the other's terms."""

    def __init__(self, message: str, hint: str, action: Action) -> None:
        super().__init__(message, hint)
        self.action = action
        self.action_id = action.id


def replaced_words(other: stamp.Stamp, coupons: Mapping[str, Coupon]) -> str:
    """`Bob's save (30% off for 2 months) landed after yours; the customer has Bob's offer.`"""
    who = other.operator or "Another operator"
    kind = KIND_OF_OFFER.get(other.offer.partition(":")[0], "save")
    what = action_words(kind, other.offer, coupons)
    what = what.removeprefix("Saved with ")
    what = what[:1].lower() + what[1:]
    return f"{who}'s save ({what}) landed after yours; the customer has {who}'s offer."


def recorded_later(exc: DatabaseError, what: str, action_id: str | None = None) -> DatabaseError:
    """A local write that failed after Stripe applied the change: say that Stripe has it, and how it is recorded."""
    cause = what_failed(exc)
    out = DatabaseUnavailable(
        f"Done on Stripe ({what}), but this console could not record it: {cause[:1].lower()}{cause[1:]}.",
        "Do not send it again. Free some space (or close the other program), then sync: the journal and the queue catch up.",
    )
    out.action_id = action_id
    return out


def read_back(gateway: StripeGateway, cache: Cache, journal: Journal, action: Action, clock: Callable[[], float]) -> Action:
    """Two consoles on two machines saving one customer at once: both sends land and Stripe keeps the later.
    Read the subscription back: when another console's action is named there, ours was replaced, and the
    operator is told now (SaveReplaced), not at the next sync. A read that fails leaves it to that sync."""
    for attempt in range(2):
        started = time.monotonic()
        try:
            back = gateway.subscription(action.subscription_id)
        except ConsoleError as exc:
            log.info("could not read back %s after action %s: %s", action.subscription_id, action.id, exc)
            return action
        other = stamp.read(back.metadata)
        if other is not None and other.action_id and other.action_id != action.id:
            break
        if attempt == 0:
            # A console that re-read before our write landed may still be sending: its coupon look-up and its
            # update follow its re-read, a round trip each. Look again once those could have landed.
            time.sleep(min(SETTLE_MAX_S, SETTLE_TRIPS * (time.monotonic() - started) + SETTLE_MIN_S))
    else:
        return action
    words = replaced_words(other, {c.id: c for c in cache.coupons()})
    replaced = journal.update(action, state="overridden", error=words)
    with cache.transaction():
        record_state(cache, [back], int(clock()))  # the terms the customer has now
    raise SaveReplaced(words, "Tell the customer the terms they have now. Nothing else was sent.", replaced)
