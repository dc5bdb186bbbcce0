"""actions/requests.py, actions/steps.py and actions/locks.py: the exact requests an action sends, built from the
subscription as just re-read; when an action has landed; one console at a time per subscription."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from console.actions import requests
from console.actions.locks import SubscriptionBusy, SubscriptionLocks
from console.actions.steps import half_done, landed
from console.domain import desk, stamp
from console.domain.action import Action
from console.domain.models import Item, Subscription
from console.domain.offers import ContactOffer, CouponOffer, PauseOffer, RevokeOffer

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


def sub(**kw) -> Subscription:
    item = Item("price_pro", "prod_pro", "Pro", 5000, "usd", "month", 1, 1, NOW + timedelta(days=9))
    base = dict(
        id="sub_1", customer_id="cus_1", customer_name="Wei", customer_email=None, status="active", currency="usd",
        created=NOW - timedelta(days=90), items=(item,), cancel_at_period_end=True, cancel_at=None,
        canceled_at=NOW - timedelta(days=2), ended_at=None, feedback="too_expensive", comment="Budget",
        cancel_reason="cancellation_requested", discount_ids=("di_old",), coupon_ids=("LOYAL",),
    )  # fmt: skip
    return Subscription(**{**base, **kw})


META = {"churn_console_action": "act_1"}


def test_a_coupon_save_revokes_the_cancellation_and_adds_the_coupon_to_the_discounts_kept():
    params = requests.save_update(sub(), CouponOffer(coupon_id="HALF"), "HALF", META, NOW)
    assert params == {
        "cancel_at_period_end": False, "metadata": META, "expand": ["customer", "discounts"],
        "discounts": [{"discount": "di_old"}, {"coupon": "HALF"}], "pause_collection": "",
    }  # fmt: skip


def test_a_cancel_at_date_is_cleared_and_a_revoke_writes_the_offer_state_whole():
    params = requests.save_update(
        sub(cancel_at_period_end=False, cancel_at=NOW + timedelta(days=20), discount_ids=()), RevokeOffer(), None, META, NOW
    )
    assert params["cancel_at"] == "" and params["discounts"] == "" and params["pause_collection"] == ""
    paused = requests.save_update(sub(paused=True), RevokeOffer(), None, META, NOW)
    assert "pause_collection" not in paused  # a pause already there is not the console's to withdraw


def test_a_pause_of_collection_ends_after_calendar_months_or_on_the_chosen_date():
    two = requests.save_update(sub(), PauseOffer(pause_months=2, behavior="keep_as_draft"), None, META, NOW)
    assert two["pause_collection"] == {
        "behavior": "keep_as_draft",
        "resumes_at": int(datetime(2027, 2, 1, 12, tzinfo=UTC).timestamp()),
    }
    jan31 = datetime(2027, 1, 31, tzinfo=UTC)
    assert requests.resumes_at(PauseOffer(pause_months=1), jan31) == int(datetime(2027, 2, 28, tzinfo=UTC).timestamp())
    until = datetime(2027, 3, 1, 9, tzinfo=UTC)
    assert requests.resumes_at(PauseOffer(resumes_at=until), NOW) == int(until.timestamp())
    real = requests.save_update(sub(), PauseOffer(pause_mode="subscription"), None, META, NOW)
    assert real["pause_collection"] == "" and requests.pause_request()["type"] == "subscription"


def test_metadata_names_the_offer_by_its_code():
    meta = requests.metadata_for("act_1", PauseOffer(pause_months=2), "Dana", "call", sub(), NOW)
    assert meta[stamp.PREFIX + "offer"] == "pause:2m" and meta[stamp.PREFIX + "feedback"] == "too_expensive"
    assert requests.metadata_for("act_2", ContactOffer(), "Dana", None, sub(), NOW)[stamp.PREFIX + "offer"] == "contact"


def test_undo_puts_back_the_cancellation_as_it_was_and_removes_only_what_the_action_added():
    before = requests.before_of(sub(feedback_option="fo_1"))
    assert before == {
        "cancel_at_period_end": True, "cancel_at": None, "feedback": "too_expensive", "comment": "Budget",
        "feedback_option": "fo_1", "discount_ids": ["di_old"], "paused": False, "desk_owner": "", "desk_state": "",
    }  # fmt: skip
    saved = sub(cancel_at_period_end=False, discount_ids=("di_old", "di_new"), paused=True)
    params = requests.undo_update(saved, before, ["di_new"], "pause", "act_2", NOW)
    assert params["cancel_at_period_end"] is True and params["discounts"] == [{"discount": "di_old"}]
    assert params["pause_collection"] == "" and params["cancellation_details"] == {
        "feedback": "too_expensive", "comment": "Budget", "feedback_option": "fo_1",
    }  # fmt: skip
    assert params["metadata"] == stamp.for_undo("act_2", NOW) | {
        desk.STATE: "",  # the desk's state before the save ("" deletes the key: new again)
        desk.LAST: f"undo|act_2|{NOW.isoformat(timespec='seconds')}",
    }


def test_a_save_marks_the_desk_saved_and_remembers_whose_row_it_was():
    owned = sub(metadata=desk.for_take("Sam", NOW) | {desk.STATE: "waiting"})
    meta = requests.metadata_for("act_1", PauseOffer(pause_months=2), "Dana", "call", owned, NOW)
    assert meta[desk.STATE] == "saved" and desk.read(meta).last_by == "Dana" and desk.OWNER not in meta
    before = requests.before_of(owned)
    assert (before["desk_owner"], before["desk_state"]) == ("Sam", "waiting")
    assert requests.undo_update(owned, before, [], "pause", "act_2", NOW)["metadata"][desk.STATE] == "waiting"


def test_a_cancel_at_date_comes_back_while_it_is_ahead_else_the_period_end():
    ahead = int((NOW + timedelta(days=5)).timestamp())
    assert requests.rollback_update({"cancel_at": ahead}, NOW)["cancel_at"] == ahead
    passed = requests.rollback_update({"cancel_at": int((NOW - timedelta(days=1)).timestamp())}, NOW)
    assert passed["cancel_at_period_end"] is True and "cancel_at" not in passed
    assert passed["metadata"] == {stamp.PREFIX + k: "" for k in stamp.SAVE_KEYS}  # the save's keys cleared
    assert requests.resume_request()["billing_cycle_anchor"] == {"type": "unchanged"}


def action(**kw) -> Action:
    base = dict(
        id="act_1", created_at=0, operator="Dana", subscription_id="sub_1", customer_id="cus_1", kind="pause",
        offer_code="pause:subscription", consent_channel="call", consent_note=None, idempotency_key="act_1:update",
        livemode=False, params={"update": {}, "pause": {"type": "subscription"}},
    )  # fmt: skip
    return Action(**{**base, **kw})


def test_an_action_has_landed_when_stripe_names_it_and_a_real_pause_is_in_place():
    named = stamp.for_save("act_1", "pause:subscription", "Dana", "call", None, NOW)
    assert not landed(action(), sub())
    assert half_done(action(), sub(metadata=named)) and not landed(action(), sub(metadata=named))
    assert landed(action(), sub(metadata=named, status="paused")) and not half_done(
        action(), sub(metadata=named, status="paused")
    )
    assert not half_done(action(), sub(metadata=named, status="canceled"))  # ended meanwhile: nothing to finish
    undo = action(id="act_2", kind="undo", params={"update": {}})
    assert landed(undo, sub(metadata=stamp.for_undo("act_2", NOW))) and not landed(undo, sub(metadata=named))


def test_one_console_at_a_time_per_subscription_and_a_held_lock_marks_one_being_sent(tmp_path):
    locks = SubscriptionLocks(tmp_path / "locks")
    inside = threading.Event()
    release = threading.Event()

    def hold():
        with SubscriptionLocks(tmp_path / "locks").held("sub_1"):
            inside.set()
            release.wait(5)

    other = threading.Thread(target=hold)
    other.start()
    assert inside.wait(5)
    with locks.if_free("sub_1") as free:
        assert free is False  # another one is sending
    with locks.if_free("sub_2") as free:
        assert free is True
    with pytest.raises(SubscriptionBusy, match="still acting on sub_1"):
        with locks.held("sub_1", wait_s=0.1):
            pass
    release.set()
    other.join(5)
    started = time.monotonic()
    with locks.held("sub_1", wait_s=1):
        assert time.monotonic() - started < 1
    assert sorted(p.name for p in (tmp_path / "locks").iterdir()) == ["sub_1.lock", "sub_2.lock"]
