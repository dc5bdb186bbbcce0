"""The queue model and proxy on their own: sorting by MRR never compares currencies."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from console.domain.queue import QueueRow
from console.domain.queue_filter import NO_ANSWER, QueueFilter
from console.ui.queue.model import MRR_COL, ROW_ROLE, SORT_ROLE, QueueModel, QueueProxy

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def row(sub: str, mrr: int, currency: str, days: int, feedback: str | None = "too_expensive") -> QueueRow:
    return QueueRow(
        subscription_id=sub,
        customer_id=f"cus_{sub}",
        customer_name=f"Customer {sub}",
        email=f"{sub}@example.com",
        plan="Team monthly",
        mrr_minor=mrr,
        currency=currency,
        ends_at=NOW + timedelta(days=days, hours=1),
        requested_at=NOW - timedelta(days=2),
        feedback=feedback,
        comment=None,
        created=NOW - timedelta(days=400),
        status="active",
        discount=None,
    )


def ordered(proxy: QueueProxy) -> list[str]:
    return [proxy.data(proxy.index(i, 0), ROW_ROLE).subscription_id for i in range(proxy.rowCount())]


def make(rows):
    """A model over a numpy table (lite=False: the window's small queues are lite, the equivalence test below holds
    the two to the same rows and orders)."""
    from console.ui.queue.table import PreparedQueue

    model = QueueModel()
    model.set_table(PreparedQueue.build(rows, NOW, lite=False))
    proxy = QueueProxy()
    proxy.setSourceModel(model)
    return model, proxy


def test_mrr_sort_groups_by_currency_then_amount_then_days_left(qapp):
    rows = [
        row("usd_small", 1_900, "usd", 5),
        row("usd_big", 30_000, "usd", 9),
        row("usd_big_sooner", 30_000, "usd", 2),
        row("jpy_huge_number", 148_000, "jpy", 3),  # ¥148,000 is ~$1,000: its minor units must not outrank USD cents
    ]
    _, proxy = make(rows)
    proxy.sort(MRR_COL, Qt.SortOrder.DescendingOrder)
    assert ordered(proxy) == ["usd_big_sooner", "usd_big", "usd_small", "jpy_huge_number"]


def test_days_and_filters(qapp):
    rows = [row("a", 100, "usd", 1), row("b", 200, "eur", 20, feedback=None), row("c", 300, "usd", 40, feedback="unused")]
    model, proxy = make(rows)
    assert model.days == [1, 20, 40]
    proxy.set_filter(QueueFilter(reason=NO_ANSWER))
    assert ordered(proxy) == ["b"]
    proxy.set_filter(QueueFilter(min_days=10, max_days=30))
    assert ordered(proxy) == ["b"]
    proxy.set_filter(QueueFilter(currency="usd", text="C@EXAMPLE"))
    assert ordered(proxy) == ["c"]
    proxy.set_filter(QueueFilter())
    assert len(ordered(proxy)) == 3


def test_urgent_rows_are_marked(qapp):
    model, _ = make([row("soon", 100, "usd", 1), row("later", 100, "usd", 30)])
    days_col = 4
    assert model.index(0, days_col).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, days_col).data(Qt.ItemDataRole.ForegroundRole) is None


def test_the_view_sorts_stably_both_ways_and_keeps_orders_it_computed(qapp):
    from console.ui.queue.model import COLUMNS

    rows = [row(f"s{i}", 100 * (i % 3), "usd", i % 4) for i in range(12)]
    model, proxy = make(rows)
    plan = COLUMNS.index("Plan")  # every row has the same plan: ties everywhere
    proxy.sort(plan, Qt.SortOrder.AscendingOrder)
    ascending = ordered(proxy)
    proxy.sort(plan, Qt.SortOrder.DescendingOrder)
    assert ordered(proxy) == ascending  # ties keep the prepared order (soonest end first) in both directions
    assert [model.rows[i].subscription_id for i in range(12)] == ascending
    days = COLUMNS.index("Days left")
    proxy.sort(days, Qt.SortOrder.DescendingOrder)
    assert [model.table.days[model.row_of(s)] for s in ordered(proxy)] == sorted(model.table.days, reverse=True)
    assert (days, True) in model.table._orders  # computed once, kept for the next click


def test_the_filter_needs_every_word_and_totals_follow_what_is_shown(qapp):
    rows = [row("a", 1_000, "usd", 1), row("b", 2_000, "eur", 2), row("c", 500, "usd", 3)]
    rows[2] = replace(rows[2], customer_name="Olivia Berg", comment="too slow")
    _, proxy = make(rows)
    assert proxy.totals() == {"usd": 1_500, "eur": 2_000}
    proxy.set_filter(QueueFilter(text="olivia SLOW"))
    assert ordered(proxy) == ["c"] and proxy.totals() == {"usd": 500}
    proxy.set_filter(QueueFilter(text="olivia fast"))
    assert ordered(proxy) == [] and proxy.totals() == {}
    proxy.set_filter(QueueFilter(currency="eur", min_days=2))
    assert ordered(proxy) == ["b"] and proxy.totals() == {"eur": 2_000}
    proxy.set_filter(QueueFilter(plan="Team monthly", reason="not_a_reason"))
    assert ordered(proxy) == []


def test_a_replaced_table_is_freed_in_steps_and_the_proxy_follows_the_new_one(qapp):
    from console.ui.queue.table import PreparedQueue

    model, proxy = make([row("a", 100, "usd", 1), row("b", 200, "usd", 2)])
    proxy.set_filter(QueueFilter(text="b@"))
    old = model.set_table(PreparedQueue.build([row("b", 200, "usd", 2), row("c", 300, "usd", 3)], NOW))
    assert ordered(proxy) == ["b"]  # the filter applied to the new rows
    assert proxy.shown(model.row_of("b")) and not proxy.shown(model.row_of("c")) and model.row_of("a") is None
    steps = sum(1 for _ in old.dispose(step=1))
    assert steps > 2  # a step a row: the window frees a little between its events
    assert old.rows == [] and old.display == [] and old.ids == {} and all(c == [] for c in old.sort_columns)


def test_a_re_read_takes_over_the_shown_rows_texts_and_shows_what_a_fresh_build_shows(qapp, tmp_path):
    """The window reads the queue again after each sync and action: rows read back unchanged are the shown ones
    (one table's rows held, not two); a changed row, a new offer or a new rank gets its own texts and keys."""
    from console.store import Cache
    from console.ui.queue.table import PreparedQueue
    from tests.unit.test_store_cache import SYNCED, sub

    cache = Cache(tmp_path / "c.sqlite3")
    cache.upsert_subscriptions([sub(f"sub_{i}", currency="usd" if i % 3 else "eur") for i in range(9)], synced_at=SYNCED)
    shown = PreparedQueue.build(cache.queue(), now=NOW, offers={"sub_1": "Coupon HALF"})
    kept = shown.kept()
    more_euros = [sub(f"sub_{i}", currency="eur") for i in range(9, 13)]  # 7 eur to 6 usd: the groups swap ranks
    cache.upsert_subscriptions([sub("sub_2", comment="Changed my mind"), *more_euros], synced_at=SYNCED)
    again = cache.queue(known=kept.known)
    by_id = {r.subscription_id: r for r in again}
    assert by_id["sub_0"] is shown.rows[shown.ids["sub_0"]]  # read back unchanged: the very object shown
    assert by_id["sub_2"] is not shown.rows[shown.ids["sub_2"]] and by_id["sub_2"].comment == "Changed my mind"
    offers = {"sub_1": "Pause 1 month", "sub_4": "Coupon HALF"}
    reused = PreparedQueue.build(again, now=NOW, offers=offers, sort=(MRR_COL, True), kept=kept)
    fresh = PreparedQueue.build(cache.queue(), now=NOW, offers=offers, sort=(MRR_COL, True))
    assert [r.subscription_id for r in reused.rows] == [r.subscription_id for r in fresh.rows]
    assert reused.display == fresh.display and reused.haystacks == fresh.haystacks
    assert shown.currency_rank[shown.ids["sub_1"]] == 0 and reused.currency_rank[reused.ids["sub_1"]] == 1
    assert reused.sort_columns == fresh.sort_columns  # the MRR keys follow the new ranks
    assert list(reused.order(MRR_COL, True)) == list(fresh.order(MRR_COL, True))
    i, j = reused.ids["sub_0"], shown.ids["sub_0"]
    assert reused.display[i] is shown.display[j] and reused.haystacks[i] is shown.haystacks[j]
    cache.close()


def test_a_table_a_read_still_takes_over_from_is_freed_only_once_the_read_lets_go(qtbot):
    from PySide6.QtCore import QObject

    from console.ui.queue.reading import Retired
    from console.ui.queue.table import PreparedQueue

    shown = PreparedQueue.build([row(f"sub_{i}", 1000 + i, "usd", i % 30) for i in range(5000)], now=NOW)
    kept = shown.kept()
    owner = QObject()
    retired = Retired(owner)
    retired.free(shown)  # replaced by a newer read while this one still reads from it
    qtbot.wait(150)
    assert len(shown.rows) == 5000 and shown.in_use()  # kept whole: the read indexes into it
    kept.release()
    qtbot.waitUntil(lambda: not shown.rows and not retired.timer.isActive(), timeout=5000)


def test_the_save_desk_columns_sort_and_filter_by_their_codes(qapp):
    """Owner and Desk are kept as codes into a few texts (not a text a row): sorted by those texts, stable both ways
    (ties keep the most urgent first), filtered by owner ("" nobody's, a lapsed claim included), due first in Mine."""
    from console.domain import desk
    from console.ui.queue.table import DESK_COL, OWNER_COL

    def owned(sub, days, owner, follow_up=None, last_days_ago=0):
        meta = desk.for_take(owner, NOW - timedelta(days=last_days_ago)) if owner else {}
        if follow_up is not None:
            meta |= desk.for_note("x", owner or "x", NOW - timedelta(days=last_days_ago), follow_up=follow_up)
        return replace(row(sub, 1000, "usd", days), desk=desk.read(meta))

    rows = [
        owned("a", 20, "bo"),
        owned("b", 10, "Ann"),
        owned("c", 15, ""),
        owned("d", 12, "Ann", follow_up=NOW.date()),
        owned("e", 30, "Cy", last_days_ago=desk.LAPSE_DAYS + 2),  # lapsed: nobody's
    ]
    model, proxy = make(rows)
    model.set_rows(rows, NOW)
    proxy.sort(OWNER_COL, Qt.SortOrder.AscendingOrder)
    assert ordered(proxy) == ["c", "e", "b", "d", "a"]  # "", "", Ann, Ann, bo (case-folded), ties by days left
    proxy.sort(OWNER_COL, Qt.SortOrder.DescendingOrder)
    assert ordered(proxy) == ["a", "b", "d", "c", "e"]
    assert proxy.data(proxy.index(0, OWNER_COL), Qt.ItemDataRole.DisplayRole) == "bo"
    assert proxy.data(proxy.index(0, OWNER_COL), SORT_ROLE) == "bo"
    proxy.sort(DESK_COL, Qt.SortOrder.AscendingOrder)
    assert ordered(proxy)[0] == "d" and proxy.data(proxy.index(0, DESK_COL), Qt.ItemDataRole.DisplayRole) == "Due · today"
    proxy.set_filter(QueueFilter(owner=""))
    assert sorted(ordered(proxy)) == ["c", "e"]
    proxy.set_filter(QueueFilter(owner="Ann", due_first=True))
    assert ordered(proxy) == ["d", "b"]  # due first, then the table's order


def test_typing_narrows_the_search_and_every_answer_equals_the_filters_own_rule(qapp):
    """PreparedQueue._search reuses the last search when the new words contain its words: after any sequence of
    texts and other criteria, the rows kept are exactly those QueueFilter.matches keeps (the domain's rule)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from console.ui.queue.table import PreparedQueue

    letters = st.text(alphabet="abo 1", min_size=0, max_size=6)
    people = st.lists(st.tuples(letters, letters, st.sampled_from(["usd", "eur"])), min_size=1, max_size=12)
    asks = st.lists(st.tuples(letters, st.sampled_from([None, "usd", "eur"])), min_size=1, max_size=8)

    @settings(max_examples=150, deadline=None)
    @given(people, asks)
    def check(found_people, queries):
        rows = [
            replace(row(f"s{i}", 100, currency, i % 5), customer_name=name or None, comment=comment or None)
            for i, (name, comment, currency) in enumerate(found_people)
        ]
        table = PreparedQueue.build(rows, NOW)
        for text, currency in queries:
            criteria = QueueFilter(text=text, currency=currency)
            keep = table.matches(criteria)
            got = {table.rows[i].subscription_id for i in range(len(table.rows)) if keep is None or keep[i]}
            assert got == {r.subscription_id for r in table.rows if criteria.matches(r, NOW)}, (text, currency)

    check()


def test_a_narrowed_search_looks_only_in_what_the_last_one_found(qapp):
    """The narrowing is real: after "oli", "olivia" reads only the rows "oli" kept (counted through the texts)."""
    from console.ui.queue.table import PreparedQueue

    rows = [
        replace(row(f"s{i}", 100, "usd", 1), customer_name=name) for i, name in enumerate(["Olivia", "Oliver", "Noah", "Emma"])
    ]
    table = PreparedQueue.build(rows, NOW)
    assert table.matches(QueueFilter(text="oli")).tolist() == [True, True, False, False]

    class Counted(list):
        reads = 0

        def __getitem__(self, i):
            Counted.reads += 1
            return super().__getitem__(i)

    table.haystacks = Counted(table.haystacks)
    assert table.matches(QueueFilter(text="olivia")).tolist() == [True, False, False, False]
    assert Counted.reads == 2  # the two rows "oli" found, not all four
    Counted.reads = 0
    assert table.matches(QueueFilter(text="olivia", currency="usd")).sum() == 1  # other criteria: searched afresh
    assert table.matches(QueueFilter(text="noah")).tolist() == [False, False, True, False]  # not inside: afresh


def test_text_orders_by_numpy_equal_pythons_stable_sort_both_ways():
    """Issue 32: text columns are sorted by numpy's argsort (no GIL held), in the order Python's stable sort gives,
    ties included, in both directions; a column with a NUL or a value that is not text is left to Python."""
    import random

    from console.ui.queue.orders import text_order

    rng = random.Random(5)
    words = ["", "anna", "Anna", "émile", "zoë", "a b", "😀", "日本", "anna "]
    for values in ([rng.choice(words) for _ in range(500)], [], ["x"], ["b\x00", "b", "a\x00", "b"], [3, 1, 2, 1]):
        for descending in (False, True):
            expected = sorted(range(len(values)), key=values.__getitem__, reverse=descending)
            assert list(text_order(values, descending)) == expected, (values[:5], descending)


def test_a_large_table_makes_its_orders_ahead_and_a_first_click_finds_them(qtbot):
    from console.ui.queue.table import COLUMNS, MRR_COL, PreparedQueue

    rows = [replace(row(f"sub_{i:05d}", 1000 + i % 7, "usd", i % 30), customer_name=f"Customer {i % 97}") for i in range(300)]
    prepared = PreparedQueue.build(rows)
    prepared.warm_orders()
    assert {c for c, descending in prepared._orders if not descending} == set(range(len(COLUMNS))) - {MRR_COL}
    name = COLUMNS.index("Customer")
    names = [prepared.sort_columns[name][i] for i in prepared.order(name, False)]
    assert names == sorted(names)


def _lite_and_full(rows):
    from console.ui.queue.table import PreparedQueue

    lite, full = QueueModel(), QueueModel()
    lite.set_table(PreparedQueue.build(rows, NOW, sort=(MRR_COL, True), lite=True))
    full.set_table(PreparedQueue.build(rows, NOW, sort=(MRR_COL, True), lite=False))
    views = []
    for model in (lite, full):
        proxy = QueueProxy()
        proxy.setSourceModel(model)
        views.append(proxy)
    return lite, views


def test_a_head_table_is_sorted_and_filtered_by_python_as_numpy_sorts_and_filters_the_whole_table(qapp):
    """The window's first rows are a lite table (lists: no numpy before the first frame, nor at a key typed while the
    rest is read): every column's sort both ways, each filter, text search and "Mine" show the rows, in the order,
    that the numpy paths show for the same rows (ties keep the most urgent first), with the same totals."""
    from console.domain import desk

    owners = ("", "zed", "Ann", "zed")  # codes in order of appearance, not of the names
    rows = [
        replace(
            row(f"s{i:02d}", (i % 4) * 1000, ("usd", "eur", "jpy")[i % 3], i % 5, feedback=("too_expensive", None)[i % 2]),
            customer_name=("Olivia Berg", "Ravi Shah", None)[i % 3],
            comment=("too slow", None, "Switching to a rival")[i % 3],
            plan=("Team monthly", "Pro yearly")[i % 2],
            desk=desk.read(  # claimed (a claim left 40 days lapses), some with today's follow-up
                desk.for_take(owners[i % 4], NOW - timedelta(days=40 * (i % 8 == 3)))
                | desk.for_note("x", owners[i % 4], NOW - timedelta(days=40 * (i % 8 == 3)), follow_up=(None, NOW.date())[i % 2])
                if owners[i % 4]
                else {}
            ),
        )
        for i in range(40)
    ]
    lite, (head, whole) = _lite_and_full(rows)
    assert lite.table.lite and isinstance(head.view, list)
    criteria = [
        QueueFilter(),
        QueueFilter(text="olivia"),
        QueueFilter(text="ravi RIVAL"),
        QueueFilter(reason=NO_ANSWER),
        QueueFilter(reason="too_expensive", currency="eur"),
        QueueFilter(plan="Pro yearly", min_days=1, max_days=3),
        QueueFilter(owner="zed"),
        QueueFilter(owner=""),
        QueueFilter(due_first=True),
        QueueFilter(owner="Ann", due_first=True, text="s"),
    ]
    for criterion in criteria:
        for column in range(13):
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                for proxy in (head, whole):
                    proxy.criteria = criterion
                    proxy.sort(column, order)
                assert ordered(head) == ordered(whole), (criterion, column, order)
                assert head.totals() == whole.totals() and head.ids_from(2, 5) == whole.ids_from(2, 5)
                assert [head.shown(i) for i in range(40)] == [whole.shown(i) for i in range(40)]
    cells = [[head.data(head.index(r, c)) for c in range(13)] for r in range(head.rowCount())]
    assert cells == [[whole.data(whole.index(r, c)) for c in range(13)] for r in range(whole.rowCount())]
    assert lite.table.lite and isinstance(head.view, list)  # never made numpy's


def test_the_windows_first_rows_are_painted_without_numpy_and_the_whole_queue_brings_it_on_a_worker(tmp_path):
    """numpy's import took ~70 ms of the window's first frame (bench_screen.py): the GUI thread paints the head table
    (lists) without it; the first import of numpy is a worker's, preparing the whole queue."""
    import json
    import os
    import subprocess
    import sys

    from tests.benchmarks.synthetic import cached_account

    data = cached_account(30_000, 6_000, tmp_path)[0]  # past LITE_ROWS: the whole queue's table is numpy's
    code = f"""
import json, sys, threading, time
importers = []
class Spy:  # who imports numpy first
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not importers:
            importers.append(threading.current_thread() is threading.main_thread())
        return None
sys.meta_path.insert(0, Spy())
from pathlib import Path
from PySide6.QtCore import QEvent, QObject
from console.errors import Offline
from console.ui.app import application
from console.ui.main_window import MainWindow
app = application()
def offline():
    raise Offline("Could not reach Stripe.")
window = MainWindow(offline, Path({str(data)!r}))
page = window.queue
painted = []
class First(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and not painted:
            painted.append([page.model.rowCount(), page.model.table.lite, isinstance(page.proxy.view, list)])
        return False
spy = First()
page.table.viewport().installEventFilter(spy)
window.show()
began = time.monotonic()
while (page.model.rowCount() < 6000 or not painted) and time.monotonic() - began < 60:
    app.processEvents()
    time.sleep(0.01)
print(json.dumps({{"painted": painted[0], "main_imported_numpy": importers, "whole": [page.model.rowCount(), page.model.table.lite]}}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, env=env)
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["painted"] == [200, True, True]  # the head: a lite table, its view plain lists
    assert seen["main_imported_numpy"] == [False]  # imported first by the worker that prepared the whole queue
    assert seen["whole"] == [6000, False]


def test_a_queue_below_lite_rows_is_prepared_as_lists_and_never_imports_numpy(qapp):
    """A small queue (most accounts) is sorted and filtered by Python whole: numpy, imported by the worker preparing
    a large one, stalled the first keys typed while a 20,000-subscription window loaded."""
    from console.ui.queue.table import LITE_ROWS, PreparedQueue

    small = PreparedQueue.build([row(f"s{i}", i, "usd", i % 9) for i in range(LITE_ROWS - 1)], NOW)
    large = PreparedQueue.build([row(f"s{i}", i, "usd", i % 9) for i in range(LITE_ROWS)], NOW)
    assert small.lite and isinstance(small.mrr, list) and not large.lite and not isinstance(large.mrr, list)
