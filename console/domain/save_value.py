"""What a save earned and cost, from the subscription's invoices after it: collected, discount given, payback."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DAY = 86400
FAILED = ("open", "uncollectible")  # an invoice Stripe tried to collect and could not (attempt_count > 0)


@dataclass(frozen=True)
class LedgerInvoice:
    """One invoice of a saved subscription, as Stripe sent it (https://docs.stripe.com/api/invoices/object):
    `amount_paid` is what was collected (already net of discounts), `discounts` each discount's amount off
    (`total_discount_amounts`)."""

    id: str
    subscription_id: str
    created: int
    currency: str
    status: str  # draft, open, paid, uncollectible, void
    amount_paid: int
    total: int
    discounts: tuple[tuple[str, int], ...] = ()
    attempt_count: int = 0

    @property
    def failed(self) -> bool:
        return self.status in FAILED and self.attempt_count > 0


@dataclass(frozen=True)
class SaveValue:
    """One save's money since it was made, in its subscription's currency (minor units), never projected.

    `collected`: what Stripe collected after the save: revenue a customer who had churned would not have paid.
    `discount_cost`: what the save's own coupon took off those invoices (other, older discounts are not its cost).
    `known`: at least one invoice came due after the save, or it ended; until then nothing can be said.
    `payback_days`: days from the save until what was collected covered what the discount took off."""

    currency: str
    collected: int
    discount_cost: int
    invoices_paid: int
    failed_payments: int
    voided: int
    known: bool
    payback_days: int | None

    @property
    def net(self) -> int:
        """The value of the save: collected revenue (the discount is already out of it)."""
        return self.collected


def value_of_save(
    *,
    saved_at: int,
    until: int | None,
    currency: str,
    coupon_id: str | None,
    invoices: Iterable[LedgerInvoice],
    discount_coupons: Mapping[str, str],
    ended: bool,
) -> SaveValue:
    """The invoices created in [saved_at, until) (`until`: the next save of the same subscription, whose own
    money it is). `discount_coupons` maps discount ids to their coupon, so only the save's coupon is its cost."""
    chosen = sorted(
        (i for i in invoices if i.created >= saved_at and (until is None or i.created < until) and i.currency == currency),
        key=lambda i: i.created,
    )
    collected = cost = paid = failed = voided = 0
    payback: int | None = None
    for inv in chosen:
        if inv.status == "void":
            voided += 1
        if inv.failed:
            failed += 1
        if inv.status != "paid":
            continue
        paid += 1
        collected += inv.amount_paid
        if coupon_id is not None:
            cost += sum(amount for disc, amount in inv.discounts if discount_coupons.get(disc) == coupon_id)
        if payback is None and collected > 0 and collected >= cost:
            payback = (inv.created - saved_at) // DAY
    known = ended or bool(chosen)
    return SaveValue(currency, collected, cost, paid, failed, voided, known, payback)


def coupon_of(offer_code: str | None) -> str | None:
    """coupon:RETAIN25-3M -> RETAIN25-3M; other offers give no coupon."""
    if offer_code and offer_code.startswith("coupon:"):
        return offer_code.split(":", 1)[1] or None
    return None
