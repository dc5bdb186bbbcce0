"""The statistics behind the Outcomes tab, against published tables; experiments in the playbook; a save's value."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from console.analytics.saves import offer_ends
from console.analytics.survival import kaplan_meier, survival_at
from console.domain import experiments
from console.domain.experiments import Arm, Variant, needed_per_arm, verdict
from console.domain.offers import ContactOffer, CouponOffer
from console.domain.playbook import DEFAULT_RULES, PAUSE_2, Playbook, Rule
from console.domain.proportions import newcombe
from console.domain.save_value import LedgerInvoice, value_of_save

# Freireich et al. (1963), the 6-MP arm: the Kaplan–Meier example of survival textbooks (weeks; False = censored).
SIX_MP = [(6, True), (6, True), (6, True), (6, False), (7, True), (9, False), (10, True), (10, False), (11, False),
          (13, True), (16, True), (17, False), (19, False), (20, False), (22, True), (23, True), (25, False),
          (32, False), (32, False), (34, False), (35, False)]  # fmt: skip
# S(t) and the log(-log) 95% interval at each time with a loss, as R's survfit(conf.type = "log-log") prints them.
SIX_MP_TABLE = [(6, 21, 0.857, 0.620, 0.952), (7, 17, 0.807, 0.563, 0.923), (10, 15, 0.753, 0.503, 0.889),
                (13, 12, 0.690, 0.432, 0.849), (16, 11, 0.627, 0.368, 0.805), (22, 7, 0.538, 0.268, 0.747),
                (23, 6, 0.448, 0.188, 0.680)]  # fmt: skip


def test_kaplan_meier_equals_the_textbook_table():
    steps = [s for s in kaplan_meier([float(t) for t, _ in SIX_MP], [e for _, e in SIX_MP]) if s.lost]
    assert [(s.t, s.at_risk) for s in steps] == [(t, n) for t, n, *_ in SIX_MP_TABLE]
    for step, (_, _, s, low, high) in zip(steps, SIX_MP_TABLE, strict=True):
        assert (round(step.survival, 3), round(step.low, 3), round(step.high, 3)) == (s, low, high)
    assert survival_at(steps, 8) == pytest.approx(0.807, abs=5e-4) and survival_at(steps, 40) is None


# Newcombe (1998), Table II: differences of proportions and method 10's (hybrid score) 95% limits.
NEWCOMBE = [((56, 70, 48, 80), (0.0524, 0.3339)), ((9, 10, 3, 10), (0.1705, 0.8090)), ((6, 7, 2, 7), (0.0582, 0.8062)),
            ((5, 56, 0, 29), (-0.0381, 0.1926)), ((0, 10, 0, 20), (-0.1611, 0.2775)), ((0, 10, 0, 10), (-0.2775, 0.2775)),
            ((10, 10, 0, 20), (0.6791, 1.0)), ((10, 10, 0, 10), (0.6075, 1.0))]  # fmt: skip


@pytest.mark.parametrize(("counts", "limits"), NEWCOMBE)
def test_the_experiment_interval_equals_newcombes_table(counts, limits):
    k1, n1, k2, n2 = counts
    diff, low, high = newcombe(k2, n2, k1, n1)  # his differences are the first sample's minus the second's
    assert diff == pytest.approx(k1 / n1 - k2 / n2)
    assert (round(low, 4), round(high, 4)) == limits


def test_customers_needed_equal_the_usual_planning_figure_and_no_winner_is_called_on_few():
    assert needed_per_arm(0.30) == 356  # 30% against 40%, 5% two-sided, 80% power (Fleiss, no continuity correction)
    few = verdict(Arm("A", "coupon:x", 20, 4), Arm("B", "pause:2m", 20, 12))
    assert few.low is not None and few.low > 0  # B looks better already…
    assert few.words.startswith("Not enough customers yet: need about") and f"{few.more} more" in few.words  # …but no call
    many = verdict(Arm("A", "coupon:x", 500, 150), Arm("B", "pause:2m", 500, 230))
    assert many.more == 0 and many.words.startswith("B saves more than A: +16 points, 95% interval")
    same = verdict(Arm("A", "coupon:x", 500, 150), Arm("B", "pause:2m", 500, 160))
    assert same.words.startswith("No difference shown between A and B")
    assert verdict(Arm("A", "c", 0, 0), Arm("B", "p", 0, 0)).difference is None


def test_assignment_is_stable_and_follows_the_weights():
    variants = (Variant("A", ContactOffer(), 3), Variant("B", PAUSE_2, 1))
    ids = [f"sub_{n:06d}" for n in range(4000)]
    first = [experiments.assign("t", i, variants).label for i in ids]
    assert first == [experiments.assign("t", i, variants).label for i in ids]  # the same on every console
    share = Counter(first)["A"] / len(ids)
    assert 0.72 < share < 0.78
    other = [experiments.assign("t2", i, variants).label for i in ids]
    assert other != first  # another experiment shuffles anew


def _test_rule(**changes) -> Rule:
    a = CouponOffer(coupon_id="RETAIN25-3M")
    fields = dict(
        reasons=("too_expensive",), offer=a, experiment="price-test", variants=(Variant("A", a), Variant("B", PAUSE_2, 2)),
        started="2026-10-01",
    )  # fmt: skip
    return Rule(**(fields | changes))


def test_an_experiment_survives_the_playbook_file_and_bad_ones_are_refused():
    book = Playbook(rules=[_test_rule(), *DEFAULT_RULES])
    again = Playbook.from_json(book.to_json())
    assert again.rules[0] == book.rules[0] and list(again.experiments()) == ["price-test"]
    for bad in (
        _test_rule(variants=(Variant("A", CouponOffer(coupon_id="RETAIN25-3M")),)),  # one offer is no experiment
        _test_rule(started="soon"),
        _test_rule(experiment="has space"),
        _test_rule(variants=(Variant("A", CouponOffer(coupon_id="RETAIN25-3M")), Variant("B", PAUSE_2, 0))),
        _test_rule(variants=(Variant("A", ContactOffer()), Variant("B", PAUSE_2))),  # A is not the rule's offer
    ):
        with pytest.raises(ValueError, match="experiment"):
            Playbook.from_json(Playbook(rules=[bad]).to_json())
    clash = Playbook(rules=[_test_rule(), _test_rule(reasons=("unused",), started="2026-11-01")])
    with pytest.raises(ValueError, match="differ"):
        Playbook.from_json(clash.to_json())


def _inv(n: int, created: int, status: str = "paid", paid: int = 750, discounts=(("di_1", 250),), attempts: int = 1):
    return LedgerInvoice(f"in_{n}", "sub_1", created, "usd", status, paid, paid, tuple(discounts), attempts)


def test_a_saves_value_counts_only_its_own_money_and_never_projects():
    day = 86400
    invoices = [
        _inv(0, -5 * day),  # before the save: not its money
        _inv(1, 10 * day),
        _inv(2, 40 * day, discounts=(("di_1", 250), ("di_old", 100))),  # an older discount is not the save's cost
        _inv(3, 70 * day, status="open", paid=0, attempts=2),  # a failed payment
        _inv(4, 100 * day, status="void", paid=0, attempts=0),
        _inv(5, 130 * day),  # after the next save: that save's money
    ]
    coupons = {"di_1": "RETAIN25-3M", "di_old": "LOYAL10"}
    value = value_of_save(saved_at=0, until=120 * day, currency="usd", coupon_id="RETAIN25-3M", invoices=invoices,
                          discount_coupons=coupons, ended=False)  # fmt: skip
    assert (value.collected, value.discount_cost, value.invoices_paid) == (1500, 500, 2)
    assert (value.failed_payments, value.voided, value.known, value.payback_days) == (1, 1, True, 10)
    recent = value_of_save(saved_at=200 * day, until=None, currency="usd", coupon_id=None, invoices=invoices,
                           discount_coupons=coupons, ended=False)  # fmt: skip
    assert not recent.known and recent.collected == 0 and recent.payback_days is None


def test_a_curve_ends_where_fewer_than_five_saves_are_still_followed():
    """The last save at risk must not drop the drawn curve to 0% (read as "every save was lost"): the curve, and
    what is read off it, stop while MIN_AT_RISK are still followed; the whole estimate stays in `steps`."""
    from console.analytics.survival import MIN_AT_RISK, Curve, kaplan_meier

    durations = [10, 20, 30, 40, 50, 60, 82]  # seven saves; the last one followed to day 82 is lost then
    lost = [False, False, False, False, False, False, True]
    curve = Curve("coupon", len(durations), kaplan_meier(durations, lost))
    assert curve.steps[-1].survival == 0.0  # the full estimate: the last save at risk ended
    assert all(step.at_risk >= MIN_AT_RISK for step in curve.shown) and curve.shown[-1].t == 30
    assert curve.at(30) == 1.0 and curve.at(82) is None  # nothing read past the drawn curve


@given(ts=st.integers(min_value=0, max_value=4_102_444_800), months=st.integers(min_value=1, max_value=36))
def test_an_offer_ends_months_later_as_a_utc_calendar_does(ts, months):
    """The day-at-a-time shift (saves._months_after) equals relativedelta on the whole UTC datetime: the day kept
    or clamped to the month's end (31 Jan + 1 month = 28/29 Feb), the time of day kept."""
    whole = int((datetime.fromtimestamp(ts, UTC) + relativedelta(months=months)).timestamp())
    assert offer_ends(f"pause:{months}m", ts, {}) == whole


def test_a_pause_from_31_january_ends_on_the_last_day_of_february():
    saved = int(datetime(2028, 1, 31, 23, 59, 30, tzinfo=UTC).timestamp())
    assert offer_ends("pause:1m", saved, {}) == int(datetime(2028, 2, 29, 23, 59, 30, tzinfo=UTC).timestamp())
