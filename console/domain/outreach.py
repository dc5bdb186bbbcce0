"""Writing to a customer who asked to cancel: the team's templates (per reason and per offer), filled in with the
customer's first name, plan, the offer's terms in words, days left, the end date and a link that still works when
they read it (never a one-time portal session URL). Plain text: the customer's own words are never markup."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from .feedback import label
from .models import Coupon
from .money import format_money
from .offers import CouponOffer, CouponSpec, Offer, PauseOffer

PLACEHOLDERS = ("first_name", "plan", "offer", "days_left", "end_date", "link", "sender", "amount_due", "card")
FAILED = "failed:"  # the failed-payments desk's templates: a card-update link, the amount due and the card on file


@dataclass(frozen=True)
class Template:
    name: str
    subject: str
    body: str

    def problems(self) -> list[str]:
        """What would go wrong in front of a customer: a placeholder the console does not fill (a typo), or a
        brace without its pair (`{{` writes one)."""
        try:
            used = {f for text in (self.subject, self.body) for _, f, _, _ in string.Formatter().parse(text) if f}
        except ValueError:
            return ["a { or } without its pair (write {{ or }} for a brace)"]
        return [f"unknown placeholder {{{name}}}" for name in sorted(used - set(PLACEHOLDERS))]


_CLOSE = "\n\nYou can manage your subscription here: {link}\n\nThanks,\n{sender}\n"
DEFAULTS = (
    Template(
        "reason:too_expensive",
        "Your {plan} plan: a better price before you go",
        "Hi {first_name},\n\nI saw you asked to cancel {plan} because of the price. Before it ends on {end_date} "
        "({days_left} days from now), we can offer you {offer}. Reply to this e-mail and I will set it up." + _CLOSE,
    ),
    Template(
        "reason:unused",
        "Still a fit for you? Pause {plan} instead",
        "Hi {first_name},\n\nYou told us you are not using {plan} much right now. Rather than lose your setup on "
        "{end_date}, we can offer you {offer}. Just reply and I will take care of it." + _CLOSE,
    ),
    Template(
        "reason:missing_features",
        "What {plan} is missing for you",
        "Hi {first_name},\n\nThank you for telling us {plan} is missing something you need. Could you tell me what "
        "it is? We can also offer you {offer} while we look at it. Your plan ends on {end_date}." + _CLOSE,
    ),
    Template(
        "offer:pause",
        "A break instead of goodbye",
        "Hi {first_name},\n\nYour {plan} plan is set to end on {end_date}. If you need a break, we can offer you "
        "{offer}, and everything stays as you left it. Reply and I will set it up." + _CLOSE,
    ),
    Template(
        "default",
        "Before your {plan} plan ends",
        "Hi {first_name},\n\nI saw you asked to cancel {plan}; it ends on {end_date}, in {days_left} days. If there is "
        "anything we can do (we can offer you {offer}), reply to this e-mail." + _CLOSE,
    ),
    Template(
        "failed:default",
        "Your {plan} payment did not go through",
        "Hi {first_name},\n\nYour latest {plan} payment of {amount_due} did not go through on {card}. Nothing is lost "
        "yet: you can update your card here, and we will charge the new one (the link keeps working; if it has "
        "expired, confirm your e-mail on the page to get a new one):\n\n{link}\n\nYour plan stays active until "
        "{end_date}. Reply if anything is unclear.\n\nThanks,\n{sender}\n",
    ),
    Template(
        "failed:new_card",
        "Your card for {plan} can no longer be charged",
        "Hi {first_name},\n\nYour bank declined the {plan} payment of {amount_due} on {card}: the card can no "
        "longer be charged, so retrying it will not help. Please add a new card here (the link keeps working; if it "
        "has expired, confirm your e-mail on the page to get a new one):\n\n{link}\n\nWithout one, your plan "
        "ends on {end_date}. Reply if you would rather pay another way.\n\nThanks,\n{sender}\n",
    ),
)


def template_label(name: str) -> str:
    """How a template is offered in a list: `For "It's too expensive"`, `For a pause`, `Default`; a team's own by its
    name."""
    kind, _, key = name.partition(":")
    if kind == "reason" and key:
        return f"For \u201c{label(key)}\u201d"
    if kind == "failed" and key:
        return {"default": "For a failed payment", "new_card": "For a card that can no longer be charged"}.get(
            key, f"Failed: {key}"
        )
    if kind == "offer" and key:
        return {"pause": "For a pause", "coupon": "For a discount", "contact": "For a call"}.get(key, f"For a {key} offer")
    return "Default" if name == "default" else name


class Templates:
    """The built-in templates and the team's own (`outreach.json` in the data folder, read and written by
    services/desk.py: a list of {"name", "subject", "body"}; a name equal to a built-in one replaces it)."""

    def __init__(self, own: list[Template] | None = None) -> None:
        self.by_name = {t.name: t for t in DEFAULTS} | {t.name: t for t in own or []}

    @classmethod
    def from_json(cls, text: str, where: str) -> Templates:
        """The team's templates from outreach.json's text (`where` names the file in what is said); ValueError
        says what is wrong, before any of it can reach a customer."""
        try:
            raw: Any = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{where} cannot be read ({exc}). Fix it or move it away; nothing was changed.") from None
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise ValueError(f"{where} must hold a list of templates, each with name, subject and body.")
        own = [Template(str(t.get("name", "")), str(t.get("subject", "")), str(t.get("body", ""))) for t in raw]
        for t in own:
            if not t.name or (bad := t.problems()):
                raise ValueError(f"Template {t.name or '(no name)'} in {where}: {', '.join(bad) or 'it has no name'}.")
        return cls(own)

    def own(self) -> list[Template]:
        """The templates that are not the built-in ones as they ship (what outreach.json keeps)."""
        builtin = {t.name: t for t in DEFAULTS}
        return [t for name, t in sorted(self.by_name.items()) if builtin.get(name) != t]

    def to_json(self) -> str:
        return json.dumps([{"name": t.name, "subject": t.subject, "body": t.body} for t in self.own()], indent=2) + "\n"

    def names(self, *, failed: bool) -> list[str]:
        """The templates a queue's rows offer: the failed-payments desk's own (and the team's named so), or the rest."""
        return sorted(n for n in self.by_name if n.startswith(FAILED) == failed)

    def pick(self, name: str | None, reason: str | None, offer_kind: str | None) -> Template:
        """The named template, else the reason's, else the offer's, else the default."""
        if name:
            if name not in self.by_name:
                raise KeyError(name)
            return self.by_name[name]
        for key in (f"reason:{reason}", f"offer:{offer_kind}"):
            if key in self.by_name:
                return self.by_name[key]
        return self.by_name["default"]


@dataclass(frozen=True)
class Letter:
    """A filled-in e-mail, as plain text."""

    to: str
    subject: str
    body: str
    template: str

    def mailto(self) -> str:
        """A `mailto:` URL (RFC 6068: subject and body percent-encoded, line breaks as %0D%0A)."""
        body = self.body.replace("\r\n", "\n").replace("\n", "\r\n")
        return f"mailto:{quote(self.to, safe='@')}?subject={quote(self.subject, safe='')}&body={quote(body, safe='')}"

    def text(self) -> str:
        return f"To: {self.to}\nSubject: {self.subject}\n\n{self.body}"


def _coupon_words(c: Coupon | CouponSpec, interval: str) -> str:
    """A coupon's terms as a customer reads them: what comes off, and which invoices it comes off."""
    if c.percent_off is not None:
        amount = f"{c.percent_off:g}% off"
    elif c.amount_off is not None and c.currency:
        amount = f"{format_money(c.amount_off, c.currency)} off"
    else:
        return "a discount on your subscription"
    if c.duration == "forever":
        return f"{amount} every {interval} for as long as you stay with us"
    if c.duration == "repeating":
        months = c.duration_in_months or 1
        span = "month" if months == 1 else f"{months} months"
        return f"{amount} your invoices for the next {span}"
    return f"{amount} your next invoice"


def offer_phrase(offer: Offer, coupons: Mapping[str, Coupon], interval: str = "month") -> str:
    """The offer in full words, as a sentence says it after "we can offer you": `25% off your invoices for the next
    3 months`, `a 2-month break from payments`; `interval` is the plan's billing interval (month, year)."""
    if isinstance(offer, CouponOffer):
        known = coupons.get(offer.coupon_id or "")
        terms = known or offer.new_coupon
        return _coupon_words(terms, interval) if terms is not None else "a discount on your subscription"
    if isinstance(offer, PauseOffer):
        if offer.pauses_subscription:
            return "a pause of your subscription, for as long as you need"
        if offer.pause_months:
            return f"a {offer.pause_months}-month break from payments"
        return f"a break from payments until {offer.resumes_at:%d %B %Y}" if offer.resumes_at else "a break from payments"
    return "a call with me to find what works for you"


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"  # never raised: Templates.from_json refuses unknown names; this keeps a stray brace


def first_name(name: str | None, email: str | None) -> str:
    if name and name.strip():
        return name.strip().split()[0]
    return "there"  # "Hi there," when Stripe has no name


def fill(
    template: Template,
    *,
    to: str,
    name: str | None,
    plan: str,
    offer: str,
    ends_at: datetime,
    now: datetime,
    link: str,
    sender: str,
    amount_due: str = "",
    card: str = "",
) -> Letter:
    """The template filled in. Without a lasting link, the lines that would hold it are left out (a customer never
    reads an empty link, nor a one-time session URL that has expired by then)."""
    body = (
        template.body if link else re.sub(r"\n{3,}", "\n\n", "\n".join(x for x in template.body.split("\n") if "{link}" not in x))
    )
    values = _Values(
        sender=sender,
        first_name=first_name(name, to),
        plan=plan,
        offer=offer,
        days_left=str(max(0, (ends_at - now).days)),
        end_date=f"{ends_at:%d %B %Y}",
        link=link,
        amount_due=amount_due,
        card=card or "your card on file",
    )
    fmt = string.Formatter()
    subject = fmt.vformat(template.subject, (), values).replace("\n", " ")
    return Letter(to=to, subject=subject, body=fmt.vformat(body, (), values), template=template.name)
