"""The default playbook follows what retention teams report; offers word their terms plainly."""

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from console.domain.models import Coupon
from console.domain.offers import (
    ContactOffer,
    CouponOffer,
    CouponSpec,
    OfferInvalid,
    PauseOffer,
    RevokeOffer,
    offer_from_dict,
    offer_to_dict,
    terms_of,
)
from console.domain.playbook import Playbook
from console.domain.queue import QueueRow

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def row(feedback, mrr=5000, currency="usd", interval="month", tenure_days=400):
    return QueueRow("sub_1", "cus_1", "A", "a@example.com", "Plan", mrr, currency, NOW + timedelta(days=9), NOW, feedback, None,
                    NOW - timedelta(days=tenure_days), "active", None, interval=interval)  # fmt: skip


@pytest.mark.parametrize(
    ("feedback", "mrr", "interval", "code"),
    [
        ("too_expensive", 5000, "month", "coupon:churn-console-25-off-3m"),
        ("too_expensive", 5000, "year", "coupon:churn-console-15-off-once"),
        ("unused", 5000, "month", "pause:2m"),
        ("too_complex", 5000, "month", "pause:2m"),
        ("missing_features", 50000, "month", "contact"),
        ("low_quality", 5000, "month", "contact"),
        ("customer_service", 5000, "month", "contact"),
        ("switched_service", 50000, "month", "coupon:churn-console-25-off-3m"),
        ("switched_service", 5000, "month", "contact"),
        (None, 5000, "month", "contact"),
    ],
)
def test_default_rules(feedback, mrr, interval, code):
    offer, rule = Playbook().recommend(row(feedback, mrr, interval=interval), interval, NOW)
    assert offer.code == code
    assert rule is not None


def test_high_mrr_is_per_currency():
    pb = Playbook()
    assert pb.recommend(row("switched_service", 20_000, "jpy"), "month", NOW)[0].kind == "coupon"  # ¥20,000 ≈ $130
    assert pb.recommend(row("switched_service", 10_000, "jpy"), "month", NOW)[0].kind == "contact"  # ¥10,000 is not high
    assert pb.recommend(row("switched_service", 10**9, "sek"), "month", NOW)[0].kind == "contact"  # no threshold: never "high"


def test_json_round_trip_and_a_broken_file_is_kept_aside(tmp_path):
    pb = Playbook()
    path = tmp_path / "playbook.json"
    pb.save(path)
    assert Playbook.load(path).to_json() == pb.to_json()
    path.write_text("{ not json")
    assert Playbook.load(path).to_json() == Playbook().to_json()
    assert (tmp_path / "playbook.broken.json").read_text() == "{ not json"


def test_terms():
    assert terms_of(CouponSpec(percent_off=25, duration="repeating", duration_in_months=3)) == "25% off for 3 months"
    assert terms_of(CouponSpec(percent_off=10, duration="forever")) == "10% off forever"
    assert terms_of(CouponSpec(amount_off=2000, currency="usd")) == "$20.00 off once"
    assert terms_of(Coupon("X", None, None, 2000, "jpy", "repeating", 1, True, 0, None)) == "¥2,000 off for 1 month"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (CouponSpec(), "percent_off"),
        (CouponSpec(percent_off=10, amount_off=5, currency="usd"), "percent_off"),
        (CouponSpec(percent_off=0), "percent_off"),
        (CouponSpec(percent_off=12.345), "percent_off"),
        (CouponSpec(amount_off=-5, currency="usd"), "amount_off"),
        (CouponSpec(amount_off=500, currency="us"), "currency"),
        (CouponSpec(percent_off=10, duration="repeating", duration_in_months=40), "duration_in_months"),
        (CouponSpec(percent_off=10, duration="weekly"), "duration"),
        (CouponSpec(percent_off=10, name="x" * 41), "name"),
    ],
)
def test_coupon_spec_problems(spec, field):
    assert field in spec.problems()


@pytest.mark.parametrize("percent", [float("nan"), float("inf"), -5.0, 100.5])
def test_a_percentage_out_of_range_is_said_so_not_called_too_precise(percent):
    """`save --percent nan` had been told "Use at most two decimals" (NaN fails every comparison)."""
    assert CouponSpec(percent_off=percent).problems()["percent_off"] == "A percentage must be more than 0 and at most 100."


def test_pause_until_must_be_in_the_future():
    past = PauseOffer(resumes_at=NOW - timedelta(days=1))
    assert "pause" in past.problems(NOW)
    assert PauseOffer(resumes_at=NOW + timedelta(days=30)).problems(NOW) == {}


def test_playbook_defaults_fit_real_plans():
    """JPY has no minor unit: high MRR starts at ¥15,000 (not ¥1,500,000); an annual plan not in use is a
    conversation, not a two-month pause of a yearly invoice; an old file's wrong JPY default is corrected."""
    import json
    from datetime import UTC, datetime, timedelta

    from console.domain.playbook import Playbook
    from console.domain.queue import QueueRow

    book = Playbook()
    assert book.high_mrr["jpy"] == 15_000
    now = datetime(2026, 11, 23, tzinfo=UTC)
    row = QueueRow(
        "sub_1", "cus_1", "A", "a@x", "Scale annual", 30_000, "usd", now + timedelta(days=200), now, "unused", None,
        now - timedelta(days=400), "active", None, interval="year",
    )  # fmt: skip
    assert book.recommend(row, "year", now)[0].kind == "contact"
    assert book.recommend(row, "month", now)[0].kind == "pause"
    old = json.loads(book.to_json())
    old.update(version=1, high_mrr={**old["high_mrr"], "jpy": 1_500_000})
    assert Playbook.from_json(json.dumps(old)).high_mrr["jpy"] == 15_000


@pytest.mark.parametrize(
    "offer",
    [
        CouponOffer(coupon_id="RETAIN25-3M"),
        CouponOffer(new_coupon=CouponSpec(percent_off=10, duration="repeating", duration_in_months=2, name="Ten")),
        PauseOffer(pause_months=2, behavior="keep_as_draft"),
        PauseOffer(resumes_at=datetime(2027, 3, 1, 9, tzinfo=UTC)),
        PauseOffer(pause_mode="subscription"),
        RevokeOffer(),
        ContactOffer(),
    ],
    ids=lambda o: o.code,
)
def test_each_kind_of_offer_is_its_own_dataclass_and_survives_the_playbook_file(offer):
    kept = offer_to_dict(offer)
    assert kept["kind"] == offer.kind and offer_from_dict(kept) == offer
    assert set(kept) - {"kind"} == {f.name for f in dataclasses.fields(offer)}  # only its own fields


def test_a_playbook_file_from_before_one_class_per_kind_still_reads():
    """Files written when an offer was one class carry every kind's fields (and the unused `extras`)."""
    old = {
        "kind": "pause", "coupon_id": None, "new_coupon": None, "pause_months": 3, "resumes_at": None,
        "behavior": "void", "extras": {}, "pause_mode": "collection",
    }  # fmt: skip
    assert offer_from_dict(old) == PauseOffer(pause_months=3)
    assert offer_from_dict({**old, "kind": "revoke"}) == RevokeOffer()
    with pytest.raises(OfferInvalid) as refused:
        offer_from_dict({**old, "kind": "gift"})
    assert refused.value.problems == {"kind": "Unknown offer 'gift'."}


def test_no_second_discount_for_a_customer_saved_with_one_lately():
    """The guardrail (default on): a customer the desk saved with a discount within repeat_months gets the first
    matching rule that is not a discount, else a contact; off, or the save older than the window, as before."""
    book = Playbook()
    saved = dataclasses.replace(row("too_expensive"), discount_saved_at=NOW - timedelta(days=100))
    assert book.recommend(row("too_expensive"), "month", NOW)[0].kind == "coupon"
    assert book.repeat_saver(saved, NOW) and book.guards(saved, NOW)
    assert book.recommend(saved, "month", NOW)[0].code == "contact"  # no pause rule for the price reason: a contact
    rule = book.recommend(row("too_expensive"), "month", NOW)[1]
    book.rules.insert(book.rules.index(rule) + 1, dataclasses.replace(rule, offer=PauseOffer(pause_months=1)))
    assert book.recommend(saved, "month", NOW)[0].code == "pause:1m"  # the first rule that is not a discount
    old = dataclasses.replace(saved, discount_saved_at=NOW - timedelta(days=400))
    assert book.recommend(old, "month", NOW)[0].kind == "coupon" and not book.repeat_saver(old, NOW)
    off = Playbook(no_repeat_discount=False)
    assert off.recommend(saved, "month", NOW)[0].kind == "coupon" and not off.guards(saved, NOW)
    assert off.repeat_saver(saved, NOW)  # still a repeat saver: only the rule is off
    short = Playbook(repeat_months=3)
    assert short.recommend(saved, "month", NOW)[0].kind == "coupon"  # 100 days ago is outside 3 months


def test_the_guardrail_settings_round_trip_and_bad_ones_are_refused(tmp_path):
    book = Playbook(no_repeat_discount=False, repeat_months=6)
    again = Playbook.from_json(book.to_json())
    assert (again.no_repeat_discount, again.repeat_months) == (False, 6)
    assert Playbook.from_json('{"rules": []}').no_repeat_discount is True  # files written before: on, 12 months
    with pytest.raises(ValueError, match="repeat_months"):
        Playbook.from_json('{"rules": [], "repeat_months": 0}')


def test_a_coupon_that_makes_a_subscription_free_for_good_is_never_a_retention_offer():
    from console.domain.models import Coupon
    from console.domain.offers import retention_coupon

    def coupon(percent, duration, valid=True):
        return Coupon("C", None, percent, None, None, duration, None, valid, 0, None)

    assert not retention_coupon(coupon(100.0, "forever"))  # FRIENDS100: friends and family, not a save
    assert retention_coupon(coupon(100.0, "once"))  # a free month is a real offer
    assert retention_coupon(coupon(50.0, "forever"))
    assert not retention_coupon(coupon(25.0, "repeating", valid=False))
