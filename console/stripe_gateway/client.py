"""Build a StripeClient for a key and an API base (Stripe itself or a sandbox)."""

from __future__ import annotations

import logging

import stripe
from stripe import _api_requestor, _util

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


def make_client(key: str, api_base: str | None = None, *, max_retries: int = DEFAULT_RETRIES) -> stripe.StripeClient:
    """A client with retries (idempotency keys are added by the SDK on retried POSTs), for a checked destination."""
    base = destination(key, api_base)
    return stripe.StripeClient(
        key,
        max_network_retries=max_retries,
        http_client=stripe.RequestsClient(timeout=DEFAULT_TIMEOUT_S),
        base_addresses={"api": base} if base else {},
    )
