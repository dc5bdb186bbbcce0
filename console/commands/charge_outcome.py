"""What a charge on a failed payment ended as, for the terminal: paid (exit 0), or declined by the bank (exit 1)."""

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
    return 0
