"""The console's use cases, each one call that returns its result and what it changed (the window and the CLI
both call these; the window broadcasts the changes to its pages)."""

from __future__ import annotations

from ..actions import Consent
from ..actions.bulk import RowResult, apply_many, retry_failed
from ..domain.action import Action
from ..domain.offers import Offer
from .changes import AFTER_ACTION, Changes, Done
from .workspace import Workspace


def apply_offer(workspace: Workspace, operator: str, sub_id: str, offer: Offer, consent: Consent | None) -> Done[Action]:
    """Save, pause, revoke or record a contact for one subscription (the journal first, then one Stripe request)."""
    action = workspace.actions(operator).apply(sub_id, offer, consent)
    changes = Changes(journal=True) if action.kind == "contact" else AFTER_ACTION  # a contact changes nothing in Stripe
    return Done(action, changes | Changes(coupons=offer.new_coupon is not None))


def undo(workspace: Workspace, operator: str, action_id: str) -> Done[Action]:
    return Done(workspace.actions(operator).undo(action_id), AFTER_ACTION)


def retry(workspace: Workspace, operator: str, action_id: str) -> Done[Action]:
    """The same request with the same idempotency key: it can never apply twice."""
    return Done(workspace.actions(operator).retry(action_id), AFTER_ACTION)


def apply_bulk(
    workspace: Workspace, operator: str, items: list[tuple[str, Offer]], consent: Consent, progress=None
) -> Done[list[RowResult]]:
    return Done(apply_many(workspace.actions(operator), items, consent, progress=progress), AFTER_ACTION | Changes(coupons=True))


def retry_bulk(workspace: Workspace, operator: str, results: list[RowResult], consent: Consent) -> Done[list[RowResult]]:
    return Done(retry_failed(workspace.actions(operator), results, consent), AFTER_ACTION)


def portal_link(workspace: Workspace, operator: str, customer_id: str, configuration: str | None = None) -> Done[str]:
    """A one-time customer portal URL; nothing in the console changes."""
    return Done(workspace.actions(operator).portal_link(customer_id, configuration=configuration))


def recover_journal(workspace: Workspace) -> Done[int]:
    """Merge damaged journal copies kept aside back into the journal; how many actions came back."""
    found = workspace.recover_damaged_journals()
    return Done(sum(n for _, n in found), Changes(journal=True))
