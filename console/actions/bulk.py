"""Apply one offer to many subscriptions: each row on its own, failures retried, nothing twice."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..domain.action import Action, Consent
from ..domain.offers import Offer
from ..errors import ConsoleError
from .service import RETRYABLE, ActionRefused, Actions


@dataclass
class RowResult:
    """What happened to one row: applied (with its action), refused (state moved) or failed."""

    subscription_id: str
    offer: Offer
    action: Action | None = None
    error: ConsoleError | None = None
    attempts: int = 0

    @property
    def outcome(self) -> str:
        if self.action is not None and self.action.state == "applied":
            return "applied"
        return "refused" if isinstance(self.error, ActionRefused) else "failed"


def apply_many(
    actions: Actions,
    items: Sequence[tuple[str, Offer]],
    consent: Consent,
    *,
    attempts: int = 4,
    backoff_s: float = 0.25,
    progress: Callable[[int, int, RowResult], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RowResult]:
    """One row after another (kind to rate limits); a failure on one row never stops the others.

    A retryable failure is retried with the same action (same idempotency key), so a row whose
    response was lost is never applied twice.
    """
    results: list[RowResult] = []
    for n, (sub_id, offer) in enumerate(items, start=1):
        result = RowResult(sub_id, offer)
        action_id: str | None = None
        while result.attempts < attempts:
            result.attempts += 1
            try:
                result.action = actions.retry(action_id) if action_id else actions.apply(sub_id, offer, consent)
                result.error = None
                break
            except RETRYABLE as exc:
                action_id = getattr(exc, "action_id", action_id)
                result.error = exc
                sleep(backoff_s * 2 ** (result.attempts - 1))
            except ConsoleError as exc:
                result.error = exc
                break
        if result.error is not None and result.action is None and action_id:
            result.action = actions.journal.get(action_id)
        results.append(result)
        if progress is not None:
            progress(n, len(items), result)
    return results


def retry_failed(actions: Actions, results: list[RowResult], consent: Consent) -> list[RowResult]:
    """Retry the rows that failed (not the refused ones): the journaled action again, or the offer anew
    when the failure came before anything was journaled."""
    out = []
    for result in results:
        if result.outcome != "failed":
            out.append(result)
            continue
        again = RowResult(result.subscription_id, result.offer, attempts=result.attempts + 1)
        try:
            if result.action is not None:
                again.action = actions.retry(result.action.id)
            else:
                again.action = actions.apply(result.subscription_id, result.offer, consent)
        except ConsoleError as exc:
            again.error = exc
            again.action = actions.journal.get(result.action.id) if result.action else None
        out.append(again)
    return out
