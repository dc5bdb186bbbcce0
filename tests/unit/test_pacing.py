"""console/pacing.py: each endpoint's own limit (docs.stripe.com/rate-limits), a window of a second per endpoint, and
the SDK client that sends every request through it."""

from __future__ import annotations

import pytest

from console.pacing import ENDPOINT_LIMIT, ENDPOINT_SPACING, EndpointPacer, Window, endpoint
from console.sandbox.app import Sandbox
from console.secrets import destination
from console.stripe_gateway import StripeGateway
from console.stripe_gateway.client import PacedClient, pacer_for


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/v1/subscriptions", "GET /v1/subscriptions"),
        ("GET", "/v1/subscriptions/sub_1QxYz9AbCdEf", "GET /v1/subscriptions/{id}"),
        ("post", "/v1/subscriptions/sub_tfbwWq4R4zgOCvTnJVIbphzJ", "POST /v1/subscriptions/{id}"),
        ("GET", "/v1/invoice_payments", "GET /v1/invoice_payments"),  # a name with an underscore is not an id
        ("GET", "/v1/billing_portal/configurations/bpc_1Mr5", "GET /v1/billing_portal/configurations/{id}"),
        ("POST", "/v1/customers/cus_9s6XKzkNRiz8i3/balance_transactions", "POST /v1/customers/{id}/balance_transactions"),
    ],
)
def test_an_endpoint_is_its_method_and_path_whatever_the_id(method, path, expected):
    assert endpoint(method, path) == expected


def test_a_window_lets_a_burst_go_at_once_then_waits_a_second_from_its_first():
    t = FakeTime()
    window = Window(3, 1.0, clock=t.clock, sleep=t.sleep)
    for _ in range(3):
        window.acquire()
    assert t.slept == [] and t.now == 100.0  # the burst at once
    window.acquire()
    assert t.now == pytest.approx(101.0)  # the fourth a second after the first
    t.now += 0.25
    window.acquire()
    assert t.now == pytest.approx(101.25)  # the second went at 100.0: a second ago already, no wait
    window.acquire()
    assert t.now == pytest.approx(101.25)
    window.acquire()  # the 4th (101.0) is the oldest of the last 3 now: wait until 102.0
    assert t.now == pytest.approx(102.0)


def test_a_window_spaces_its_requests_and_still_keeps_its_limit_a_second():
    t = FakeTime()
    window = Window(3, 1.0, 0.1, clock=t.clock, sleep=t.sleep)
    for _ in range(4):
        window.acquire()
    assert t.slept == [pytest.approx(0.1), pytest.approx(0.1), pytest.approx(0.8)]  # spaced, then the second's limit
    t.now += 5
    window.acquire()
    assert t.slept[3:] == []  # long after the last: at once


def test_each_endpoint_has_its_own_window_and_ids_share_one():
    t = FakeTime()
    pacer = EndpointPacer(clock=t.clock, sleep=t.sleep)
    for n in range(ENDPOINT_LIMIT):
        pacer.acquire("GET", f"/v1/subscriptions/sub_{n}Abcdefgh")
    assert t.now == pytest.approx(100.0 + (ENDPOINT_LIMIT - 1) * ENDPOINT_SPACING)  # 20 ms apart: 0.44 s
    before = t.now
    pacer.acquire("GET", "/v1/subscriptions")  # another endpoint: no wait
    pacer.acquire("POST", "/v1/subscriptions/sub_0Abcdefgh")  # another method: another endpoint
    assert t.now == before
    pacer.acquire("GET", "/v1/subscriptions/sub_XyZ123")  # the same endpoint, whatever the id: a second after the first
    assert t.now == pytest.approx(101.0)


def test_a_live_keys_client_sends_every_request_through_its_keys_pacer(monkeypatch):
    monkeypatch.setattr(destination, "_live_servers_allowed", set())
    with Sandbox(seed=3, customers=20, live=True) as sb:
        destination.allow_live_key_to(sb.url)  # the user's --allow-live-key-to: a live key to a server that is not Stripe
        pacer = pacer_for(sb.key)
        asked: list[tuple[str, str]] = []
        real = pacer.acquire
        pacer.acquire = lambda method, path: (asked.append((method, path)), real(method, path))[1]  # type: ignore[method-assign]
        try:
            gateway = StripeGateway(sb.key, sb.url)
            sub = gateway.subscription_page(created={"gte": 0, "lt": 2**31})[0][0]
            gateway.subscription(sub.id)
        finally:
            del pacer.acquire
        sent = [(e.method.lower(), e.path) for e in sb.log if e.path.startswith("/v1/")]
        assert [(m.lower(), p) for m, p in asked] == sent and (("get", f"/v1/subscriptions/{sub.id}")) in sent
        assert pacer_for(sb.key) is pacer and pacer_for(sb.key + "x") is not pacer  # one per key


def test_a_test_keys_client_is_not_paced_by_endpoint():
    """In test mode the account's limit is each endpoint's (25/s), and a sync's bucket keeps to it: a second window
    at 23/s would only slow the listing's pages."""
    with Sandbox(seed=3, customers=20) as sb:
        http = StripeGateway(sb.key, sb.url)._client._requestor._client
        assert type(http).__name__ == "RequestsClient" and not isinstance(http, PacedClient)
