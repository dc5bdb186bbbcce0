"""The save desk's use cases, for the window and the CLI alike: take and release rows, notes and follow-ups,
contact attempts, and the e-mail to a customer. Settings (how long a claim lasts, the alert threshold, the
product's URL) live in `desk.json` in the data folder."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from ..actions.desk import DeskRefused as DeskRefused  # re-exported: the window and the CLI say why
from ..actions.desk import DeskResult as DeskResult  # re-exported: the window says what each desk write did
from ..actions.desk import DeskWriter
from ..actions.locks import SubscriptionLocks
from ..domain.outreach import Letter, Templates, fill, offer_phrase, template_label
from ..errors import ConsoleError, Offline, PermissionMissing, RateLimited, StripeUnavailable
from .changes import Changes, Done
from .desk_settings import DeskSettings as DeskSettings  # re-exported: the screenshots set one
from .workspace import Workspace

TEMPLATES = "outreach.json"
AFTER_DESK = Changes(queue=True, journal=True)  # owners, states and notes: the queue, the detail pane, the journal


def load_templates(data_dir: Path) -> Templates:
    """The built-in templates and the team's own from outreach.json; one that cannot be read or that would show a
    customer a stray placeholder is said (the file is kept as it is)."""
    path = data_dir / TEMPLATES
    try:
        return Templates.from_json(path.read_text("utf-8"), str(path))
    except FileNotFoundError:
        return Templates()
    except OSError as exc:
        raise ConsoleError(f"{path} cannot be read ({exc.strerror}).", "Fix or move it away; nothing was changed.") from None
    except ValueError as exc:
        raise ConsoleError(str(exc)) from None


def save_templates(data_dir: Path, templates: Templates) -> None:
    """Write the team's own templates (atomically: a half-written file never replaces a good one)."""
    path = data_dir / TEMPLATES
    tmp = path.with_suffix(".tmp")
    tmp.write_text(templates.to_json(), "utf-8")
    tmp.replace(path)


def writer(workspace: Workspace, operator: str, clock: Callable[[], datetime] | None = None) -> DeskWriter:
    """The desk's writes as `operator`; `clock` says when each happened (default: now)."""
    settings = DeskSettings.load(workspace.data_dir)
    locks = SubscriptionLocks(workspace.journal.path.parent / "locks")  # the same locks as actions
    return DeskWriter(
        workspace.need_gateway(), workspace.cache, workspace.journal, operator, locks,
        clock or (lambda: datetime.now(UTC)), lapse_days=settings.lapse_days,
    )  # fmt: skip


def take(
    workspace: Workspace, operator: str, sub_ids: list[str], *, owner: str | None = None, force: bool = False
) -> Done[list[DeskResult | DeskRefused]]:
    """Take each row (a bulk take goes on past a refused one and reports it)."""
    w = writer(workspace, operator)
    out: list[DeskResult | DeskRefused] = []
    for sub_id in sub_ids:
        try:
            out.append(w.take(sub_id, owner=owner, force=force))
        except DeskRefused as exc:
            out.append(exc)
    return Done(out, AFTER_DESK)


def release(workspace: Workspace, operator: str, sub_ids: list[str]) -> Done[list[DeskResult]]:
    w = writer(workspace, operator)
    return Done([w.release(s) for s in sub_ids], AFTER_DESK)


def note(
    workspace: Workspace, operator: str, sub_id: str, text: str, *, follow_up: date | None = None, state: str | None = None
) -> Done[DeskResult]:
    return Done(writer(workspace, operator).note(sub_id, text, follow_up=follow_up, state=state), AFTER_DESK)


def contacted(
    workspace: Workspace, operator: str, sub_id: str, channel: str, *, follow_up: date | None = None
) -> Done[DeskResult]:
    return Done(writer(workspace, operator).contacted(sub_id, channel, follow_up=follow_up), AFTER_DESK)


def lasting_link(workspace: Workspace) -> str:
    """A link that still works when the customer reads the e-mail: the portal's login page when it is on (Stripe's
    `login_page.url`, a shareable link), else the product's URL from the settings; never a session URL (those
    expire within minutes). "" when there is neither."""
    if workspace.online:
        configs = workspace.need_gateway().portal_configuration_objects()
        for obj in sorted(configs, key=lambda c: not c.get("is_default")):  # the default configuration first
            page = obj.get("login_page") or {}
            if obj.get("active") and page.get("enabled") and page.get("url"):
                return str(page["url"])
    return DeskSettings.load(workspace.data_dir).product_url


def plan_words(workspace: Workspace, sub_id: str, fallback: str) -> str:
    """The plan as the customer knows it: its product's name ("Scale"), not the price's internal nickname
    ("Scale annual (USD)"), which is what the queue shows. Products are read from Stripe (one GET each, usually
    one); offline, or when the key may not read products, the queue's plan name stands in."""
    sub = workspace.cache.subscription(sub_id)
    if sub is None or not workspace.online:
        return fallback
    names: list[str] = []
    try:
        for product_id in dict.fromkeys(item.product_id for item in sub.items if item.product_id):
            name = workspace.need_gateway().product_name(product_id)
            if name and name not in names:
                names.append(name)
    except (PermissionMissing, Offline, RateLimited, StripeUnavailable):
        return fallback  # a key without product reads, or Stripe out of reach: the e-mail is still worth writing
    if not names:
        return fallback
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def letter(
    workspace: Workspace, operator: str, sub_id: str, *, template: str | None = None, now: datetime | None = None
) -> Letter:
    """The e-mail to the customer behind a pending cancellation, from the team's templates."""
    now = now or datetime.now(UTC)
    row = workspace.cache.queue_row_of(sub_id)
    if row is None:
        raise ConsoleError(
            f"{sub_id} is not in the cached queue of pending cancellations.", "Run `churn-console sync`, then try again."
        )
    if not row.email:
        raise ConsoleError(
            f"{row.display_name} has no e-mail address in Stripe.", "Reach them another way, then record it with `contacted`."
        )
    templates = load_templates(workspace.data_dir)
    offer, _ = workspace.playbook().recommend(row, row.interval, now)
    coupons = {c.id: c for c in workspace.cache.coupons()}
    try:
        chosen = templates.pick(template, row.reason_key, offer.kind)
    except KeyError:
        raise ConsoleError(f"There is no template {template!r}.", f"One of: {', '.join(sorted(templates.by_name))}.") from None
    link = lasting_link(workspace)
    words = offer_phrase(offer, coupons, row.interval)
    return fill(
        chosen,
        to=row.email,
        name=row.customer_name,
        plan=plan_words(workspace, sub_id, row.plan),
        offer=words,
        ends_at=row.ends_at,
        now=now,
        link=link,
        sender=operator,
    )


def record_sent(workspace: Workspace, operator: str, sub_id: str, sent: Letter) -> Done[DeskResult]:
    """Sending (or copying) the e-mail is a contact attempt: state contacted, channel e-mail, no consent; the template
    used is kept in the note (one Stripe write), the whole text in this console's timeline."""
    done = writer(workspace, operator).contacted(
        sub_id, "email", note=f"E-mailed ({template_label(sent.template)}): {sent.subject}"
    )
    at = int(datetime.now(UTC).timestamp())
    detail = {"words": f"{operator} e-mailed the customer ({template_label(sent.template)}): {sent.subject}", "body": sent.body}
    workspace.cache.add_timeline(f"{sub_id}:outreach:{at}", sub_id, at, "desk", detail)  # the whole text, here only
    return Done(done, AFTER_DESK)
