"""What a failed payment's action ended as, for the terminal: a charge paid (exit 0) or declined by the bank (exit 1),
a pause instead of the end, or its undo."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..domain.action import Action


def say_charge(action: Action) -> int:
    """A charge's outcome on stdout (paid: exit 0), or the decline on stderr (exit 1: nothing was collected)."""
    from ..domain.money import format_money
    from ..domain.offers import action_words

    who = action.customer_name or action.customer_id
    amount = format_money(int(action.before.get("amount_due") or 0), action.currency)
    invoice = action.params.get("invoice")
    if action.state == "declined":
        print(
            f"churn-console: declined: {action.error}. Nothing was collected from {who} ({invoice}). Action {action.id}.",
            file=sys.stderr,
        )
        return 1
    print(f"Paid: {action_words(action.kind, action.offer_code)}: {amount} for {who} ({invoice}). Action {action.id}.")
    if action.error:  # paid all the same; what did not follow it is said
        print(f"churn-console: note: {action.error}", file=sys.stderr)
    return 0


def say_failed_pause(action: Action) -> int:
    """A failed payment's pause (or its undo), and what became of the written-off invoice."""
    from ..domain.money import format_money
    from ..domain.offers import action_words

    who = action.customer_name or action.customer_id
    invoice = action.before.get("invoice") or action.params.get("invoice")
    if action.undo_of:
        print(
            f"Resumed {who}'s subscription ({action.subscription_id}). Its invoice stays uncollectible (Stripe cannot "
            f"reopen it; it can still be paid in the Dashboard). Action {action.id}."
        )
        return 0
    amount = format_money(int(action.before.get("amount_due") or 0), action.currency)
    print(
        f"{action_words(action.kind, action.offer_code)}: {who} ({action.subscription_id}). The invoice {invoice} "
        f"({amount}) is marked uncollectible: Stripe no longer retries it; it can still be paid. "
        f"Undo: churn-console undo {action.id}"
    )
    return 0
