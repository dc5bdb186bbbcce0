"""A sync's requests under the account's rate limit: every page of a read of several is paced, the reads share one
schedule, and the failed payments' and usage reads run beside the 30 days of events, not after everything."""

from __future__ import annotations

import bisect

from console import pacing
from console.sandbox.app import Sandbox
from console.sandbox.faults import FaultConfig
from console.secrets import destination
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway

DAY = 86400


def v1(log):
    return [e for e in log if e.path.startswith("/v1/")]


def scheduled(monkeypatch, kind) -> dict[int, list[float]]:
    """Every time a TokenBucket or Window gives from now on, by the schedule's id (its `schedule`, recorded)."""
    given: dict[int, list[float]] = {}
    schedule = kind.schedule

    def recorded(self, *args, **kwargs):
        at, now = schedule(self, *args, **kwargs)
        given.setdefault(id(self), []).append(at)
        return at, now

    monkeypatch.setattr(kind, "schedule", recorded)
    return given


def most_in_a_second(times: list[float]) -> int:
    """The most of `times` in any second [t, t + 1)."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)), default=0)


def test_every_page_of_a_read_of_several_pages_goes_through_the_pace_it_is_given():
    """The gateway's reads of several pages (the 30 days of events, the failures' events, a subscription's invoices)
    send each page through `paced`: under one token for the whole read, their later pages went past the rate limit
    (429s, then every page read again after the backoff)."""
    with Sandbox(seed=5, customers=400) as sb:
        gateway = StripeGateway(sb.key, sb.url)
        now = sb.state.clock.now()
        reads = {
            "events": lambda paced: gateway.events_in({"gte": now - 30 * DAY, "lt": now + 1}, paced=paced),
            "failures": lambda paced: gateway.failure_changes_since(now - 30 * DAY, paced=paced),
        }
        for name, read in sorted(reads.items(), reverse=True):  # the events last
            paced: list[int] = []
            before = len(sb.log)
            found = read(lambda request, paced=paced: (paced.append(1), request())[1])
            sent = v1(sb.log[before:])
            assert found and len(paced) == len(sent), name  # each page once through the pace
        assert len(sent) > 1  # the last read (events of 30 days): pages of 100, several


def test_a_first_sync_stays_under_the_rate_limit_with_its_reads_side_by_side(tmp_path, monkeypatch):
    """One schedule for the whole sync at 98% of the limit, with no burst: against a limit of 25 requests in any
    second (the sandbox's, stricter than Stripe's token bucket), a first sync whose reads overlap (the events, the
    failed payments, the saves' invoices) gives at most 25 times in any second, a time for each of its requests (all
    but the opening's account check and probes). What the sandbox answers depends on when requests arrive as well
    (a thread that wakes 20 ms late beside the next can put a 26th in a second), so it is checked loosely: alone,
    about one 429 in a hundred requests; at the whole rate, with a burst of 5 and a token for a read's every page,
    one in ten."""
    given = scheduled(monkeypatch, pacing.TokenBucket)
    with Sandbox(seed=5, customers=400, faults=FaultConfig(latency_ms=60, rate_limit=25)) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path)
        ws.sync()
        ws.close()
        sent = v1(sb.log)
    assert len(sent) > 60 and len(given) == 1  # one schedule for the whole sync
    (times,) = given.values()
    assert len(times) >= len(sent) - 3, (len(times), len(sent))  # all but the opening's account check and probes
    assert most_in_a_second(times) <= 25
    assert len([e for e in sent if e.status == 429]) <= max(2, len(sent) // 25)


def test_the_failed_payments_and_usage_are_read_beside_the_30_days_of_events_each_once(tmp_path):
    """Once the queue is complete, the open invoices' listing, the failures' events and the metered cancellations'
    usage start beside the 30 days of events (they do not need them), not after the saves' invoices: each metered
    pending subscription's latest invoice is read once, and its MRR valued from it."""
    with Sandbox(seed=7, customers=500) as sb:  # the demo account: two metered pending cancellations
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        ws.sync()
        sent = v1(sb.log)
        backfill = [n for n, e in enumerate(sent) if e.path == "/v1/events" and "gte" in str(e.params.get("created"))]
        listing = next(n for n, e in enumerate(sent) if e.path == "/v1/invoices" and e.params.get("status") == "open")
        assert backfill and listing < backfill[-1]  # begun before the last page of the 30 days of events
        metered = ws.cache.pending_metered()
        latest = [e.params["subscription"] for e in sent if e.path == "/v1/invoices" and str(e.params.get("limit")) == "1"]
        assert metered and sorted(latest) == sorted(metered)  # each once
        assert ws.cache.subscriptions_with_usage() == metered  # what was read is stored
        ws.close()


def test_a_live_mode_sync_keeps_each_endpoint_under_its_own_25_a_second(tmp_path, monkeypatch):
    """Live mode allows the account 100 requests a second but each endpoint 25 (docs.stripe.com/rate-limits): a first
    sync's reads of one endpoint (the listing's pages, the 30 days of events, the saves' invoices) are paced to it
    by the client (console/pacing.py). Every request the sandbox logged was given its time by its endpoint's window,
    and no window gave more than ENDPOINT_LIMIT times in any second: that is the client's part, whatever the load.
    What the sandbox answered depends on when the requests arrived as well: alone, no 429; with the other tests
    running beside, up to 10 in 176 (a stalled thread's requests arrive together); unpaced, a third."""
    faults = FaultConfig(latency_ms=100, rate_limit=100)  # endpoint_rate_limit: 25, Stripe's default
    monkeypatch.setattr(destination, "_live_servers_allowed", set())
    given = scheduled(monkeypatch, pacing.Window)  # each endpoint's window
    with Sandbox(seed=5, customers=1000, live=True, faults=faults) as sb:
        destination.allow_live_key_to(sb.url)  # the user's --allow-live-key-to: a live key to a server that is not Stripe
        ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path)
        ws.sync()
        assert ws.cache.pending_ids()  # the sync did its work
        ws.close()
        sent = v1(sb.log)
    assert len(sent) > 150 and sum(len(times) for times in given.values()) >= len(sent)  # every request was paced
    for times in given.values():
        assert most_in_a_second(times) <= pacing.ENDPOINT_LIMIT
    assert len([e for e in sent if e.status == 429]) <= len(sent) // 8  # unpaced, a third
