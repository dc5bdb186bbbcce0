"""Each recovered invoice is credited to one reason, the first that applies in Recurly's order (issue 34 §1), and the
recovery rate keeps in-progress invoices apart and unretryable declines in (issue 34 §2): constructed cases, then
generated histories whose reasons must add up to the total recovered, to the cent, per currency."""

from __future__ import annotations

import dataclasses
import random

import pytest

from console.domain.recovery import DAY, REASONS, Acted, Failure, check_order, credit
from console.domain.recovery_rate import by_day_words, figures

F0 = 1_000_000
PAID = F0 + 5 * DAY


def paid(**kw) -> Failure:
    base = Failure("in_1", "sub_1", "usd", 5000, F0, "insufficient_funds", "paid", PAID, True)
    return dataclasses.replace(base, **kw)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (paid(), ("stripe_retry", None)),
        (paid(card_changes=((F0 + DAY, "updater"),)), ("card_updater", None)),
        (paid(card_changes=((F0 + DAY, "customer"),)), ("customer_card", None)),
        (paid(rep_retry=Acted(PAID, "Robin")), ("rep_retry", "Robin")),
        (paid(card_changes=((F0 + 2 * DAY, "customer"),), links=(Acted(F0 + DAY, "Sam"),)), ("rep_link", "Sam")),
        (paid(pauses=(Acted(F0 + DAY, "Ana"),)), ("rep_pause", "Ana")),
        (paid(by_payment=False), ("out_of_band", None)),
    ],
    ids=list(REASONS),
)
def test_each_reason_when_it_is_the_only_one_that_applies(case, expected):
    assert credit(case) == expected


def test_ties_go_to_the_first_reason_in_the_order():
    # the card updater and the customer both changed the card: the updater is earlier in the order
    both = paid(card_changes=((F0 + DAY, "customer"), (F0 + 2 * DAY, "updater")))
    assert credit(both) == ("card_updater", None)
    # the customer changed the card on their own, then a rep retried: the customer's card comes first
    assert credit(paid(card_changes=((F0 + DAY, "customer"),), rep_retry=Acted(PAID, "Robin")))[0] == "customer_card"
    # a rep's link, the new card within the window, then the rep's retry: Retry now comes before the link
    linked = paid(card_changes=((F0 + 2 * DAY, "customer"),), links=(Acted(F0 + DAY, "Sam"),), rep_retry=Acted(PAID, "Robin"))
    assert credit(linked) == ("rep_retry", "Robin")
    # a pause and a payment outside Stripe: the pause comes first
    assert credit(paid(by_payment=False, pauses=(Acted(F0 + DAY, "Ana"),)))[0] == "rep_pause"


def test_the_order_is_a_setting_and_the_first_reason_of_it_that_applies_is_credited():
    linked = paid(card_changes=((F0 + 2 * DAY, "customer"),), links=(Acted(F0 + DAY, "Sam"),), rep_retry=Acted(PAID, "Robin"))
    assert credit(linked) == ("rep_retry", "Robin")
    link_first = ("rep_link", *(r for r in REASONS if r != "rep_link"))
    assert credit(linked, order=link_first) == ("rep_link", "Sam")
    paused_outside = paid(by_payment=False, pauses=(Acted(F0 + DAY, "Ana"),))
    assert credit(paused_outside, order=tuple(reversed(REASONS))) == ("out_of_band", None)
    assert credit(paid(), order=tuple(reversed(REASONS))) == ("stripe_retry", None)  # the only one that applies


@pytest.mark.parametrize(
    ("order", "said"),
    [
        ((*REASONS[:-1], "rep_call"), "unknown recovery reason 'rep_call'"),
        (REASONS[:-1], "missing out_of_band"),
        ((*REASONS[:-1], "stripe_retry"), "stripe_retry twice"),
    ],
    ids=["unknown", "missing", "twice"],
)
def test_an_order_that_does_not_name_each_reason_once_is_refused_with_what_is_wrong(order, said):
    with pytest.raises(ValueError, match=said):
        check_order(order)
    assert check_order(list(reversed(REASONS))) == tuple(reversed(REASONS))


def test_a_new_card_after_the_window_is_the_customers_own_and_changes_outside_the_failure_do_not_count():
    late = paid(card_changes=((F0 + 9 * DAY, "customer"),), links=(Acted(F0 + DAY, "Sam"),), ended_at=F0 + 10 * DAY)
    assert credit(late, window_days=7) == ("customer_card", None)
    assert credit(late, window_days=10) == ("rep_link", "Sam")  # the window is a setting
    before = paid(card_changes=((F0 - DAY, "updater"),))  # before the failure: not why it was paid
    assert credit(before) == ("stripe_retry", None)


def test_invoices_not_recovered_get_no_reason():
    for outcome in (None, "uncollectible", "void", "canceled"):
        assert credit(paid(outcome=outcome)) is None


def test_the_rate_keeps_in_progress_apart_and_unretryable_declines_in():
    fs = [
        paid(invoice_id="a", failed_minor=1000),  # recovered
        paid(invoice_id="b", failed_minor=3000, decline_code="lost_card", outcome="uncollectible"),  # hard, lost
        paid(invoice_id="c", failed_minor=6000, outcome=None, ended_at=None),  # still in progress
    ]
    [usd] = figures(fs, F0 - DAY, F0 + DAY, now=F0 + 100 * DAY).currencies
    assert (usd.total.failed_minor, usd.total.recovered_minor, usd.total.lost_minor, usd.total.in_progress_minor) == (
        10000, 1000, 3000, 6000,
    )  # fmt: skip
    assert usd.total.rate == pytest.approx(1000 / 4000)  # the lost hard decline stays in; in progress is apart
    assert usd.by_decline["lost_card"].rate == 0.0


def test_the_rate_by_day_counts_late_recoveries_and_only_invoices_old_enough():
    early = paid(invoice_id="a", failed_minor=1000, ended_at=F0 + 3 * DAY)
    late = paid(invoice_id="b", failed_minor=1000, ended_at=F0 + 20 * DAY)
    young = paid(invoice_id="c", failed_minor=1000, first_failed_at=F0 + 40 * DAY, outcome=None, ended_at=None)
    [usd] = figures([early, late, young], F0 - DAY, F0 + 50 * DAY, now=F0 + 45 * DAY).currencies
    assert usd.at_day[7] == pytest.approx(1 / 2)  # the young one (5 days old) is not in the day-7 cohort yet
    assert usd.at_day[30] == pytest.approx(1.0)  # both old enough and both recovered by day 30
    assert usd.at_day[60] is None  # none is 60 days old yet
    assert usd.median_days == pytest.approx(11.5)
    assert usd.at_day_invoices == {7: 2, 14: 2, 30: 2, 60: 0}
    assert by_day_words(usd, " · ") == "day 7 50% of 2 · day 14 50% of 2 · day 30 100% of 2 · day 60 —"


def test_a_later_day_can_read_lower_over_its_older_cohort_and_its_count_says_so():
    """Day 14 over both invoices, day 30 over the older one alone, which was lost: 50% then 0%. The Recovery tab had
    shown the demo account's `day 14 39% · day 30 0%` with nothing to say why."""
    old_lost = paid(invoice_id="a", failed_minor=1000, outcome="uncollectible", ended_at=F0 + 25 * DAY)
    recent = paid(invoice_id="b", failed_minor=1000, first_failed_at=F0 + 20 * DAY, ended_at=F0 + 22 * DAY)
    [usd] = figures([old_lost, recent], F0 - DAY, F0 + 50 * DAY, now=F0 + 36 * DAY).currencies
    assert (usd.at_day[14], usd.at_day[30]) == (pytest.approx(0.5), 0.0)
    assert by_day_words(usd, ", ", digits=1) == "day 7 50.0% of 2, day 14 50.0% of 2, day 30 0.0% of 1, day 60 —"


def test_generated_histories_add_up_to_the_cent_per_currency_in_any_attribution_order():
    rng = random.Random(34)
    for _ in range(200):
        order = tuple(rng.sample(REASONS, len(REASONS)))  # the playbook's order, whatever it is
        fs = []
        for n in range(rng.randint(1, 30)):
            first = F0 + rng.randint(0, 30) * DAY
            outcome = rng.choice(["paid", "paid", "uncollectible", "void", "canceled", None])
            end = first + rng.randint(1, 40) * DAY if outcome else None
            changes = tuple(
                (first + rng.randint(-3, 40) * DAY, rng.choice(["customer", "updater"])) for _ in range(rng.randint(0, 2))
            )
            links = tuple(Acted(first + rng.randint(0, 30) * DAY, rng.choice("AB")) for _ in range(rng.randint(0, 2)))
            fs.append(
                Failure(
                    f"in_{n}",
                    f"sub_{n}",
                    rng.choice(["usd", "eur", "jpy"]),
                    rng.randint(1, 10**6),
                    first,
                    rng.choice(["insufficient_funds", "lost_card", None]),
                    outcome,
                    end,
                    rng.choice([True, False, None]),
                    changes,
                    Acted(end, "R") if end and rng.random() < 0.2 else None,
                    links,
                    (Acted(first + DAY, "P"),) if rng.random() < 0.1 else (),
                )  # fmt: skip
            )
        for c in figures(fs, F0, F0 + 31 * DAY, now=F0 + 200 * DAY, order=order).currencies:
            assert c.order == order and list(c.by_reason) == list(REASONS)
            assert sum(c.by_reason.values()) == c.total.recovered_minor
            assert c.total.recovered_minor + c.total.lost_minor + c.total.in_progress_minor == c.total.failed_minor
            assert sum(c.by_reason_count.values()) == c.total.recovered


def test_the_recovery_curve_censors_invoices_in_progress_and_keeps_lost_ones_at_risk():
    from console.domain.recovery_rate import recovery_curve

    fs = [
        paid(invoice_id="a", failed_minor=100, ended_at=F0 + 2 * DAY),  # recovered on day 2
        paid(invoice_id="b", failed_minor=100, outcome=None, ended_at=None, first_failed_at=F0 + 7 * DAY),  # 3 days old
        paid(invoice_id="c", failed_minor=100, ended_at=F0 + 5 * DAY),  # recovered on day 5
        paid(invoice_id="d", failed_minor=100, outcome="canceled", ended_at=F0 + 14 * DAY),  # lost: at risk throughout
    ]
    curve = recovery_curve(fs, now=F0 + 10 * DAY)
    # day 2: 100 of 400 at risk; day 3: b censored (300 → 200 at risk after a's and b's leaving); day 5: 100 of 200
    assert curve == [(0.0, 0.0), (2.0, pytest.approx(0.25)), (5.0, pytest.approx(1 - 0.75 * 0.5))]
