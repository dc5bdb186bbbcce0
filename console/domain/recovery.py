"""Why a failed invoice was recovered: exactly one reason each, the first that applies in a fixed order (issue 34 §1).

The order follows Recurly's recovered-revenue report, which gives each invoice one reason in a fixed order: a Stripe
retry on the same card first (nothing anyone did), then the card updater, then the customer's own new card, then
what a rep did (retry now, a card-update link followed by a new card, a pause), then a payment made outside Stripe.
A card that changed within the attribution window after a rep's link counts for the link, not for the customer.
Every paid invoice gets one reason, so the reasons add up to the total recovered, to the cent, per currency. The order
is the playbook's setting (`attribution_order`); REASONS is its default.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DAY = 86400
REASONS = ("stripe_retry", "card_updater", "customer_card", "rep_retry", "rep_link", "rep_pause", "out_of_band")
REASON_WORDS = {
    "stripe_retry": "Stripe's retry, same card",
    "card_updater": "Card updater",
    "customer_card": "Customer's new card (on their own)",
    "rep_retry": "A rep's Retry now",
    "rep_link": "A rep's card-update link",
    "rep_pause": "A rep's pause, then paid",
    "out_of_band": "Paid outside Stripe",
}
LINK_WINDOW_DAYS = 7  # a new card within this many days after a rep's link is the link's doing (the playbook's)
MAX_LINK_WINDOW = 30
LOST_OUTCOMES = ("uncollectible", "void", "canceled")


@dataclass(frozen=True)
class Acted:
    """A rep's action on the invoice's subscription, as the journal or the timeline records it."""

    at: int
    operator: str


@dataclass(frozen=True)
class Failure:
    """One invoice whose payment failed, what became of it, and what happened around it (the evidence)."""

    invoice_id: str
    subscription_id: str
    currency: str
    failed_minor: int  # what was due when it first failed
    first_failed_at: int
    decline_code: str | None = None
    outcome: str | None = None  # paid, uncollectible, void, canceled (the subscription ended with it open); None: open
    ended_at: int | None = None
    by_payment: bool | None = None  # paid by a charge (an InvoicePayment was paid); False: marked paid outside Stripe
    card_changes: tuple[tuple[int, str], ...] = ()  # (when, "customer" | "updater")
    rep_retry: Acted | None = None  # a rep's Retry now that paid it
    links: tuple[Acted, ...] = ()  # card-update links sent
    pauses: tuple[Acted, ...] = field(default=())  # the desk's pauses of this invoice's subscription instead of the end
    group: str | None = None  # the hold-out's group (domain/holdout.py): "stripe", "desk", or None (not assigned)

    @property
    def recovered(self) -> bool:
        return self.outcome == "paid"

    @property
    def lost(self) -> bool:
        return self.outcome in LOST_OUTCOMES

    @property
    def in_progress(self) -> bool:
        return self.outcome is None


def check_order(order: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The attribution order as given, when it names every reason once; else a ValueError that says what is wrong."""
    given = tuple(order)
    unknown = [r for r in given if r not in REASONS]
    if unknown:
        raise ValueError(f"unknown recovery reason {unknown[0]!r}: the reasons are {', '.join(REASONS)}")
    if sorted(given) != sorted(REASONS):
        missing = [r for r in REASONS if r not in given]
        twice = sorted({r for r in given if given.count(r) > 1})
        said = [f"missing {', '.join(missing)}"] * bool(missing) + [f"{', '.join(twice)} twice"] * bool(twice)
        raise ValueError(f"the attribution order must name each reason once ({'; '.join(said)})")
    return given


def credit(f: Failure, window_days: int = LINK_WINDOW_DAYS, order: tuple[str, ...] = REASONS) -> tuple[str, str | None] | None:
    """The one reason a recovered invoice is credited to, the first of `order` (the playbook's) that applies, and the
    rep credited (None for the rest); None when the invoice was not recovered.

    Each paid invoice meets at least one reason's test, whatever the order: a charge with no card change, no rep retry
    and no pause is Stripe's retry; a card change is the updater's, the customer's or a link's; then a rep's retry or
    pause; a payment that was no charge is out of band. So the reasons add up to the total recovered in any order."""
    if not f.recovered or f.ended_at is None:
        return None
    paid_at, window = f.ended_at, window_days * DAY
    changes = [(at, source) for at, source in f.card_changes if f.first_failed_at < at <= paid_at]
    by_customer = [at for at, source in changes if source == "customer"]

    def link_before(at: int) -> Acted | None:
        found = [a for a in f.links if at - window <= a.at <= at]
        return found[-1] if found else None

    paused = list(f.pauses)  # the desk's pauses of this very invoice (each names it): during its failure by definition
    charged = f.by_payment is not False  # paid by a charge (or not known otherwise: a charge is what Stripe does)
    linked = [a for a in (link_before(at) for at in by_customer) if a is not None]
    tests: dict[str, tuple[bool, str | None]] = {
        "stripe_retry": (charged and not changes and f.rep_retry is None and not paused, None),
        "card_updater": (charged and any(source == "updater" for _, source in changes), None),
        "customer_card": (charged and any(link_before(at) is None for at in by_customer), None),
        "rep_retry": (charged and f.rep_retry is not None, f.rep_retry.operator if f.rep_retry else None),
        "rep_link": (charged and bool(linked), linked[0].operator if linked else None),
        "rep_pause": (bool(paused), paused[-1].operator if paused else None),
        "out_of_band": (not charged, None),
    }
    reason = next(r for r in order if tests[r][0])  # one always applies (above; tests/unit/test_recovery_credit.py)
    return reason, tests[reason][1]
