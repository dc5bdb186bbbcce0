"""List pages read as plain JSON: the request, its retries and its errors are the SDK's; only the body of a
successful answer is parsed here, with orjson (plain dicts and lists, as the standard `json` gives, 3x faster:
JSON parsing was a quarter of a full sync's CPU after the change below, tests/benchmarks/profile_sync.py).

Why: a full sync reads hundreds of 100-object pages, and the SDK decodes every body with
`json.loads(object_pairs_hook=OrderedDict)` (StripeResponse), which cost 41% of the console's CPU in a 20,000
subscription sync (the issue's measure); convert.py then reads plain dicts anyway. bench_sync.py measures the
console's CPU per subscription with the SDK's decode and with this, in one run.
How: `StripeClient._requestor.request_raw()` (the SDK's own request: headers, API version, idempotency,
network retries, logging), then `_interpret_response()` only for an error status, which raises the SDK's own
exception for it (translated as every other call is). Why it is safe: both are the SDK's internals behind its
public `raw_request()` (same arguments); the version is pinned (`stripe>=16.1,<17`) and
tests/unit/test_gateway_pages.py checks their signatures; if either is ever missing, the public `raw_request()` is
used instead, and nothing else changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import orjson
import stripe

log = logging.getLogger(__name__)
_FALLBACK: list[bool] = []  # set once the SDK's internals were found missing
# What a read of several pages sends each page's request through: the sync's rate limit and its backoff on a 429
# (sync/ratelimit.py), so every page waits its turn and a 429 repeats that page alone, not the pages before it.
Paced = Callable[[Callable[[], Any]], Any]


def unpaced(request: Callable[[], Any]) -> Any:
    """A page's request as it is (a read outside a sync, which paces nothing)."""
    return request()


def get_plain(client: stripe.StripeClient, path: str, params: dict[str, Any]) -> Any:
    """GET `path` and return its JSON body as plain dicts and lists (raises the SDK's errors, as raw_request)."""
    if not _FALLBACK:
        try:
            requestor = client._requestor
            rbody, rcode, rheaders = requestor.request_raw(
                "get", path, params=params, options={}, base_address="api", api_mode="V1", usage=["raw_request"]
            )
        except (AttributeError, TypeError) as exc:  # another SDK's internals: use the public way from now on
            log.warning("the SDK's request internals changed (%s): list pages are read through raw_request", exc)
            _FALLBACK.append(True)
        else:
            if not 200 <= rcode < 300:
                requestor._interpret_response(rbody, rcode, rheaders, "V1")  # raises the SDK's error for it
            body = rbody if isinstance(rbody, bytes | str) else str(rbody)
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:  # as the SDK says it: an answer that is not JSON
                raise stripe.APIError(f"Invalid response body from API: {body[:200]!r}", body, rcode, rheaders) from None
    return client.raw_request("get", path, **params).data
