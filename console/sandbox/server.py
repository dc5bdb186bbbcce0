"""The sandbox's HTTP front: auth, permissions, params, idempotency, faults and the request log."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from . import portal, routes
from .backend import Backend, LogEntry
from .call import Call
from .errors import ApiError, in_progress, param_code
from .keys import ApiKey
from .listing import expansion_permissions
from .params import ParamError, decode_form, load, validate
from .state import IdempotentResult

API_VERSION = "2026-10-28.endive"
log = logging.getLogger(__name__)

LOCK_TIMEOUT = (
    "This object cannot be accessed right now because another API request or Stripe process is currently accessing "
    "it. If you see this error intermittently, retry the request. If you see this error frequently and are making "
    "multiple concurrent requests to a single object, make your requests serially or at a lower rate."
)


class _Dropped(Exception):
    """The connection is to be closed without a response."""


class Handler(BaseHTTPRequestHandler):
    """Serves one connection; `server.backend` holds the shared state."""

    protocol_version = "HTTP/1.1"
    server_version = "churn-console-sandbox"
    disable_nagle_algorithm = True  # headers and body go out in separate writes: no 40 ms delayed-ACK stall

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")

    # -------------------------------------------------------------------------
    def _serve(self, method: str) -> None:
        backend: Backend = self.server.backend  # type: ignore[attr-defined]
        request_id = backend.next_request_id()
        split = urlsplit(self.path)
        entry = LogEntry(time.time(), method, split.path, {}, 0, request_id, self.headers.get("Idempotency-Key"))
        try:
            body = self._body()
        except ApiError as err:  # answered as Stripe answers a request it cannot read: never a dropped connection
            entry.status = err.status
            backend.record(entry)
            self.close_connection = True
            return self._send(err.status, json.dumps(err.body(request_id)).encode(), {"Request-Id": request_id})
        raw = split.query if method in ("GET", "DELETE") and split.query else body
        ikey = entry.idempotency_key if method == "POST" else None
        running = (self.headers.get("Authorization", ""), ikey) if ikey else None
        if running and not backend.claim(running):
            conflict = in_progress(running[1])
            entry.status, entry.fault = conflict.status, "409"
            backend.record(entry)
            return self._send(conflict.status, json.dumps(conflict.body(request_id)).encode(), {"Request-Id": request_id})
        backend.enter()
        try:
            self._respond(backend, method, split.path, raw, entry)
        finally:
            backend.leave()
            if running:
                backend.release(running)

    def _body(self) -> str:
        """The request's form (or, for /_sandbox/*, JSON) body: a Content-Length that is not a count, or a body that
        is not UTF-8, is a 400 in Stripe's error envelope (Stripe reads form bodies as UTF-8)."""
        given = self.headers.get("Content-Length") or "0"
        if not given.strip().isdigit():
            raise ApiError(400, "invalid_request_error", f"The Content-Length header ({given[:40]!r}) is not a number of bytes.")
        length = int(given)
        try:
            return self.rfile.read(length).decode("utf-8") if length else ""
        except UnicodeDecodeError:
            raise ApiError(400, "invalid_request_error", "The request body is not valid UTF-8.") from None

    def _respond(self, backend: Backend, method: str, path: str, raw: str, entry: LogEntry) -> None:
        request_id = entry.request_id
        backend.faults.delay(method)
        try:
            if path.startswith("/p/session/"):  # the hosted portal's stand-in: a page, and its card form's POST
                return self._html(backend, path.rsplit("/", 1)[-1], entry, raw if method == "POST" else None)
            status, payload, headers = self._api(backend, method, path, raw, entry)
        except _Dropped:
            entry.status, entry.fault = 0, "drop"
            backend.record(entry)
            self.close_connection = True
            self.connection.close()
            return
        target = f"{path}?{unquote_plus(raw)}" if method == "GET" and raw else path  # a prefix may name a query
        status, payload, headers = backend.mangler.apply(target, status, payload, headers)
        entry.status = status
        backend.record(entry)
        self._send(status, payload, {"Request-Id": request_id, "Stripe-Version": API_VERSION, **headers})

    def _api(self, backend: Backend, method: str, path: str, raw: str, entry: LogEntry) -> tuple[int, bytes, dict[str, str]]:
        rid = entry.request_id
        try:
            key = self._authenticate(backend)
            if path.startswith("/_sandbox/") != key.admin:
                raise ApiError(
                    403,
                    "invalid_request_error",
                    "The sandbox's admin endpoints need its admin key (SANDBOX_ADMIN_KEY)."
                    if not key.admin
                    else "The sandbox's admin key only opens /_sandbox/*.",
                )
            if path.startswith("/_sandbox/"):
                from .admin import handle_admin

                return 200, json.dumps(handle_admin(backend, method, path, raw)).encode(), {}
            found = routes.match(method, path)
            if found is None:
                raise ApiError(
                    404,
                    "invalid_request_error",
                    f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
                )
            route, args = found
            if not key.allows(route.permission):
                raise ApiError(
                    403,
                    "invalid_request_error",
                    f"The provided key '{key.masked}' does not have the required permissions for this endpoint "
                    f"on account '{backend.state.account.get('id')}'. Having the '{route.permission}' permission "
                    "would allow this request to continue.",
                )
            decision = backend.faults.decide(f"{method} {route.pattern.pattern}")  # any id: one endpoint (faults.py)
            if decision.status == 429 and decision.code == "lock_timeout":
                entry.fault = "429"
                raise ApiError(429, "invalid_request_error", LOCK_TIMEOUT, code="lock_timeout", should_retry=True)
            if decision.status == 429:
                entry.fault = "429"
                raise ApiError(
                    429,
                    "invalid_request_error",
                    "Request rate limit exceeded. You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
                    code="rate_limit",
                )
            if decision.status == 500:
                entry.fault = "500"
                raise ApiError(500, "api_error", "An unknown error occurred (injected by the sandbox).", should_retry=True)
            try:
                params = validate(load(route.params), decode_form(raw))
            except ParamError as exc:
                raise ApiError(
                    400,
                    "invalid_request_error",
                    exc.message,
                    param=exc.param,
                    code=param_code(exc.message) or "parameter_invalid",
                ) from exc
            for needed in expansion_permissions(params.get("expand") or []):
                if not key.allows(needed):  # the stricter reading: an expanded object is read with its own permission
                    raise ApiError(
                        403,
                        "invalid_request_error",
                        f"The provided key '{key.masked}' does not have the required permissions for this endpoint "
                        f"on account '{backend.state.account.get('id')}'. Having the '{needed}' permission "
                        "would allow this request to continue.",
                    )
            entry.params = params
            status, payload, headers = self._run(backend, route, args, params, raw, entry)
            if decision.drop:
                entry.fault = "drop"
                raise _Dropped()
            return status, payload, headers
        except ApiError as err:
            headers = {}
            if err.should_retry is not None:
                headers["Stripe-Should-Retry"] = "true" if err.should_retry else "false"
            return err.status, json.dumps(err.body(rid)).encode(), headers

    def _authenticate(self, backend: Backend) -> ApiKey:
        auth = self.headers.get("Authorization", "")
        token = auth[7:].strip() if auth.startswith("Bearer ") else ""
        if not token:
            raise ApiError(
                401,
                "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        key = backend.keys.find(token)
        if key is None:
            masked = f"{token[:8]}{'*' * 12}{token[-4:]}" if len(token) > 12 else "****"
            if backend.keys.is_revoked(token):
                raise ApiError(401, "invalid_request_error", f"Expired API Key provided: {masked}", code="api_key_expired")
            raise ApiError(401, "invalid_request_error", f"Invalid API Key provided: {masked}")
        return key

    def _run(
        self, backend: Backend, route: routes.Route, args: tuple[str, ...], params: dict[str, Any], raw: str, entry: LogEntry
    ) -> tuple[int, bytes, dict[str, str]]:
        state = backend.state
        ikey = entry.idempotency_key if route.mutates else None
        # Stripe compares the parameters, not the order they were encoded in
        canonical = json.dumps(params, sort_keys=True, default=str)
        fingerprint = hashlib.sha256(f"{route.method} {entry.path}\n{canonical}".encode()).hexdigest()
        endpoint = f"{route.method} {entry.path}"
        call = Call(state, params, args, entry.request_id, ikey, entry.path, {"base_url": backend.base_url})
        with state.lock:
            if ikey:
                token = self.headers.get("Authorization", "")
                stored = state.idempotency.get((token, ikey))
                if stored is not None:
                    if stored.endpoint != endpoint:
                        raise ApiError(
                            400,
                            "idempotency_error",
                            f"Keys for idempotent requests can only be used for the same endpoint they were first used for "
                            f"('{stored.endpoint}'). Try using a key other than '{ikey}' if you meant to execute a different "
                            "request.",  # Stripe's words, quoted in stripe/stripe-ruby issue 598
                        )
                    if stored.fingerprint != fingerprint:
                        raise ApiError(
                            400,
                            "idempotency_error",
                            f"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{ikey}' if you meant to execute a different request.",
                        )
                    entry.replayed = True
                    return stored.status, stored.body, {"Idempotent-Replayed": "true", "Original-Request": "req"}
            try:
                status, payload = 200, json.dumps(route.handler(call)).encode()
            except ApiError as err:
                status, payload = err.status, json.dumps(err.body(entry.request_id)).encode()
            if ikey:
                state.idempotency[(self.headers.get("Authorization", ""), ikey)] = IdempotentResult(
                    fingerprint, status, payload, endpoint
                )
        if route.mutates and status < 400:
            for notify in backend.after_write:
                notify()
        return status, payload, ({"Idempotency-Key": ikey} if ikey else {})

    def _html(self, backend: Backend, secret: str, entry: LogEntry, form: str | None = None) -> None:
        with backend.state.lock:
            page = portal.session_page(backend.state, secret, form)
        status = 200 if page else 404
        entry.status = status
        backend.record(entry)
        data = (page or "<h1>This portal session has expired.</h1>").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threading server: injected latency overlaps across concurrent requests. IPv6 for an IPv6 host (::1)."""

    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Handler)
        self.backend = backend

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-response (killed, timed out) is normal here: no traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)
