"""Whether Stripe allows a real pause (status `paused`, API 2026-09-30) of a subscription, in words an operator reads."""

from __future__ import annotations

# Stripe's rules (docs.stripe.com/billing/subscriptions/pause; stripe-python 16 SubscriptionService.pause and
# .resume): flexible billing mode only, no attached schedule, charge_automatically collection (resume needs
# it), not while collection is paused. Only `active` subscriptions are offered it: Stripe's rule for trialing
# or past-due ones is not written down, so the console takes the stricter side. A pending cancellation is no
# obstacle here: the console revokes it in the same action, before it pauses.


def blocker(
    *, status: str, billing_mode: str, schedule_id: str | None, collection_method: str, collection_paused: bool
) -> str | None:
    """Why this subscription cannot take a real pause, or None when Stripe allows it."""
    if status == "paused":
        return "The subscription is already paused."
    if status != "active":
        return f"Only active subscriptions can be paused (this one is {status.replace('_', ' ')})."
    if billing_mode != "flexible":
        return "A real pause needs flexible billing mode; this subscription uses classic. Pause collection instead."
    if schedule_id:
        return f"Stripe cannot pause a subscription with a schedule ({schedule_id}). Pause collection instead."
    if collection_method != "charge_automatically":
        return "Stripe pauses only subscriptions that charge automatically; this one is invoiced. Pause collection instead."
    if collection_paused:
        return "Collection is paused on this subscription; Stripe cannot also pause it."
    return None
