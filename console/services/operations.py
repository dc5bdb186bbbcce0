"""The console's use cases, each one call that returns its result and what it changed (the window and the CLI
both call these; the window broadcasts the changes to its pages)."""

from __future__ import annotations

from collections.abc import Callable

from ..actions import ActionRefused as ActionRefused  # re-exported: the window and the CLI say why an action was refused
from ..actions.bulk import RowResult as RowResult  # re-exported: the bulk dialog shows them
from ..actions.bulk import apply_many, retry_failed
from ..domain.action import FAILED_PAUSE, Action, Consent
from ..domain.desk import CONTACT_CODE
from ..domain.offers import CouponOffer, Offer
from ..domain.portal import PortalConfig
from ..errors import ConsoleError
from ..sync.report import Progress, no_progress
from ..sync.report import SyncReport as SyncReport  # re-exported: the window shows a sync's
from .changes import AFTER_ACTION, AFTER_CHARGE, AFTER_FAILED_PAUSE, AFTER_SYNC, NOTHING, Changes, Done
from .portal import ChangedOnStripe, PortalService
from .workspace import Workspace

PORTAL_SAVED = Changes(portal=True, overview=True)  # the editor's list and the Overview's portal card


def apply_offer(
    workspace: Workspace, operator: str, sub_id: str, offer: Offer, consent: Consent | None, *, second_discount: bool = False
) -> Done[Action]:
    """Save, pause, revoke or record a contact for one subscription (the journal first, then one Stripe request);
    a second discount within the playbook's window only when `second_discount` (Workspace.second_discount)."""
    action = workspace.actions(operator).apply(sub_id, offer, consent, second_discount=second_discount)
    # a contact is the desk's write (its state and last contact move, in this queue and every console's)
    changes = Changes(queue=True, journal=True) if action.offer_code == CONTACT_CODE else AFTER_ACTION
    return Done(action, changes | Changes(coupons=isinstance(offer, CouponOffer) and offer.new_coupon is not None))


def undo(workspace: Workspace, operator: str, action_id: str) -> Done[Action]:
    """Put back what an action changed: a save's cancellation, or (a failed payment's pause) resume the subscription."""
    found = workspace.journal.get(action_id)
    if found is not None and found.offer_code == FAILED_PAUSE:
        return Done(workspace.failed_pause(operator).undo(found), AFTER_FAILED_PAUSE)
    return Done(workspace.actions(operator).undo(action_id), AFTER_ACTION)


def retry(workspace: Workspace, operator: str, action_id: str) -> Done[Action]:
    """The same request with the same idempotency key: it can never apply twice (a charge never charges twice)."""
    found = workspace.journal.get(action_id)
    if found is not None and found.kind == "charge" and found.state != "applied":
        return Done(workspace.recovery(operator).resend(found), AFTER_CHARGE)
    if found is not None and found.failed_desk and found.state != "applied":
        return Done(workspace.failed_pause(operator).resend(found), AFTER_FAILED_PAUSE)
    return Done(workspace.actions(operator).retry(action_id), AFTER_ACTION)


def pause_failed(workspace: Workspace, operator: str, ref: str, consent: Consent | None) -> Done[Action]:
    """Pause a failed payment's subscription instead of losing it (its invoice written off, still payable later), with
    how the customer agreed; `undo` resumes it."""
    return Done(workspace.failed_pause(operator).pause(ref, consent), AFTER_FAILED_PAUSE)


def retry_payment(workspace: Workspace, operator: str, ref: str) -> Done[Action]:
    """Charge a failed invoice now (its row by invoice or subscription id): refused with the reason when the decline
    is hard and no new card came, when Stripe retries within the hour, or when the invoice is no longer open."""
    return Done(workspace.recovery(operator).retry_now(ref), AFTER_CHARGE)


def paid_outside(workspace: Workspace, operator: str, ref: str, note: str) -> Done[Action]:
    """Mark a failed invoice paid another way (a transfer, a cheque), with a note saying how."""
    return Done(workspace.recovery(operator).paid_outside(ref, note), AFTER_CHARGE)


def apply_bulk(
    workspace: Workspace,
    operator: str,
    items: list[tuple[str, Offer]],
    consent: Consent,
    progress: Callable[[int, int, RowResult], None] | None = None,
) -> Done[list[RowResult]]:
    return Done(apply_many(workspace.actions(operator), items, consent, progress=progress), AFTER_ACTION | Changes(coupons=True))


def retry_bulk(workspace: Workspace, operator: str, results: list[RowResult], consent: Consent) -> Done[list[RowResult]]:
    return Done(retry_failed(workspace.actions(operator), results, consent), AFTER_ACTION)


def undo_many(workspace: Workspace, operator: str, action_ids: list[str]) -> Done[list[Action | ConsoleError]]:
    """Undo a batch (a bulk save's "Undo all"): each action on its own, so one that cannot be undone (the customer
    changed it since) is said and the rest still are."""
    out: list[Action | ConsoleError] = []
    for action_id in action_ids:
        try:
            out.append(undo(workspace, operator, action_id).result)
        except ConsoleError as exc:
            out.append(exc)
    return Done(out, AFTER_ACTION | AFTER_FAILED_PAUSE)


def portal_link(workspace: Workspace, operator: str, customer_id: str, configuration: str | None = None) -> Done[str]:
    """A one-time customer portal URL; nothing in the console changes."""
    return Done(workspace.actions(operator).portal_link(customer_id, configuration=configuration))


def recover_journal(workspace: Workspace) -> Done[int]:
    """Merge damaged journal copies kept aside back into the journal; how many actions came back."""
    found = workspace.recover_damaged_journals()
    return Done(sum(n for _, n in found), Changes(journal=True))


def sync(
    workspace: Workspace,
    *,
    full: bool = False,
    progress: Progress = no_progress,
    queue_ready: Callable[[SyncReport], None] | None = None,
) -> Done[SyncReport]:
    """Bring the cache up to date with Stripe (events since the last sync, or everything). An incremental sync
    that found no event and has nothing to say changed nothing: no page reads its data again (the refresh
    every few minutes on a large account then costs one request and no GUI work). `queue_ready` is told, on the
    sync's thread, as soon as a full sync's queue is complete, before the invoices are read."""
    report = workspace.sync(full=full, progress=progress, queue_ready=queue_ready)
    quiet = report.kind == "incremental" and not (report.events or report.invoice_events or report.ledger_read)
    quiet = quiet and not report.notes and not report.skipped
    return Done(report, NOTHING if quiet else AFTER_SYNC)


def save_portal(service: PortalService, original: PortalConfig, edited: PortalConfig) -> Done[PortalConfig | ChangedOnStripe]:
    """Create the configuration, or send only what changed since `original` was loaded. A newer version on Stripe
    is returned, not raised: the editor shows both and overwrites nothing."""
    try:
        saved = service.create(edited) if original.id is None else service.save(original, edited)
    except ChangedOnStripe as newer:
        return Done(newer)
    return Done(saved, PORTAL_SAVED)


def set_portal_active(service: PortalService, config_id: str, active: bool) -> Done[PortalConfig]:
    return Done(service.set_active(config_id, active), PORTAL_SAVED)
