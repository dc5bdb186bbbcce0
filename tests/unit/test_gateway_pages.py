"""stripe_gateway/pages.py: list pages parsed as plain JSON through the SDK's own request. The SDK internals it
uses are checked here (signatures), and the fallback to the public raw_request is exercised."""

from __future__ import annotations

import inspect

import pytest
import stripe

from console.errors import NotFound, UnexpectedResponse
from console.sandbox.app import Sandbox
from console.stripe_gateway import StripeGateway, pages
from console.stripe_gateway.client import make_client
from console.stripe_gateway.errors import call


def test_the_sdk_internals_it_relies_on_are_there_with_the_arguments_it_passes():
    requestor = stripe.StripeClient("rk_test_x")._requestor
    raw = inspect.signature(requestor.request_raw).parameters
    assert {"method", "url", "params", "options", "base_address", "api_mode", "usage"} <= set(raw)
    assert list(inspect.signature(requestor._interpret_response).parameters) == ["rbody", "rcode", "rheaders", "api_mode"]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=4, customers=30) as sb:
        yield sb


def test_a_page_is_plain_dicts_equal_to_what_the_sdk_decodes(sandbox):
    client = make_client(sandbox.key, sandbox.url)
    params = {"limit": 5, "status": "all"}
    plain = pages.get_plain(client, "/v1/subscriptions", params)
    assert type(plain) is dict and type(plain["data"][0]) is dict  # not the SDK's OrderedDict
    assert plain == client.raw_request("get", "/v1/subscriptions", **params).data


def test_errors_are_the_sdks_and_a_body_that_is_not_json_is_unreadable(sandbox):
    client = make_client(sandbox.key, sandbox.url)
    with pytest.raises(NotFound):
        call(lambda: pages.get_plain(client, "/v1/subscriptions/sub_missing", {}))
    sandbox.mangle_next("html")  # a proxy's error page where JSON belongs
    with pytest.raises(UnexpectedResponse, match="could not read"):
        StripeGateway(sandbox.key, sandbox.url, max_retries=0).subscription_page(created={"gte": 0})


def test_without_the_internals_the_public_raw_request_is_used(sandbox, monkeypatch):
    real = make_client(sandbox.key, sandbox.url)

    class Renamed:  # a client of an SDK whose requestor was renamed: only the public raw_request is there
        raw_request = staticmethod(real.raw_request)

    monkeypatch.setattr(pages, "_FALLBACK", [])
    found = pages.get_plain(Renamed(), "/v1/subscriptions", {"limit": 2, "status": "all"})  # type: ignore[arg-type]
    assert pages._FALLBACK == [True] and len(found["data"]) == 2
    assert pages.get_plain(real, "/v1/subscriptions", {"limit": 1, "status": "all"})["data"]  # the public way, from now on


def test_the_sdks_debug_line_is_built_only_when_someone_reads_it(sandbox, monkeypatch, caplog):
    import logging

    from stripe import _api_requestor, _util

    from console.stripe_gateway.client import _log_debug_when_on

    assert _api_requestor.log_debug is _log_debug_when_on  # the SDK's requests go through it
    built: list[str] = []
    real = _util.logfmt
    monkeypatch.setattr(_util, "logfmt", lambda props: built.append(props["message"]) or real(props))
    client = make_client(sandbox.key, sandbox.url)
    pages.get_plain(client, "/v1/subscriptions", {"limit": 1, "status": "all"})
    assert "API response body" not in built  # debug off: no body formatted
    with caplog.at_level(logging.DEBUG, logger="stripe"):
        pages.get_plain(client, "/v1/subscriptions", {"limit": 1, "status": "all"})
    assert "API response body" in built and any("API response body" in r.getMessage() for r in caplog.records)
