"""sync/intents.py, sync/state.py and sync/apply.py: what a subscription's state and Stripe's events say about a
customer's ask to cancel (pending, saved, revoked by the customer, ended), and the timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from console.domain import stamp
from console.domain.events import Change
from console.domain.models import Coupon, Customer, Item, PortalConfigSummary, Subscription
from console.store import Cache
from console.sync import intents, state
from console.sync.apply import apply_changes

NOW = datetime.now(UTC).replace(microsecond=0)
T = int(NOW.timestamp())


def sub(**kw) -> Subscription:
    item = Item("price_pro", "prod_pro", "Pro", 5000, "usd", "month", 1, 1, NOW + timedelta(days=9))
    base = dict(
        id="sub_1", customer_id="cus_1", customer_name="Wei Sato", customer_email="wei@example.com", status="active",
        currency="usd", created=NOW - timedelta(days=90), items=(item,), cancel_at_period_end=True, cancel_at=None,
        canceled_at=NOW - timedelta(days=3), ended_at=None, feedback="too_expensive", comment="Budget",
        cancel_reason="cancellation_requested",
    )  # fmt: skip
    return Subscription(**{**base, **kw})


def kept(**kw) -> Subscription:
    """The same subscription, no longer set to cancel."""
    return sub(cancel_at_period_end=False, canceled_at=None, **kw)


@pytest.fixture
def cache(tmp_path):
    made = Cache(tmp_path / "c.sqlite3")
    yield made
    made.close()


def resolutions(cache) -> list[tuple[str, str]]:
    return [(i["id"], i["resolution"]) for i in cache.intents()]


def test_an_ask_is_one_pending_intent_however_often_it_is_seen(cache):
    state.record(cache, [sub()], T)
    state.record(cache, [sub()], T + 60)
    asked = T - 3 * 86400
    assert resolutions(cache) == [(f"sub_1:{asked}", "pending")]
    assert cache.intent(f"sub_1:{asked}")["feedback"] == "too_expensive"
    assert [e["kind"] for e in cache.timeline("sub_1")] == ["cancel_scheduled"]


def test_the_customer_taking_it_back_is_a_revoke_a_console_save_is_a_save(cache):
    state.record(cache, [sub()], T - 60)
    state.record(cache, [kept()], T)
    assert resolutions(cache)[0][1] == "revoked"
    other = sub(id="sub_2", customer_id="cus_2")
    state.record(cache, [other], T - 60)
    saved = replace(other, cancel_at_period_end=False, metadata=stamp.for_save("act_1", "coupon:HALF", "Dana", "call", None, NOW))
    state.record(cache, [saved], T)
    [intent] = cache.intents_for("sub_2")
    assert (intent["resolution"], intent["offer"], intent["action_id"]) == ("saved", "coupon:HALF", "act_1")
    assert "console_save" in [e["kind"] for e in cache.timeline("sub_2")]


def test_a_save_older_than_two_days_does_not_explain_todays_revoke(cache):
    state.record(cache, [sub()], T - 60)
    old = stamp.for_save("act_0", "coupon:HALF", "Dana", "call", None, NOW - timedelta(days=10))
    state.record(cache, [kept(metadata=old)], T)
    assert [i["resolution"] for i in cache.intents_for("sub_1") if i["source"] == "sync"] == ["revoked"]


def test_an_ended_subscription_ends_its_intent_even_one_never_seen_pending(cache):
    state.record(cache, [sub()], T - 60)
    ended = sub(status="canceled", ended_at=NOW, cancel_at_period_end=False)
    state.record(cache, [ended], T)
    assert resolutions(cache)[0][1] == "ended"
    unseen = sub(id="sub_3", status="canceled", ended_at=NOW - timedelta(days=1), canceled_at=NOW - timedelta(days=20))
    state.record(cache, [unseen], T)
    assert [i["resolution"] for i in cache.intents_for("sub_3")] == ["ended"]  # asked, and left: counted as churn


def test_an_undo_sets_the_cancellation_again_and_the_same_ask_reopens(cache):
    state.record(cache, [sub()], T - 120)
    save = stamp.for_save("act_1", "revoke", "Dana", "call", None, NOW - timedelta(seconds=60))
    state.record(cache, [kept(metadata=save)], T - 60)
    undo_at = NOW
    undone = sub(canceled_at=undo_at, metadata={**save, **stamp.for_undo("act_2", undo_at)})
    state.record(cache, [undone], T)
    assert [(i["resolution"]) for i in cache.intents()] == ["pending"]  # one ask, open again: not a second one


def test_was_pending_reads_previous_attributes():
    after = kept()
    assert intents.was_pending(after, {"cancel_at_period_end": True})
    assert intents.was_pending(after, {"cancel_at": T + 86400})
    assert not intents.was_pending(after, {"metadata": {}})
    ended = sub(status="canceled", ended_at=NOW)
    assert intents.was_pending(ended, {}) and not intents.was_pending(ended, {"canceled_at": None})


def test_before_save_takes_away_the_coupon_the_save_added_only():
    saved = sub(coupon_ids=("LOYAL", "HALF"), discount_ids=("di_1", "di_2"), mrr=2500)
    back = intents.before_save(saved, "coupon:HALF")
    assert back.coupon_ids == ("LOYAL",) and back.discount_ids == ("di_1",) and back.mrr is None
    assert intents.before_save(saved, "pause:2m") is saved and intents.before_save(saved, "coupon:OTHER") is saved


def test_a_full_syncs_pages_observe_only_what_has_something_to_say(cache):
    quiet = kept(id="sub_9", customer_id="cus_9")
    state.record(cache, [quiet], T, every=False)
    assert cache.intents() == [] and cache.timeline("sub_9") == []
    assert cache.subscription("sub_9") is not None  # still written


def change(event_id: str, type_: str, **kw) -> Change:
    return Change(event_id, type_, NOW, **kw)


def test_events_apply_coupons_customers_and_portal_configurations_without_a_gateway(cache):
    state.record(cache, [sub()], T)
    half = Coupon("HALF", None, 50, None, None, "once", None, True, 0, None)
    config = PortalConfigSummary("bpc_1", "Default", True, True, NOW, ())
    applied = apply_changes(
        cache,
        [
            change("evt_1", "coupon.created", coupon=half),
            change("evt_2", "customer.updated", customer=Customer("cus_1", "Wei S.", "wei@new.example")),
            change("evt_3", "billing_portal.configuration.created", portal_configuration=config),
            change("evt_4", "coupon.deleted", coupon=half),
            change("evt_5", "customer.deleted", customer=Customer("cus_1", None, None, deleted=True)),
        ],
        gateway=None,
    )
    assert applied == 5 and cache.coupons() == [] and [c.id for c in cache.portal_configurations()] == ["bpc_1"]
    assert cache.queue()[0].customer_deleted and "customer_deleted" in [e["kind"] for e in cache.timeline("sub_1")]


def test_a_subscription_event_fills_the_customer_from_the_cache_and_records_pauses_in_the_timeline(cache):
    state.record(cache, [sub()], T - 60)
    bare = sub(customer_name=None, customer_email=None, paused=True)
    apply_changes(
        cache,
        [change("evt_1", "customer.subscription.updated", subscription=bare, previous={"pause_collection": None})],
        gateway=None,
    )
    assert cache.subscription("sub_1").customer_name == "Wei Sato"  # events carry the customer's id only
    assert "paused" in [e["kind"] for e in cache.timeline("sub_1")]


def test_saved_then_asked_again_keeps_the_earlier_save_even_when_only_its_stamp_tells_it(cache):
    """A customer saved months ago (no events left: Stripe keeps 30 days) asks to cancel again: the first sync sees
    a pending subscription whose churn_console_* stamp predates the ask. The save is an intent of its own (the
    guardrail and the outcomes need it); a stamp newer than the ask is not (a save still being read back)."""
    saved_at = NOW - timedelta(days=120)
    old = stamp.for_save("act_1", "coupon:RETAIN25-3M", "Dana", "call", "too_expensive", saved_at, "price-test:B")
    state.record(cache, [sub(metadata=old)], T)
    found = {i["id"]: i for i in cache.intents()}
    first, again = f"sub_1:{int(saved_at.timestamp())}", f"sub_1:{T - 3 * 86400}"
    assert set(found) == {first, again}
    assert (found[first]["resolution"], found[first]["offer"], found[first]["variant"]) == (
        "saved",
        "coupon:RETAIN25-3M",
        "price-test:B",
    )
    assert found[again]["resolution"] == "pending"
    newer = stamp.for_save("act_2", "coupon:RETAIN25-3M", "Dana", "call", "too_expensive", NOW, None)
    state.record(cache, [sub(id="sub_2", metadata=newer)], T)
    assert [i["resolution"] for i in cache.intents_for("sub_2")] == ["pending"]
