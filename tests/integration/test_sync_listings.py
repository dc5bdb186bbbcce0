"""A full sync lists the subscriptions not ended first (Stripe's default list), then the ended ones (`status=ended`):
the queue is complete, and said so, before the reports' history is read, unless a pending row from an earlier sync
could have ended meanwhile; an interruption in either listing loses nothing."""

from __future__ import annotations

import pytest

from console.errors import StripeUnavailable
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for


def lists(log):
    return [e for e in log if e.path == "/v1/subscriptions" and e.params.get("limit") == 100]


def every_id(sb):
    return sorted(s.id for s in client_for(sb).v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter())


def pending_ids(sb):
    subs = client_for(sb).v1.subscriptions.list({"limit": 100}).auto_paging_iter()  # Stripe's default: not canceled
    return {s.id for s in subs if s.cancel_at_period_end or s.cancel_at}


@pytest.fixture
def account():
    with Sandbox(seed=13, customers=600) as sb:  # canceled subscriptions among them, several pages of each
        yield sb


def test_the_queue_is_told_complete_before_the_ended_subscriptions_are_listed(account, tmp_path):
    """Every page of Stripe's default list comes before the first `status=ended` page; `queue_ready` is told
    between them with the whole queue (and no "did not finish" for the queue, which is whole, while the reports'
    history still is not); at the end every subscription is stored, the ended ones too."""
    sb = account
    ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
    told = []

    def ready(report):
        told.append((len(sb.log), set(report.queue_after), ws.unfinished_sync(queue=True), ws.unfinished_sync()))

    report = ws.sync(queue_ready=ready)
    pages = lists(sb.log)
    statuses = [e.params.get("status") for e in pages]
    assert set(statuses) == {None, "ended"}
    first_ended = statuses.index("ended")
    assert "ended" not in statuses[: statuses.count(None)] and None not in statuses[first_ended:]
    [(at, queue, queue_words, history_words)] = told
    assert at <= sb.log.index(pages[first_ended])  # told before the ended listing began
    assert queue == pending_ids(sb) == set(report.queue_after) and queue
    assert queue_words is None and history_words and "did not finish" in history_words
    stored = sorted(r["id"] for r in ws.cache.db.query("SELECT id FROM subscriptions"))
    assert stored == every_id(sb) and any(
        r["status"] == "canceled" for r in ws.cache.db.query("SELECT status FROM subscriptions")
    )
    assert ws.unfinished_sync() is None
    ws.close()


def test_a_pending_row_that_ended_since_the_last_sync_keeps_the_queue_until_the_ended_listing(account, tmp_path):
    """`sync --full` over a cache whose pending subscription was canceled on Stripe since: the default list no
    longer holds it, so only the ended listing can say it ended; the queue is told after that, without it."""
    sb = account
    ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
    ws.sync()
    gone = sorted(pending_ids(sb))[0]
    client_for(sb).v1.subscriptions.cancel(gone)
    sb.clear_log()
    told = []
    ws.sync(full=True, queue_ready=lambda r: told.append((len(sb.log), set(r.queue_after))))
    [(at, queue)] = told
    assert at >= sb.log.index(lists(sb.log)[-1]) + 1  # after the last page, the ended ones included
    assert gone not in queue and queue == pending_ids(sb)
    assert ws.cache.subscription(gone).status == "canceled"
    ws.close()


def test_a_sync_stopped_in_the_ended_listing_leaves_a_whole_queue_and_says_the_history_is_partial(account, tmp_path):
    """The server fails once the queue is in: the queue is whole and the queue command says nothing of an unfinished
    sync, the report does; the next sync reads only the ended ranges left, and every subscription is stored once."""
    sb = account
    ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path)
    with pytest.raises(StripeUnavailable):
        ws.sync(queue_ready=lambda _r: sb.configure_faults(error_rate=1.0))
    assert ws.unfinished_sync(queue=True) is None and "did not finish" in (ws.unfinished_sync() or "")
    sb.configure_faults(error_rate=0.0)
    assert {r.subscription_id for r in ws.queue()} == pending_ids(sb)
    sb.clear_log()
    report = ws.sync()
    assert report.resumed and {e.params.get("status") for e in lists(sb.log)} == {"ended"}
    stored = [r["id"] for r in ws.cache.db.query("SELECT id FROM subscriptions")]
    assert sorted(stored) == every_id(sb) and ws.unfinished_sync() is None
    ws.close()


def test_a_checkpoint_written_before_the_two_listings_resumes_as_one_listing_of_all(account, tmp_path):
    """A full sync interrupted by an older console left ranges with no listing named: they are read with
    `status=all`, as that console read them, and nothing is missed."""
    sb = account
    ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
    ws.sync()
    now = int(sb.state.clock.now())
    checkpoint = {"started_at": now, "pages": 0, "cursor": None, "workers": 8,
                  "ranges": [{"gte": 1_293_840_000, "lt": now + 1, "after": None, "done": False}]}  # fmt: skip
    ws.cache.set_meta("full_sync", checkpoint)
    sb.clear_log()
    report = ws.sync()
    assert report.resumed and {e.params.get("status") for e in lists(sb.log)} == {"all"}
    assert sorted(r["id"] for r in ws.cache.db.query("SELECT id FROM subscriptions")) == every_id(sb)
    ws.close()


def test_a_small_account_lists_its_ended_subscriptions_in_one_request(tmp_path):
    """The ended listing starts from a range per four pages of the subscriptions listed before it (at least one):
    60 customers' ended subscriptions fit one page and cost one request, not one per short recent range (ten)."""
    with Sandbox(seed=53, customers=60) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        ws.sync()
        ended = [e for e in lists(sb.log) if e.params.get("status") == "ended"]
        canceled = [s for s in client_for(sb).v1.subscriptions.list({"limit": 100, "status": "ended"}).auto_paging_iter()]
        assert 0 < len(canceled) <= 100 and len(ended) == 1
        assert sorted(r["id"] for r in ws.cache.db.query("SELECT id FROM subscriptions")) == every_id(sb)
        ws.close()


def test_a_later_full_sync_reads_the_listed_subscriptions_in_whole_pages(account, tmp_path):
    """With the last sync's creation times, the default listing is cut into ranges of whole pages (ranges.whole_pages):
    one request per 100 subscriptions listed, none part-filled but the newest range's (equal shares of the
    creation times each ended on one: at 2,000 customers 24-26 pages for 17 pages' worth)."""
    ws = Workspace.connect(StripeGateway(account.key, account.url), tmp_path)
    ws.sync()
    before = len(account.log)
    report = ws.sync(full=True)
    pages = [e for e in lists(account.log[before:]) if e.params.get("status") is None]
    listed = len(list(client_for(account).v1.subscriptions.list({"limit": 100}).auto_paging_iter()))  # not canceled
    assert report.kind == "full" and listed > 300 and len(pages) == -(-listed // 100)
    assert ws.cache.pending_ids() == pending_ids(account)
    ws.close()
