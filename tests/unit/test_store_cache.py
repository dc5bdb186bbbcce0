"""store/cache.py: one account and mode's SQLite cache (subscriptions valued as they are written, the queue,
totals, coupons, intents, discounts, the timeline, lifetime value) and store/journal.py: the action journal."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from console.domain.action import Action
from console.domain.models import Coupon, Item, PortalConfigSummary, Subscription
from console.store import Cache
from console.store.journal import Journal
from console.store.schema import DatabaseError

NOW = datetime.now(UTC).replace(microsecond=0)
SYNCED = int(NOW.timestamp())


def sub(sub_id: str = "sub_1", **kw) -> Subscription:
    item = Item("price_pro", "prod_pro", "Pro", 5000, "usd", "month", 1, 2, NOW + timedelta(days=9))
    base = dict(
        id=sub_id, customer_id="cus_" + sub_id[4:], customer_name="Wei Sato", customer_email="wei@example.com",
        status="active", currency="usd", created=NOW - timedelta(days=90), items=(item,), cancel_at_period_end=True,
        cancel_at=None, canceled_at=NOW - timedelta(days=1), ended_at=None, feedback="too_expensive", comment=None,
        cancel_reason="cancellation_requested",
    )  # fmt: skip
    return Subscription(**{**base, **kw})


def coupon(coupon_id: str = "HALF", percent: float = 50) -> Coupon:
    return Coupon(coupon_id, None, percent, None, None, "forever", None, True, 0, None)


@pytest.fixture
def cache(tmp_path):
    made = Cache.for_account(tmp_path, "acct_1", livemode=False)
    yield made
    made.close()


def test_subscriptions_are_valued_as_they_are_written_and_the_queue_holds_the_pending_ones(cache):
    stored = cache.upsert_subscriptions([sub("sub_1"), sub("sub_2", cancel_at_period_end=False)], SYNCED)
    assert [s.mrr for s in stored] == [10000, 10000]  # 2 seats × $50
    assert [r.subscription_id for r in cache.queue()] == ["sub_1"] and cache.queue()[0].mrr_minor == 10000
    assert cache.counts() == {"subscriptions": 2, "pending": 1}
    assert cache.live_totals() == [
        {"status": "active", "currency": "usd", "pending": 0, "n": 1, "mrr": 10000},
        {"status": "active", "currency": "usd", "pending": 1, "n": 1, "mrr": 10000},
    ]
    assert cache.subscription("sub_1") == stored[0] and cache.subscription("sub_9") is None
    assert set(cache.subscriptions(["sub_1", "sub_2", "sub_9"])) == {"sub_1", "sub_2"}
    assert cache.subscription_ids_of("cus_1") == ["sub_1"]


def test_a_discount_is_valued_from_the_cached_coupon_and_remembered_by_its_id(cache):
    cache.replace_coupons([coupon("HALF", 50)])
    [stored] = cache.upsert_subscriptions([sub(discount_ids=("di_1",), coupon_ids=("HALF",))], SYNCED)
    assert stored.mrr == 5000
    assert cache.discounts_of(["di_1", "di_unknown"]) == [("HALF", None)]
    cache.upsert_coupon(coupon("HALF", 20))  # the coupon as Stripe now has it; the next write values with it
    assert cache.upsert_subscriptions([sub(discount_ids=("di_1",), coupon_ids=("HALF",))], SYNCED)[0].mrr == 8000
    cache.delete_coupon("HALF")
    assert cache.coupons() == []


def test_a_failed_transaction_writes_nothing(cache):
    with pytest.raises(RuntimeError), cache.transaction():
        cache.upsert_subscriptions([sub("sub_1")], SYNCED)
        cache.set_meta("cursor", "evt_9")
        raise RuntimeError("a page failed half way")
    assert cache.counts()["subscriptions"] == 0 and cache.get_meta("cursor") is None


def test_meta_keeps_json_values_and_none_deletes(cache):
    cache.set_meta("first_sync_at", SYNCED)
    cache.set_meta("window", {"gte": 1, "lt": 2})
    assert cache.get_meta("first_sync_at") == SYNCED and cache.get_meta("window") == {"gte": 1, "lt": 2}
    cache.set_meta("window", None)
    assert cache.get_meta("window", "gone") == "gone"


def test_a_complete_full_sync_forgets_rows_it_did_not_see_again(cache):
    cache.upsert_subscriptions([sub("sub_old")], SYNCED - 100)
    cache.upsert_subscriptions([sub("sub_new")], SYNCED)
    assert cache.drop_subscriptions_not_seen(SYNCED) == 1
    assert [r.subscription_id for r in cache.queue()] == ["sub_new"]


def test_intents_fill_in_a_late_survey_answer_resolve_reopen_and_date_the_ask(cache):
    cache.upsert_subscriptions([sub("sub_1", canceled_at=NOW)], SYNCED)
    asked = SYNCED - 3 * 86400
    intent = {
        "id": "int_1", "subscription_id": "sub_1", "customer_id": "cus_1", "scheduled_at": asked, "feedback": None,
        "comment": None, "mrr_minor": 10000, "currency": "usd", "source": "event",
    }  # fmt: skip
    cache.add_intent(intent)
    cache.add_intent({**intent, "feedback": "unused", "comment": "Back in spring"})  # the answer, a second event later
    cache.add_intent({**intent, "feedback": "too_complex"})  # a known answer is never overwritten
    assert (cache.intent("int_1")["feedback"], cache.intent("int_1")["comment"]) == ("unused", "Back in spring")
    assert cache.with_open_intents(["sub_1", "sub_2"]) == {"sub_1"} and cache.with_open_intents([]) == set()
    # "Asked on" is when the customer asked, not Stripe's canceled_at (an undo sets that again)
    assert cache.queue()[0].requested_at == datetime.fromtimestamp(asked, UTC)
    cache.resolve_intent("int_1", "saved", SYNCED, offer="coupon:HALF", action_id="act_1")
    assert cache.open_intent("sub_1") is None and cache.intent("int_1")["offer"] == "coupon:HALF"
    cache.reopen_intent("int_1")
    assert cache.open_intent("sub_1")["action_id"] is None and len(cache.intents_for("sub_1")) == 1
    cache.delete_intent("int_1")
    assert cache.intents() == []


def test_the_timeline_keeps_each_event_once_in_time_order_and_lifetime_value_per_currency(cache):
    cache.add_timeline("evt_2", "sub_1", 200, "saved", {"by": "Dana"})
    cache.add_timeline("evt_1", "sub_1", 100, "asked", {"feedback": "unused"})
    cache.add_timeline("evt_1", "sub_1", 100, "asked", {"feedback": "changed"})  # the same event again: ignored
    assert cache.timeline("sub_1") == [
        {"at": 100, "kind": "asked", "detail": {"feedback": "unused"}},
        {"at": 200, "kind": "saved", "detail": {"by": "Dana"}},
    ]
    cache.set_lifetime_value("cus_1", {"usd": (12000, 3), "eur": (900, 1)}, SYNCED)
    cache.set_lifetime_value("cus_1", {"usd": (15000, 4)}, SYNCED + 1)  # computed again: replaced whole
    assert [(r["currency"], r["paid_minor"], r["invoices"]) for r in cache.lifetime_value("cus_1")] == [("usd", 15000, 4)]


def test_portal_configurations_list_the_default_first(cache):
    when = NOW
    cache.replace_portal_configurations(
        [PortalConfigSummary("bpc_b", "B", False, True, when, ()), PortalConfigSummary("bpc_a", "Z", True, True, when, ("x",))]
    )
    assert [c.id for c in cache.portal_configurations()] == ["bpc_a", "bpc_b"]
    cache.upsert_portal_configuration(PortalConfigSummary("bpc_b", "B2", False, False, when, ()))
    assert [c.name for c in cache.portal_configurations()] == ["Z", "B2"]


def test_a_damaged_cache_is_set_aside_kept_and_rebuilt_empty(tmp_path):
    path = tmp_path / "acct_1-test.sqlite3"
    path.write_bytes(b"not a database" * 100)
    cache = Cache(path)
    assert cache.set_aside is not None and cache.set_aside.read_bytes().startswith(b"not a database")
    assert cache.counts()["subscriptions"] == 0
    cache.close()


def action(action_id: str, created_at: int, **kw) -> Action:
    base = dict(
        id=action_id, created_at=created_at, operator="Dana", subscription_id="sub_1", customer_id="cus_1", kind="save",
        offer_code="coupon:HALF", consent_channel="call", consent_note=None, idempotency_key=f"{action_id}:update",
        livemode=False,
    )  # fmt: skip
    return Action(**{**base, **kw})


def test_the_journal_adds_updates_and_lists_actions_newest_first(tmp_path):
    journal = Journal.for_account(tmp_path, "acct_1", False)
    journal.add(action("act_1", 100))
    journal.add(action("act_2", 200, subscription_id="sub_2"))
    journal.update(journal.get("act_1"), state="applied", request_id="req_1", applied_at=101)
    assert [a.id for a in journal.all()] == ["act_2", "act_1"] and [a.id for a in journal.all(limit=1)] == ["act_2"]
    assert [a.id for a in journal.in_state("applied")] == ["act_1"]
    assert [a.id for a in journal.in_state("pending", "applied")] == ["act_1", "act_2"]
    assert journal.get("act_1").request_id == "req_1" and journal.get("act_9") is None
    with pytest.raises(AttributeError):
        journal.update(journal.get("act_1"), colour="red")
    with pytest.raises(DatabaseError):
        journal.update(journal.get("act_2"), state="lost")
    assert journal.get("act_2").state == "pending"  # the refused update wrote nothing
    journal.close()


def test_a_damaged_journal_copy_is_merged_back_and_kept(tmp_path):
    journal = Journal.for_account(tmp_path, "acct_1", False)
    journal.add(action("act_1", 100, state="applied"))
    journal.close()
    copy = tmp_path / f"{journal.path.name}.damaged-2026-12-01"
    journal.path.replace(copy)
    fresh = Journal.for_account(tmp_path, "acct_1", False)
    fresh.add(dataclasses.replace(action("act_1", 100), idempotency_key="recovered-act_1", consent_note="from metadata"))
    assert fresh.damaged_copies() == [copy]
    assert fresh.merge_damaged(copy) == 1  # the copy's own record replaces the one recovered from metadata
    assert fresh.get("act_1").idempotency_key == "act_1:update" and fresh.damaged_copies() == []
    assert copy.with_name(copy.name + ".merged").exists()
    fresh.close()


def test_the_queues_head_is_its_first_rows_in_the_windows_default_order(cache):
    """MRR in currency groups, the biggest group first, then the soonest end (ui/queue/table.py's MRR order)."""
    subs = [
        sub("sub_e1", currency="eur", items=(Item("p", "x", "P", 900, "eur", "month", 1, 1, NOW + timedelta(days=3)),)),
        sub("sub_u1", items=(Item("p", "x", "P", 100, "usd", "month", 1, 1, NOW + timedelta(days=5)),)),
        sub("sub_u2", items=(Item("p", "x", "P", 700, "usd", "month", 1, 1, NOW + timedelta(days=9)),)),
        sub("sub_u3", items=(Item("p", "x", "P", 700, "usd", "month", 1, 1, NOW + timedelta(days=2)),)),
    ]
    cache.upsert_subscriptions(subs, SYNCED)
    assert [r.subscription_id for r in cache.queue(head=3)] == ["sub_u3", "sub_u2", "sub_u1"]
    assert [r.subscription_id for r in cache.queue(head=10)] == ["sub_u3", "sub_u2", "sub_u1", "sub_e1"]
    assert [r.subscription_id for r in cache.queue()] == ["sub_u3", "sub_e1", "sub_u1", "sub_u2"]  # soonest end first
    assert cache.pending_by_currency() == {"usd": 3, "eur": 1}


def test_a_read_on_an_unchecked_cache_is_checked_beside_it_and_damage_is_never_an_answer(tmp_path):
    path = tmp_path / "c.sqlite3"
    made = Cache(path)
    made.upsert_subscriptions([sub(f"sub_{i:05d}", comment="x" * 300) for i in range(3000)], synced_at=SYNCED)
    made.close()
    sound = Cache(path, check=False)
    assert len(sound.read_checked(lambda: sound.queue_spool(SYNCED))) == 3000
    assert not sound.unchecked and sound.set_aside is None  # checked once: the next read runs alone
    sound.close()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 8 * 4096] = b"\xa5" * (8 * 4096)  # eight pages of the table overwritten
    path.write_bytes(bytes(data))
    damaged = Cache(path, check=False)
    with pytest.raises(DatabaseError, match="moved aside") as said:
        damaged.read_checked(lambda: damaged.queue_spool(SYNCED))
    assert "churn-console sync" in said.value.hint
    assert damaged.set_aside is not None and damaged.set_aside.read_bytes() == bytes(data)  # kept as it was
    damaged.close()


def test_nulls_are_bound_as_null_through_the_none_adapter(cache):
    """schema.py registers an adapter for None (binding None otherwise costs a failed adapter lookup per NULL):
    what it writes must still be SQL NULL, never '' or 'None', and read back as None."""
    import sqlite3

    assert (type(None), sqlite3.PrepareProtocol) in sqlite3.adapters
    cache.upsert_subscriptions([sub("sub_n", comment=None, cancel_at=None, trial_end=None)], SYNCED)
    found = cache.db.conn.execute(
        "SELECT comment IS NULL, cancel_at IS NULL, trial_end IS NULL, typeof(comment) FROM subscriptions WHERE id = 'sub_n'"
    ).fetchone()
    assert found == (1, 1, 1, "null")
    assert cache.subscription("sub_n").comment is None  # type: ignore[union-attr]


def test_a_bulk_write_holds_a_larger_page_cache_and_gives_it_back_even_when_it_fails(cache):
    from console.store.schema import BULK_CACHE_KIB

    size = lambda: cache.db.conn.execute("PRAGMA cache_size").fetchone()[0]  # noqa: E731
    before = size()
    with cache.bulk():
        assert size() == -BULK_CACHE_KIB
        cache.upsert_subscriptions([sub("sub_b")], SYNCED)
    assert size() == before
    with pytest.raises(RuntimeError), cache.bulk():
        raise RuntimeError("a page failed")
    assert size() == before and cache.subscription("sub_b") is not None


def test_reads_in_a_snapshot_see_one_state_of_the_file_though_another_process_commits_between(cache):
    """A report counts most open asks and reads the rest (analytics.outcomes.read_outcomes): a save committed by
    another process between the two reads would be counted twice. Inside snapshot() the second read sees what the
    first did; after it, the commit."""
    import sqlite3

    intent = {
        "id": "int_1", "subscription_id": "sub_1", "customer_id": "cus_1", "scheduled_at": SYNCED, "feedback": None,
        "comment": None, "mrr_minor": 10000, "currency": "usd", "source": "event",
    }  # fmt: skip
    cache.add_intent(intent)
    other = sqlite3.connect(cache.path, isolation_level=None)  # another console's sync, its own connection
    with cache.snapshot():
        assert sum(len(t) for t in cache.open_intent_times(None, 1 << 62).values()) == 1
        other.execute("UPDATE intents SET resolution = 'saved', resolved_at = ? WHERE id = 'int_1'", [SYNCED])
        assert [r["resolution"] for r in cache.intent_rows()] == ["pending"]  # the state the count read
        with cache.snapshot():  # nested: the same snapshot
            assert cache.open_intent("sub_1") is not None
    assert [r["resolution"] for r in cache.intent_rows()] == ["saved"]
    assert cache.open_intent_times(None, 1 << 62) == {}
    other.close()


def test_an_intent_row_unpacks_in_the_order_its_names_say(cache):
    """analytics.outcomes unpacks each intent row by position (a third faster than by name): the columns come in
    INTENT_READ's order, then the subscription's end, and each position holds the column its name says."""
    from console.store.intents import INTENT_READ

    intent = {
        "id": "int_1", "subscription_id": "sub_1", "customer_id": "cus_1", "scheduled_at": SYNCED, "feedback": "unused",
        "comment": "not read", "mrr_minor": 4200, "currency": "eur", "source": "event",
    }  # fmt: skip
    cache.add_intent(intent)
    cache.resolve_intent("int_1", "saved", SYNCED + 60, offer="coupon:HALF", action_id="act_1")
    (row,) = cache.intent_rows()
    assert tuple(row.keys()) == (*INTENT_READ, "sub_ended_at")
    named = dict(zip(row.keys(), tuple(row), strict=True))
    assert named["id"] == "int_1" and named["mrr_minor"] == 4200 and named["currency"] == "eur"
    assert named["resolution"] == "saved" and named["resolved_at"] == SYNCED + 60 and named["offer"] == "coupon:HALF"
