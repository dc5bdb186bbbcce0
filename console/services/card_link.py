"""A card-update link for a failed payment (issue 33 §3): a customer portal session deep-linked to updating the
payment method (flow_data[type]=payment_method_update: docs.stripe.com/customer-management/portal-deep-links) that a
customer can still use days later (after_expiration, API 2026-10-28), given as is, or in an e-mail from the team's
failed-payment templates; sending it is a contact on the desk. The window's Write to customer… on a failed row and
`churn-console card-link` both come here."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..actions import recovery
from ..domain.failed import FailedRow
from ..domain.money import format_money
from ..domain.outreach import Letter, fill
from ..errors import ConsoleError, InvalidRequest
from .changes import Changes, Done
from .desk import load_templates, plan_words, writer
from .desk_settings import DeskSettings
from .workspace import Workspace

clock: Callable[[], float] = time.time  # when a link was sent (the recovery report sets it beside Stripe's card change)

AFTER_LINK = Changes(queue=True, journal=True, failed=True)  # a contact on the desk, on a failed row


@dataclass(frozen=True)
class CardLink:
    url: str
    row: FailedRow


def failed_row(workspace: Workspace, ref: str) -> FailedRow:
    return recovery.failed_row(workspace.cache, ref)


def card_link(workspace: Workspace, ref: str) -> CardLink:
    """A new link for the row's customer. Refused, with what to do, when the portal's default configuration does not
    let customers update their card (Stripe refuses the deep link then)."""
    row = failed_row(workspace, ref)
    try:
        url = workspace.need_gateway().portal_session(row.customer_id, flow={"type": "payment_method_update"}, lasting=True)
    except InvalidRequest as exc:
        if exc.param != "flow_data[type]":
            raise
        raise ConsoleError(
            "The customer portal does not let customers update their card, so there is no link to send.",
            "Turn on “Payment methods” in the Portal tab (or Stripe's Dashboard), then try again.",
        ) from None
    return CardLink(url, row)


def letter(workspace: Workspace, operator: str, ref: str, *, template: str | None = None) -> Letter:
    """The e-mail with a new card-update link: the named template, else the one for the row's next step (a card that
    can no longer be charged, or any other failed payment)."""
    link = card_link(workspace, ref)
    row = link.row
    if not row.email:
        raise ConsoleError(
            f"{row.customer_name or row.customer_id} has no e-mail address in Stripe.", "Send them the link another way."
        )
    settings = DeskSettings.load(workspace.data_dir)
    now = datetime.now(UTC)
    templates = load_templates(workspace.data_dir)
    step = row.next_step(int(now.timestamp()))
    try:
        chosen = templates.pick(template or ("failed:new_card" if step == "new_card" else "failed:default"), None, None)
    except KeyError:
        raise ConsoleError(f"There is no template {template!r}.", f"One of: {', '.join(templates.names(failed=True))}.") from None
    c = row.collection
    return fill(
        chosen, to=row.email, name=row.customer_name, plan=plan_words(workspace, row.subscription_id, row.plan), offer="", ends_at=row.ends_at(settings.retry_days),
        now=now, link=link.url, sender=operator, amount_due=format_money(c.amount_due, c.currency),
        card=row.decline.card() if row.decline else "",
    )  # fmt: skip


def record_sent(workspace: Workspace, operator: str, ref: str, how: str) -> Done[str]:
    """The link was sent (`how`: by e-mail, chat…): a contact on the desk, and a line on the row's timeline."""
    row = failed_row(workspace, ref)
    desk = writer(workspace, operator, lambda: datetime.fromtimestamp(clock(), UTC))  # one clock for the link's time
    done = desk.contacted(row.subscription_id, "email", note=f"Card-update link sent ({how})", link=True)
    at = int(clock())
    detail = {"words": f"{operator} sent a card-update link ({how})", "operator": operator}  # the recovery report credits it
    workspace.cache.add_timeline(f"{row.subscription_id}:card_link:{at}", row.subscription_id, at, "card_link", detail)
    return Done(done.words, AFTER_LINK)
