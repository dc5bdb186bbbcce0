"""The Stripe requests of one journaled action, in order, each with its own idempotency key; safe to run again.

Most actions are one update. A real pause is two: the update that revokes the cancellation (and records the
action in metadata), then `POST /pause`, which Stripe refuses while the subscription is set to cancel. Undoing
one is `POST /resume`, then the update that puts the cancellation back. Each step is skipped when the
subscription, as just re-read, shows it done, so a crash between the two steps is finished, not repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from ..domain import stamp
from ..domain.action import Action
from ..domain.models import Coupon, Subscription
from ..errors import ConsoleError, InProgress, Offline, RateLimited, StripeUnavailable
from ..store.journal import Journal
from . import requests
from .checks import ActionRefused
from .locks import SubscriptionLocks

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway

log = logging.getLogger(__name__)
IDEMPOTENCY_WINDOW_S = 23 * 3600  # Stripe keeps idempotent results for 24 hours
RETRYABLE = (Offline, StripeUnavailable, RateLimited, InProgress)  # no answer yet: settled by a re-read
Sent = tuple[Subscription, str | None, bool]  # the new state, Stripe's request id, whether it was a replay


@contextmanager
def attempt(journal: Journal, action: Action) -> Iterator[None]:
    """One send of a journaled action (a save's, a charge's): its attempt counted first; a failure recorded on it,
    retryable when Stripe gave no answer (settled by a re-read or the same key), and raised naming the action."""
    journal.update(action, attempts=action.attempts + 1)
    try:
        yield
    except RETRYABLE as exc:
        journal.update(action, state="failed", error=str(exc), retryable=True)
        exc.action_id = action.id
        raise
    except ConsoleError as exc:
        journal.update(action, state="failed", error=str(exc), retryable=False)
        exc.action_id = action.id
        raise


def resend(
    journal: Journal, locks: SubscriptionLocks, clock: Callable[[], float], action: Action,
    send: Callable[[Action], Action], settle: Callable[[Action], Action],
) -> Action:  # fmt: skip
    """A failed payment's action that failed with no answer, or was interrupted: inside Stripe's 24 hours `send` it
    again with the same keys (Stripe replays what landed: never twice); after them `settle` it from what Stripe shows,
    never sending it again."""
    if action.state not in ("pending", "failed"):
        raise ActionRefused(f"Action {action.id} is {action.state}; only failed or interrupted actions are sent again.")
    with locks.held(action.subscription_id):
        current = journal.get(action.id) or action
        if clock() - current.created_at < IDEMPOTENCY_WINDOW_S:
            return send(current)
        return settle(current)


def finish_pending(journal: Journal, mine: Callable[[Action], bool], resend: Callable[[Action], Action]) -> list[Action]:
    """After a crash: each pending action `mine` picks, resent (a failure is logged, and left for the next start)."""
    done = []
    for action in journal.in_state("pending"):
        if not mine(action):
            continue
        try:
            done.append(resend(action))
        except ConsoleError as exc:
            log.warning("could not finish interrupted action %s: %s", action.id, exc)
    return done


class PauseRefused(ConsoleError):
    """Stripe refused the pause after the cancellation was revoked; the cancellation was put back."""


def send(
    gateway: StripeGateway,
    action: Action,
    sub: Subscription,
    now: Callable[[], datetime],
    keep_coupon: Callable[[Coupon], None] | None = None,
) -> Sent:
    """Run what is left of the action on `sub` (the subscription as just re-read); `keep_coupon` gets the
    action's coupon as Stripe holds it (created here if need be), so the console can say its terms at once."""
    params, key, sub_id = action.params, action.idempotency_key, action.subscription_id
    if "resume" in params and sub.status == "paused":
        gateway.resume_subscription(sub_id, params["resume"], f"{key}:resume")
    coupon = params.get("coupon")
    if coupon:
        found = gateway.coupon(coupon["id"]) or gateway.create_coupon(coupon, f"{key}:coupon")
        if keep_coupon is not None:
            keep_coupon(found)
    # Sent again even when it landed: inside 24 hours Stripe replays the first answer and changes nothing.
    sent = gateway.update_subscription(sub_id, params["update"], key)
    if "pause" not in params or sent[0].status == "paused":
        return sent
    try:
        return gateway.pause_subscription(sub_id, params["pause"], f"{key}:pause")
    except RETRYABLE:
        raise  # the cancellation stays revoked; retry (or the next start) sends the pause
    except ConsoleError as exc:
        raise _rolled_back(gateway, action, sub_id, now(), exc) from exc


def _rolled_back(gateway: StripeGateway, action: Action, sub_id: str, now: datetime, refusal: ConsoleError) -> PauseRefused:
    """Stripe refused the pause: put the cancellation back, so the customer is never saved without the offer."""
    try:
        gateway.update_subscription(sub_id, requests.rollback_update(action.before, now), f"{action.idempotency_key}:rollback")
    except ConsoleError as exc:
        return PauseRefused(
            f"Stripe refused the pause: {refusal.message} The cancellation was revoked and could not be put back ({exc.message}).",
            "Retry the action, or undo it from the journal, so the customer is not left saved without the pause.",
            request_id=refusal.request_id,
        )
    return PauseRefused(
        f"Stripe refused the pause: {refusal.message}",
        "The cancellation was put back; nothing else changed. Offer a pause of collection instead.",
        request_id=refusal.request_id,
    )


def landed(action: Action, sub: Subscription) -> bool:
    """Stripe's subscription shows the whole action (its metadata names it; a real pause is in place)."""
    if action.kind == "undo":
        undone = stamp.undone_by(sub.metadata)
        return undone is not None and undone[0] == action.id
    named = stamp.names(sub.metadata, action.id)
    return named and ("pause" not in action.params or sub.status == "paused")


def half_done(action: Action, sub: Subscription) -> bool:
    """The update landed but the pause did not (interrupted between the two): finish it."""
    return (
        action.kind != "undo"
        and "pause" in action.params
        and stamp.names(sub.metadata, action.id)
        and sub.status != "paused"
        and not sub.ended
    )
