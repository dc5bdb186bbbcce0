"""Issue 33: a failed payment's decline in words, the next step, and when "retry now" is refused (domain/dunning.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from console.domain.dunning import DECLINES, RETRY_GUARD_S, Failure, next_step, retry_refusal, stripe_will_retry, words

NOW = 1_800_000_000


def failure(**kw) -> Failure:
    base = dict(status="open", code="card_declined", decline_code="insufficient_funds", has_card=True, card_changed=False,
                next_attempt=NOW + 2 * 86400, attempts=1)  # fmt: skip
    return Failure(**{**base, **kw})


def test_the_decline_in_words_with_its_code():
    assert (
        words("card_declined", "insufficient_funds") == "Not enough funds: a retry after payday often works (insufficient_funds)"
    )
    assert words("expired_card", None).startswith("The card has expired: ask for a new one") and "(expired_card)" in words(
        "expired_card", None
    )
    assert "ask for a new one" in words("card_declined", "lost_card")
    assert "does not know" in words("card_declined", "some_new_code") and "(some_new_code)" in words(
        "card_declined", "some_new_code"
    )
    assert words(None, None, has_card=False) == "No card on file: ask for one"


def test_stripe_retries_a_soft_decline_and_a_hard_one_only_after_a_new_card():
    assert stripe_will_retry(failure())
    assert not stripe_will_retry(failure(code="expired_card", decline_code="expired_card"))
    assert stripe_will_retry(failure(code="expired_card", decline_code="expired_card", card_changed=True))
    assert not stripe_will_retry(failure(next_attempt=None))
    assert not stripe_will_retry(failure(has_card=False))


def test_retry_now_is_refused_for_a_closed_invoice_a_hard_decline_and_within_an_hour_of_stripes_retry():
    assert "paid" in retry_refusal(failure(status="paid"), NOW)
    assert "card-update link" in retry_refusal(failure(decline_code="lost_card"), NOW)
    assert retry_refusal(failure(decline_code="lost_card", card_changed=True), NOW) is None
    soon = retry_refusal(failure(next_attempt=NOW + 20 * 60), NOW)
    assert "20 min" in soon and "race" in soon
    assert retry_refusal(failure(next_attempt=NOW + RETRY_GUARD_S), NOW) is None  # an hour away: allowed
    assert retry_refusal(failure(), NOW) is None


def test_the_next_step_follows_the_decline_and_the_timing():
    assert next_step(failure(), NOW) == "wait"  # a soft decline Stripe will retry
    assert next_step(failure(decline_code="expired_card"), NOW) == "new_card"
    assert next_step(failure(has_card=False), NOW) == "new_card"
    assert next_step(failure(decline_code="expired_card", card_changed=True), NOW) == "retry"
    assert next_step(failure(card_changed=True, next_attempt=NOW + 600), NOW) == "wait"  # Stripe charges it within the hour
    assert next_step(failure(next_attempt=None), NOW) == "contact"
    assert next_step(failure(attempts=5), NOW) == "contact"
    assert next_step(failure(decline_code="fraudulent"), NOW) == "contact"


@given(
    status=st.sampled_from(["open", "paid", "void", "uncollectible"]),
    decline_code=st.sampled_from([*DECLINES, None, "unheard_of"]),
    has_card=st.booleans(),
    card_changed=st.booleans(),
    next_in=st.one_of(st.none(), st.integers(-3 * 86400, 20 * 86400)),
    attempts=st.integers(1, 8),
)
def test_the_desk_never_advises_a_retry_it_would_refuse(status, decline_code, has_card, card_changed, next_in, attempts):
    f = failure(status=status, decline_code=decline_code, has_card=has_card, card_changed=card_changed,
                next_attempt=None if next_in is None else NOW + next_in, attempts=attempts)  # fmt: skip
    if status == "open" and next_step(f, NOW) == "retry":
        assert retry_refusal(f, NOW) is None
