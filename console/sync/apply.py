"""Apply a list of event changes to the cache: states, customers, coupons, intents and timeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..domain.events import Change
from ..domain.models import Subscription
from ..store import Cache
from ..store.rows import utc as to_utc
from . import intents, state

if TYPE_CHECKING:  # the SDK loads with the gateway, when a run goes online
    from ..stripe_gateway import StripeGateway


def apply_changes(cache: Cache, changes: Iterable[Change], *, gateway: StripeGateway | None, states: bool = True) -> int:
    """Apply changes oldest first inside the caller's transaction; returns how many were applied.

    With `states=False` only intents and the timeline are derived (history backfill).
    `gateway` looks up customers the cache has not seen (one request each).
    """
    applied = 0
    for change in changes:
        at = int(change.created.timestamp())
        if change.discount:
            cache.remember_discounts([change.discount])
        if change.subscription is not None:
            sub = _complete(cache, change.subscription, gateway)
            if states:
                sub = state.record(cache, [sub], at, previous=change.previous)[0]
            else:
                sub = cache.valued(sub)
                intents.observe(cache, sub, at, previous=change.previous)
            intents.observe_change_for_timeline(cache, sub, change.id, at, change.previous)
        elif change.customer is not None:
            _card_changed(cache, change, at)  # history too (the first sync's 30 days back), for the recovery report
            if states:
                _customer(cache, change, at)
        elif change.coupon is not None and states:
            if change.type == "coupon.deleted":
                cache.delete_coupon(change.coupon.id)
            else:
                cache.upsert_coupon(change.coupon)
        elif change.portal_configuration is not None and states:
            cache.upsert_portal_configuration(change.portal_configuration)
        applied += 1
    return applied


def _complete(cache: Cache, sub: Subscription, gateway: StripeGateway | None) -> Subscription:
    """Fill the customer's name and e-mail (events carry only the id: a new signup's customer is read
    once from Stripe) and the coupons' ids. A pending cancellation whose end the event does not say
    (an event rendered in an API version whose shape lacks the period) is read again, never guessed."""
    if sub.pending_cancellation and sub.ends_at is None and gateway is not None:
        sub = gateway.subscription(sub.id)
    if sub.feedback_option and not sub.feedback_text:  # events name a custom reason by id: its text once
        text = cache.feedback_text(sub.feedback_option)
        if text is None and gateway is not None:
            text = gateway.subscription(sub.id).feedback_text
        sub = dataclasses.replace(sub, feedback_text=text)
    if sub.customer_name is None and sub.customer_email is None:
        customer = cache.customer(sub.customer_id)
        if customer is None and gateway is not None:
            customer = gateway.customer(sub.customer_id)
        if customer is not None:
            sub = dataclasses.replace(
                sub, customer_name=customer.name, customer_email=customer.email,
                customer_deleted=customer.deleted or sub.customer_deleted,
            )  # fmt: skip
    tiered = {i.price_id for i in sub.items if i.billing_scheme == "tiered"}
    if tiered and gateway is not None and (unknown := tiered - cache.book.maps()[1].keys()):
        found = [gateway.price_tiers_of(p) for p in sorted(unknown)]  # a price created since the last full sync
        cache.put_price_tiers(t for t in found if t is not None)
    if sub.discount_ids and (len(sub.coupon_ids) != len(sub.discount_ids) or not sub.discount_ends):
        held = cache.discounts_of(sub.discount_ids)
        sub = dataclasses.replace(sub, coupon_ids=tuple(c for c, _ in held), discount_ends=tuple(to_utc(e) for _, e in held))
    return sub


def _card_changed(cache: Cache, change: Change, at: int) -> None:
    """A customer's new default card (`previous_attributes` names the old one): the recovery report credits a recovery
    to it, "on their own" or after a rep's link."""
    customer = change.customer
    before = change.previous.get("invoice_settings")
    if customer and not customer.deleted and customer.default_payment_method and isinstance(before, dict):
        if "default_payment_method" in before and before["default_payment_method"] != customer.default_payment_method:
            cache.note_card_change(customer.id, customer.default_payment_method, at, "customer")


def _customer(cache: Cache, change: Change, at: int) -> None:
    assert change.customer is not None
    cache.update_customer(change.customer)
    if not change.customer.deleted:  # the card Stripe's retries now charge (a failed payment's next step)
        cache.note_card(change.customer.id, change.customer.default_payment_method, at)
    if change.customer.deleted:
        for sub_id in cache.subscription_ids_of(change.customer.id):
            cache.add_timeline(f"{change.id}:customer", sub_id, at, "customer_deleted", {})
