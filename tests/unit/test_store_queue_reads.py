"""store/queue_reads.py: the queue as the CLI prints it, built by SQLite, equals the window's queue rows (the
cache's QueueRow objects) field by field and in order, for every sort and filter, on a synced demo account."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from console.commands.queue_output import render
from console.domain import desk
from console.domain.money import format_money
from console.domain.queue import RECORD_FIELDS, QueueRow, currency_rank
from console.domain.text import terminal
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway

# a comment a customer could write: the record's end, a terminal's escape, C1, DEL and a bidirectional override
HOSTILE = 'ends here"},{"subscription":"sub_fake"}\n]\n\x1b[31m<b>=cmd|</b>\x85\x7f\u202eola'  # fmt: skip


def as_record(row: QueueRow, now: datetime) -> dict:
    """What a queue row is in the CLI's output, from the window's own objects (the oracle)."""
    return {
        "subscription": row.subscription_id,
        "customer": row.customer_id,
        "name": row.customer_name,
        "email": row.email,
        "customer_deleted": row.customer_deleted,
        "plan": row.plan,
        "status": row.status,
        "mrr_minor": row.mrr_minor,
        "currency": row.currency,
        "mrr": format_money(row.mrr_minor, row.currency),
        "mrr_usage_based": row.usage_based,  # the window's `~`
        "cancel_at": row.ends_at.isoformat(),
        "requested_at": row.requested_at.isoformat() if row.requested_at else None,
        "days_left": row.days_left(now),
        "feedback": row.feedback,
        "reason": row.reason,
        "comment": row.comment,
        "tenure_days": row.tenure_days(now),
        "discount": row.discount,
        "dashboard_url": row.dashboard_url,
        "owner": row.desk.owner_now(now) or None,
        "owner_since": row.desk.since.isoformat() if row.desk.since else None,
        "desk_state": row.desk.state,
        "due": row.desk.due(row.ends_at, now),
        "follow_up": row.desk.follow_up.isoformat() if row.desk.follow_up else None,
        "last_contact": f"{row.desk.channel} {row.desk.contacted_at.isoformat()}" if row.desk.contacted_at else None,
        "note": row.desk.note or None,
        "discount_saved_at": row.discount_saved_at.isoformat() if row.discount_saved_at else None,
    }


def ordered(rows: list[QueueRow], sort: str, now: datetime) -> list[QueueRow]:
    rank = currency_rank(r.currency for r in rows)
    keys = {
        "mrr": lambda r: (rank[r.currency], -r.mrr_minor, r.days_left(now), r.subscription_id),
        "days_left": lambda r: (r.days_left(now), rank[r.currency], -r.mrr_minor, r.subscription_id),
        "customer": lambda r: ((r.customer_name or r.email or "").casefold(), r.subscription_id),
    }
    return sorted(rows, key=keys[sort])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    with Sandbox(seed=11, customers=400) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path_factory.mktemp("export"))
        ws.sync()
        first, second, third, fourth, fifth = (r.subscription_id for r in ws.queue()[:5])
        ws.cache._write("UPDATE subscriptions SET comment = ? WHERE id = ?", [HOSTILE, first])
        ws.cache._write("UPDATE subscriptions SET customer_deleted = 1 WHERE id = ?", [second])  # deleted in Stripe
        ws.cache._write(  # a customer who left the survey unanswered
            "UPDATE subscriptions SET feedback = NULL, feedback_option = NULL, feedback_text = NULL WHERE id = ?", [third]
        )
        now = datetime.now(UTC)
        taken = desk.for_take("Robin", now) | desk.for_note(HOSTILE[:40], "Robin", now, follow_up=now.date())
        lapsed = desk.for_take("Sam", now - timedelta(days=desk.LAPSE_DAYS + 1))  # nobody's again
        contacted = desk.for_take("Ana", now) | desk.for_contact("email", "Ana", now)
        for sub_id, values in ((third, taken), (fourth, lapsed), (fifth, contacted)):
            ws.cache._write("UPDATE subscriptions SET metadata = ? WHERE id = ?", [json.dumps(values), sub_id])
        yield ws
        ws.close()


@pytest.mark.parametrize("sort", ["mrr", "days_left", "customer"])
def test_every_field_and_the_order_equal_the_windows_rows(workspace, sort):
    now = int(time.time())
    at = datetime.fromtimestamp(now, UTC)
    rows = workspace.queue()
    kinds = {
        "deleted customer": any(r.customer_deleted for r in rows),
        "custom reason": any(r.feedback_text for r in rows),
        "no answer": any(not r.feedback for r in rows),
        "discount": any(r.discount for r in rows),
        "two currencies": len({r.currency for r in rows}) > 1,
        "usage-based MRR": any(r.usage_based for r in rows),
    }
    assert all(kinds.values()), kinds  # the demo account has each case this must get right
    got = [json.loads(line) for line in workspace.queue_json(now, sort=sort)]
    assert got == [as_record(r, at) for r in ordered(rows, sort, at)]
    assert all(tuple(g) == RECORD_FIELDS for g in got)


@pytest.mark.parametrize("reason", ["too_expensive", "none"])
def test_a_reason_keeps_only_its_rows(workspace, reason):
    now = int(time.time())
    at = datetime.fromtimestamp(now, UTC)
    wanted = None if reason == "none" else reason
    rows = [r for r in workspace.queue() if r.reason_key == wanted]
    assert rows
    got = [json.loads(line) for line in workspace.queue_json(now, reason=reason)]
    assert got == [as_record(r, at) for r in ordered(rows, "mrr", at)]


def test_the_json_has_one_customer_a_line_whatever_a_comment_holds(workspace):
    text = "".join(render([workspace.queue_json(int(time.time()))], "json"))
    lines = text.splitlines()
    records = json.loads(text)
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == len(records) + 2
    assert sum(r["comment"] == HOSTILE for r in records) == 1  # kept as the customer wrote it, escaped, on its line
    assert terminal(text) == text  # nothing a terminal acts on: the JSON escapes it (and stays JSON)
    assert '"sub_fake"' not in {r["subscription"] for r in records}
    assert "".join(render([], "json")) == "[]\n"


def test_the_queue_streams_from_a_spool_in_order_a_chunk_at_a_time(workspace):
    """Issue 32 (`queue --format json` ≤ 100 MB at 1M): SQLite sorts, the objects wait in a temporary file in the
    queue's order and come back a chunk at a time; JSON and CSV are the same whatever the chunks."""
    import csv as csv_module
    import io

    now = int(time.time())
    whole = workspace.queue_json(now)
    with workspace.queue_spool(now) as spool:
        assert len(spool) == len(whole) and spool.file.tell() > 0
        chunks = list(spool.chunks(size=3))
    assert [line for chunk in chunks for line in chunk] == whole and max(map(len, chunks)) == 3
    assert spool.file.closed  # and, a TemporaryFile, it had no name on disk to leave behind
    assert "".join(render(chunks, "json")) == "".join(render([whole], "json"))
    rows = list(csv_module.reader(io.StringIO("".join(render(chunks, "csv")))))
    assert rows == list(csv_module.reader(io.StringIO("".join(render([whole], "csv")))))
    assert len(rows) == len(whole) + 1


@pytest.mark.parametrize(("owner", "due"), [("Robin", False), ("", False), ("Sam", False), (None, True)])
def test_owner_and_due_keep_the_rows_the_desk_says(workspace, owner, due):
    """`queue --mine/--unowned/--owner/--due` in SQL equal domain.desk's rules on the window's rows: a lapsed claim
    (Sam's, older than the lapse) is nobody's; a follow-up due today or three days left with no contact is due."""
    now = int(time.time())
    at = datetime.fromtimestamp(now, UTC)
    rows = [
        r
        for r in workspace.queue()
        if (owner is None or r.desk.owner_now(at) == owner) and (not due or r.desk.due(r.ends_at, at))
    ]
    got = [json.loads(line) for line in workspace.queue_json(now, owner=owner, due=due or None)]
    assert got == [as_record(r, at) for r in ordered(rows, "mrr", at)]
    if owner == "Robin":
        assert len(got) == 1 and got[0]["note"] == HOSTILE[:40].strip()
    if owner == "Sam":
        assert got == []  # lapsed
    if due:
        assert any(g["owner"] == "Robin" for g in got)  # the follow-up set for today


def test_one_row_read_alone_equals_the_queues(workspace):
    """queue_row_of (an e-mail or a command about one row) reads what the whole queue would show for it."""
    rows = workspace.queue()
    for row in rows[:40]:
        assert workspace.cache.queue_row_of(row.subscription_id) == row
    ended = workspace.cache._query("SELECT id FROM subscriptions WHERE pending = 0 LIMIT 1")[0]["id"]
    assert workspace.cache.queue_row_of(ended) is None and workspace.cache.queue_row_of("sub_nope") is None
