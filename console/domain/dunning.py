"""A failed payment in words, and what to do about it: the decline's meaning, the next step, and when "retry now" is
refused (issue 33). Sources: docs.stripe.com/declines/codes, docs.stripe.com/billing/revenue-recovery/smart-retries."""

from __future__ import annotations

from dataclasses import dataclass

HOUR = 3600
RETRY_GUARD_S = HOUR  # no manual retry this close to Stripe's own: never race Stripe's retries


@dataclass(frozen=True)
class Decline:
    """What a decline code means to a rep: its words, and whether the card can be charged again as it is."""

    words: str
    hard: bool  # the card as it is cannot be charged: Stripe does not retry it until a new payment method arrives


# docs.stripe.com/declines/codes. Hard: the issuer says the card cannot be charged as it is (lost, stolen, expired,
# closed, invalid); soft: the same card may pay later (funds, a temporary refusal, a limit).
DECLINES = {
    "insufficient_funds": Decline("Not enough funds: a retry after payday often works", False),
    "generic_decline": Decline("Declined by the bank, no reason given: a retry may work; ask if it repeats", False),
    "do_not_honor": Decline("Declined by the bank, no reason given: a retry may work; ask if it repeats", False),
    "try_again_later": Decline("The bank asked to try again later", False),
    "processing_error": Decline("An error while processing the card: a retry usually works", False),
    "card_velocity_exceeded": Decline("Over the card's limit for now: a retry later may work", False),
    "withdrawal_count_limit_exceeded": Decline("Over the card's limit for now: a retry later may work", False),
    "expired_card": Decline("The card has expired: ask for a new one", True),
    "lost_card": Decline("The card was reported lost: ask for a new one", True),
    "stolen_card": Decline("The card was reported stolen: ask for a new one", True),
    "pickup_card": Decline("The bank wants the card back: ask for a new one", True),
    "restricted_card": Decline("The card can no longer be charged: ask for a new one", True),
    "invalid_account": Decline("The card's account is closed or invalid: ask for a new one", True),
    "incorrect_number": Decline("The card number is wrong: ask for the card again", True),
    "authentication_required": Decline("The bank wants the customer to confirm the payment: send them the link", True),
    "fraudulent": Decline("Declined as suspected fraud: talk to the customer before anything else", True),
}
UNKNOWN = Decline("Declined: Stripe gave a code the console does not know (see Stripe's decline codes)", False)
NO_CARD = Decline("No card on file: ask for one", True)


def decline(code: str | None, decline_code: str | None, *, has_card: bool = True) -> Decline:
    """The decline as a rep reads it: by `decline_code`, else by the error's `code` (expired_card, …)."""
    if not has_card:
        return NO_CARD
    return DECLINES.get(decline_code or "") or DECLINES.get(code or "") or UNKNOWN


def words(code: str | None, decline_code: str | None, *, has_card: bool = True) -> str:
    """The decline in words with its code, e.g. "Not enough funds: a retry after payday often works (insufficient_funds)"."""
    found = decline(code, decline_code, has_card=has_card)
    shown = decline_code or code
    return f"{found.words} ({shown})" if shown and found is not NO_CARD else found.words


@dataclass(frozen=True)
class Failure:
    """What the desk knows of one failed invoice, for deciding."""

    status: str  # the invoice's: open, paid, void, uncollectible
    code: str | None
    decline_code: str | None
    has_card: bool
    card_changed: bool  # a new payment method arrived since the last attempt
    next_attempt: int | None  # Stripe's next_payment_attempt (null: Stripe will not try again)
    attempts: int


def stripe_will_retry(f: Failure) -> bool:
    """Whether Stripe's next attempt will run: it is scheduled, and the decline is soft or a new card has come."""
    hard = decline(f.code, f.decline_code, has_card=f.has_card).hard
    return f.next_attempt is not None and (not hard or f.card_changed)


def retry_refusal(f: Failure, now: int) -> str | None:
    """Why "retry now" is refused, or None when it may run (one charge, its outcome shown)."""
    if f.status != "open":
        return f"The invoice is {f.status}: there is nothing to charge."
    found = decline(f.code, f.decline_code, has_card=f.has_card)
    if found.hard and not f.card_changed:
        return f"{found.words}. A retry of the same card would be declined again; send a card-update link instead."
    if f.next_attempt is not None and 0 <= f.next_attempt - now < RETRY_GUARD_S:
        minutes = max(1, (f.next_attempt - now) // 60)
        return f"Stripe retries this invoice in {minutes} min: a retry now would race it. Wait for Stripe's attempt."
    return None


def next_step(f: Failure, now: int) -> str:
    """The step a rep takes: `new_card` (ask for one), `wait` (Stripe's retry will run soon enough), `retry` (charge
    now), or `contact` (talk to the customer: fraud, repeated soft declines, or nothing left to try)."""
    found = decline(f.code, f.decline_code, has_card=f.has_card)
    if f.decline_code == "fraudulent":
        return "contact"
    if found.hard and not f.card_changed:
        return "new_card"
    if f.card_changed:
        return "wait" if f.next_attempt is not None and f.next_attempt - now < RETRY_GUARD_S else "retry"
    if f.next_attempt is None:
        return "contact"  # Stripe has stopped: only the customer can settle it now
    if f.attempts >= 4:
        return "contact"  # a soft decline that keeps coming back: ask before the last tries
    return "wait"
