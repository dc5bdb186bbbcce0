"""The sandbox's object table: compressed objects read back equal, live ones keep their changes, and the
newest-first order and created ranges hold through appends, replacements and removals."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from console.sandbox import objects
from console.sandbox.state import State
from console.sandbox.table import Table


def sub(n: int, created: int, customer: str = "cus_1") -> dict:
    return {
        "id": f"sub_{n}",
        "object": "subscription",
        "created": created,
        "_seq": n,
        "customer": customer,
        "items": {"data": [{"price": {"id": "price_1", "unit_amount": 1900 + n}}]},
        "metadata": {"n": str(n)},
    }


def newest_first(table: Table) -> list[str]:
    return [table.newest(i)["id"] for i in range(table.count())]


def test_a_frozen_object_reads_back_equal_and_small() -> None:
    table = Table("subscription")
    originals = {f"sub_{n}": sub(n, 1_700_000_000 + n) for n in range(50)}
    for obj_id, obj in originals.items():
        table[obj_id] = dict(obj)
    table.freeze()
    stored = table._items
    assert all(isinstance(v, bytes) for v in stored.values())
    assert all(len(v) < len(str(originals[k])) for k, v in stored.items())  # compressed against its neighbours
    assert {k: table.peek(k) for k in originals} == originals


def test_peek_leaves_an_object_frozen_and_a_change_needs_it_taken_live() -> None:
    table = Table("subscription")
    table["sub_1"] = sub(1, 100)
    table.freeze()
    looked = table.peek("sub_1")
    assert looked is not None
    looked["metadata"]["n"] = "changed"  # a read's copy: the table does not see it
    assert table.peek("sub_1")["metadata"]["n"] == "1"
    assert isinstance(table._items["sub_1"], bytes)
    table["sub_1"]["metadata"]["n"] = "kept"  # [] makes it live: the change stays
    assert table.peek("sub_1")["metadata"]["n"] == "kept" and not isinstance(table._items["sub_1"], bytes)
    table.freeze()
    assert table.peek("sub_1")["metadata"]["n"] == "kept" and isinstance(table._items["sub_1"], bytes)


def test_the_order_is_newest_first_by_created_then_by_creation_through_every_change() -> None:
    rng = random.Random(4)
    table, model = Table("subscription"), {}
    for n in range(300):
        op = rng.random()
        if op < 0.6 or not model:  # new: mostly the newest (appended), sometimes back-dated
            created = 1000 + n * 10 if rng.random() < 0.7 else rng.randrange(0, 4000)
            obj = sub(n, created)
        elif op < 0.8:  # replaced (a deleted customer's stub has no `created`)
            old = rng.choice(sorted(model))
            obj = {"id": old, "object": "subscription", "_seq": model[old]["_seq"]}
        else:
            gone = rng.choice(sorted(model))
            del table[gone], model[gone]
            continue
        table[obj["id"]] = obj
        model[obj["id"]] = obj
        if n % 37 == 0:
            table.freeze()
        expected = sorted(model.values(), key=lambda o: (o.get("created", 0), o["_seq"]), reverse=True)
        if n % 7 == 0:  # asked for now and then, as lists ask: kept between, sorted again when it must be
            assert newest_first(table) == [o["id"] for o in expected]
            where = rng.choice(expected)["id"]
            assert table.position(where) == [o["id"] for o in expected].index(where)
    assert table.position("sub_missing") is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=40), st.integers(0, 50), st.integers(0, 50))
def test_created_bounds_hold_every_object_in_the_range(created: list[int], a: int, b: int) -> None:
    table = Table("subscription")
    for n, c in enumerate(created):
        table[f"sub_{n}"] = sub(n, c)
    low, high = min(a, b), max(a, b)
    start, stop = table.created_bounds(low, high)
    inside = {table.newest(i)["id"] for i in range(start, stop)}
    assert inside == {f"sub_{n}" for n, c in enumerate(created) if low <= c <= high}
    assert table.created_bounds(None, None) == (0, len(created))


def test_where_finds_a_customers_objects_newest_first_and_skips_what_went() -> None:
    table = Table("invoice", indexed={"customer": lambda o: o.get("customer")})
    for n in range(10):
        table[f"in_{n}"] = {"id": f"in_{n}", "customer": f"cus_{n % 3}", "created": n, "_seq": n}
    table.freeze()
    del table["in_3"]
    assert [o["id"] for o in table.where("customer", "cus_0")] == ["in_9", "in_6", "in_0"]
    assert table.where("customer", "cus_none") == []


def test_a_saved_account_loads_back_the_same_and_frozen() -> None:
    state = State(seed=2)
    from console.sandbox import seed

    seed.seed(state, customers=30)
    again = State.load(state.dump())
    for kind in ("customer", "subscription", "event"):
        assert again.table(kind).plain() == state.table(kind).plain()
        assert all(isinstance(v, bytes) for v in again.table(kind)._items.values())
    assert newest_first(again.table("event")) == newest_first(state.table("event"))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2_000_000_000), st.sampled_from(["month", "year"]), st.integers(1, 14))
def test_a_calendar_period_ends_where_relativedelta_puts_it(ts: int, interval: str, count: int) -> None:
    start = datetime.fromtimestamp(ts, UTC)
    months = count * (12 if interval == "year" else 1)
    assert objects.add_interval(ts, interval, count) == int((start + relativedelta(months=months)).timestamp())


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1_500_000_000, 1_700_000_000),
    st.integers(0, 3 * 365 * 86400),
    st.sampled_from([("day", 1), ("week", 1), ("week", 2), ("month", 1), ("month", 3), ("year", 1)]),
)
def test_the_seeds_running_period_is_the_one_renewals_chain_to(created: int, age: int, plan: tuple[str, int]) -> None:
    interval, count = plan
    now, start = created + age, created
    while objects.add_interval(start, interval, count) <= now:  # renewal by renewal, as lifecycle.renew goes
        start = objects.add_interval(start, interval, count)
    assert objects.running_period_start(created, now, interval, count) == start
