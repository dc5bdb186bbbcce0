"""Build a StripeClient for a key and an API base (Stripe itself or a sandbox)."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import stripe
from stripe import _api_requestor, _util

from ..pacing import EndpointPacer
from ..secrets.destination import destination

API_VERSION: str = stripe.api_version
DEFAULT_RETRIES = 2
DEFAULT_TIMEOUT_S = 30
stripe.enable_telemetry = False  # no request timings sent back to Stripe, and nothing written about this machine


def _log_debug_when_on(message: str, **params: object) -> None:
    """The SDK's own debug line, built only when someone reads it (stripe.log or STRIPE_LOG at debug, or the
    "stripe" logger at DEBUG). The SDK formats every response body for it first, debug on or not: a tenth of a
    full sync's CPU spent on a line nobody sees (tests/benchmarks/bench_sync.py)."""
    if _util._console_log_level() == "debug" or _util.logger.isEnabledFor(logging.DEBUG):  # type: ignore[no-untyped-call]
        _util.log_debug(message, **params)  # type: ignore[no-untyped-call]


if callable(getattr(_api_requestor, "log_debug", None)):  # the SDK's internals as pinned (stripe>=16.1,<17)
    _api_requestor.log_debug = _log_debug_when_on  # type: ignore[attr-defined]


def key_kind(key: str) -> str:
    """`restricted`, `secret`, `publishable` or `unknown`, from the key's prefix only."""
    for prefix, kind in (("rk_", "restricted"), ("sk_", "secret"), ("pk_", "publishable")):
        if key.startswith(prefix):
            return kind
    return "unknown"


def key_mode(key: str) -> str | None:
    """`test` or `live` from the key's prefix; None when the key has neither."""
    for mode in ("test", "live"):
        if key[3:].startswith(mode + "_"):
            return mode
    return None


class PacedClient(stripe.RequestsClient):
    """The SDK's HTTP client, each request (each of the SDK's retries too) paced to its endpoint's own rate limit.
    (`_usage`: the SDK's base class's telemetry tag, which RequestsClient does not take either.)"""

    def __init__(self, pacer: EndpointPacer, timeout: int = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(timeout=timeout)
        self.pacer = pacer

    def request(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None, *,
        _usage: list[str] | None = None,
    ) -> Any:  # fmt: skip
        self.pacer.acquire(method, urlsplit(url).path)
        return super().request(method, url, headers, post_data)

    def request_stream(
        self, method: str, url: str, headers: Mapping[str, str] | None, post_data: Any = None, *,
        _usage: list[str] | None = None,
    ) -> Any:  # fmt: skip
        self.pacer.acquire(method, urlsplit(url).path)
        return super().request_stream(method, url, headers, post_data)


_pacers: dict[str, EndpointPacer] = {}  # one per key: every client of an account in this process shares its endpoints'
_pacers_lock = threading.Lock()


def pacer_for(key: str) -> EndpointPacer:
    """The endpoints' pacer of the account behind `key` (by the key's digest: the key itself is not kept here)."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    with _pacers_lock:
        if (pacer := _pacers.get(digest)) is None:
            pacer = _pacers[digest] = EndpointPacer()
        return pacer


def make_client(key: str, api_base: str | None = None, *, max_retries: int = DEFAULT_RETRIES) -> stripe.StripeClient:
    """A client with retries (idempotency keys are added by the SDK on retried POSTs), for a checked destination. A
    live key's is paced to each endpoint's limit (25/s beside the account's 100); in test mode the account's limit is
    25/s too, and a sync's bucket keeps to it (console/pacing.py)."""
    base = destination(key, api_base)
    live = key_mode(key) == "live"
    return stripe.StripeClient(
        key,
        max_network_retries=max_retries,
        http_client=PacedClient(pacer_for(key)) if live else stripe.RequestsClient(timeout=DEFAULT_TIMEOUT_S),
        base_addresses={"api": base} if base else {},
    )
