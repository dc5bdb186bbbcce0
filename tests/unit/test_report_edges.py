"""Outcome figures at the edges: no data, one currency, an empty range, n = 1, saved then churned."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from console.analytics.outcomes import Outcome
from console.analytics.report import build
from console.domain.proportions import wilson

DAY = 86400
NOW = 1_795_000_000


def outcome(kind, day, feedback="too_expensive", currency="usd", mrr=1000, offer=None, ended_after=None):
    scheduled = NOW - day * DAY
    resolved = None if kind == "pending" else scheduled + DAY
    ended = resolved + ended_after * DAY if ended_after is not None else (resolved if kind == "churned" else None)
    return Outcome(
        f"i{day}{kind}",
        f"sub_{day}",
        scheduled,
        resolved,
        feedback,
        currency,
        mrr,
        kind,
        offer,
        f"{offer}:x" if offer else None,
        ended,
    )


def test_no_data():
    r = build([], NOW - 30 * DAY, NOW, now=NOW)
    assert r.counts()["intents"] == 0 and r.save_rate is None and r.reasons == [] and r.offers == [] and r.mrr_saved() == {}
    assert all(w.intents == 0 for w in r.weeks) and len(r.weeks) >= 4


def test_one_currency_and_a_range_with_no_intents():
    data = [outcome("saved_operator", 5, offer="coupon"), outcome("churned", 6)]
    assert build(data, NOW - 30 * DAY, NOW, now=NOW).mrr_saved() == {"usd": 1000}
    empty = build(data, NOW - 90 * DAY, NOW - 60 * DAY, now=NOW)
    assert empty.counts()["intents"] == 0 and empty.save_rate is None


def test_a_reason_with_a_single_intent_has_a_wide_interval():
    r = build([outcome("saved_operator", 3, feedback="low_quality", offer="coupon")], NOW - 30 * DAY, NOW, now=NOW)
    (row,) = r.reasons
    assert (row.n, row.saves, row.rate) == (1, 1, 1.0)
    assert row.low < 0.25 and row.high == 1.0


def test_a_customers_own_revoke_is_counted_apart_from_the_desks_rate_per_reason():
    data = [
        outcome("saved_operator", 3, offer="coupon"),
        outcome("churned", 4),
        outcome("saved_customer", 5),
        outcome("saved_customer", 6),
    ]
    (row,) = build(data, NOW - 30 * DAY, NOW, now=NOW).reasons
    assert (row.n, row.saves, row.revoked, row.rate) == (2, 1, 2, 0.5)


def test_the_weekly_rate_is_the_desks_over_four_weeks_and_only_with_ten_decided():
    from console.analytics.report import _monday

    first = _monday(NOW - 40 * DAY)
    back = (NOW - first) // DAY  # outcome(kind, back - n) falls on day n after `first`
    # four whole weeks: 3 decided (2 desk saves, 1 loss) in each of the first three, then 1 desk save and 1 self-revoke
    data = [
        outcome(k, back - 7 * w - i - 1) for w in range(3) for i, k in enumerate(("saved_operator", "saved_operator", "churned"))
    ]
    data += [outcome("saved_operator", back - 22), outcome("saved_customer", back - 23)]
    weeks = build(data, first, first + 28 * DAY, now=NOW).weeks
    assert [(w.saves, w.revoked, w.losses) for w in weeks] == [(2, 0, 1), (2, 0, 1), (2, 0, 1), (1, 1, 0)]
    assert [w.rolling_decided for w in weeks] == [3, 6, 9, 10]
    assert [w.rolling_rate for w in weeks] == [None, None, None, 0.7]  # 7 desk saves of 10; the self-revoke left out


def test_saved_then_churned_is_a_late_loss_for_its_offer_and_keeps_no_mrr():
    lost = outcome("saved_operator", 100, offer="coupon", ended_after=40)
    kept = outcome("saved_operator", 99, offer="coupon")
    r = build([lost, kept], NOW - 200 * DAY, NOW, now=NOW)
    assert lost.late_loss and not kept.late_loss
    assert r.mrr_saved() == {"usd": 1000}
    (offer,) = r.offers
    assert offer.late_losses == 1 and offer.retained[30] == (2, 2) and offer.retained[60] == (1, 2)


def test_currencies_are_never_summed():
    r = build(
        [outcome("saved_customer", 2, currency="usd"), outcome("saved_customer", 3, currency="jpy", mrr=2800)],
        NOW - 30 * DAY,
        NOW,
        now=NOW,
    )
    assert r.mrr_saved() == {"usd": 1000, "jpy": 2800}
    assert set(r.mrr_kept) == {"usd", "jpy"}


def test_wilson():
    assert wilson(0, 0) == (0.0, 0.0)
    low, high = wilson(50, 100)
    assert 0.40 < low < 0.41 and 0.59 < high < 0.60


def test_coverage_note_when_the_range_reaches_before_the_data():
    r = build([], NOW - 200 * DAY, NOW, now=NOW, data_since=NOW - 40 * DAY)
    assert r.coverage_note and "not known" in r.coverage_note
    assert build([], NOW - 20 * DAY, NOW, now=NOW, data_since=NOW - 40 * DAY).coverage_note is None


def test_the_desk_save_rate_leaves_out_customers_own_revokes():
    """The issue's figures: 24 saved by the desk, 14 by themselves, 29 churned: the desk's rate is 45%, not 57%."""
    made = [outcome("saved_operator", 5, offer="coupon") for _ in range(24)]
    made += [outcome("saved_customer", 5) for _ in range(14)]
    made += [outcome("churned", 5) for _ in range(29)]
    r = build(made, NOW - 30 * DAY, NOW, now=NOW)
    assert round(r.save_rate, 2) == 0.45  # the desk's: the customers' own revokes are counted apart
    assert r.counts()["saved_customer"] > 0


def test_a_group_whose_invoices_are_unread_keeps_its_currency_in_the_csv():
    """`report --by owner --value --format csv`: saves whose invoices no sync has read yet still have a currency
    (their subscription's), so the row says it: never a row with an empty currency."""
    import csv
    import io

    from console.analytics.saves import EMPTY, Save
    from console.analytics.value_report import value_rows
    from console.commands.report_value import value_csv

    saves = [
        Save(outcome("saved_operator", 5, currency="eur", offer="coupon"), None, None, None, None, None, "Dana"),
        Save(outcome("saved_operator", 6, currency="jpy", offer="pause"), None, None, None, None, None, "Dana"),
    ]
    (row,) = value_rows(saves, "owner", EMPTY)
    assert row.unread == 2 and row.currencies == {"eur", "jpy"}

    class Report:
        value = {"owner": [row]}

    lines = list(csv.reader(io.StringIO(value_csv(Report, "owner"))))  # type: ignore[arg-type]
    assert [r[2] for r in lines[1:]] == ["eur", "jpy"] and all(r[6] == "2" for r in lines[1:])


@given(st.integers(min_value=0, max_value=4_102_444_800))  # 1970 to 2100
def test_a_week_starts_on_the_monday_at_midnight_utc_before_the_moment(ts):
    """report._monday by arithmetic equals the calendar's Monday (datetime.weekday), for any moment."""
    from datetime import timedelta

    from console.analytics.report import _monday

    day = datetime.fromtimestamp(ts, UTC).date()
    start = day - timedelta(days=day.weekday())
    assert _monday(ts) == int(datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())


@given(
    st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["usd", "eur"]), st.integers(0, DAY - 1)), max_size=60),
    st.integers(0, 100),
    st.integers(1, 60),
    st.sampled_from([None, "usd", "eur"]),
)
def test_open_asks_counted_give_the_figures_of_open_asks_read_one_by_one(asks, back, days, currency):
    """OpenTally (a report counts most open asks instead of making each an Outcome): for any asks, range (cut at any
    second) and currency, the weeks and counts are those of the same asks read as objects, beside decided ones."""
    from array import array

    from console.analytics.outcomes import OpenTally

    decided = [outcome("saved_operator", 3), outcome("churned", 40, currency="eur")]
    opened = [
        Outcome(f"p{n}", f"sub_p{n}", NOW - day * DAY + second, None, None, cur, 500, "pending", None, None, None)
        for n, (day, cur, second) in enumerate(asks)
    ]
    times = {cur: array("q", sorted(o.scheduled_at for o in opened if o.currency == cur)) for cur in ("usd", "eur")}
    since = NOW - back * DAY - 4321  # a range that starts and ends inside days and weeks
    until = since + days * DAY
    objects = build(decided + opened, since, until, currency=currency, now=NOW)
    counted = build(decided, since, until, currency=currency, now=NOW, tallied=OpenTally(times))
    assert counted.counts() == objects.counts() and counted.weeks == objects.weeks
    assert counted.open_counted == sum(o.kind == "pending" for o in objects.outcomes)
