"""The sandbox is not a way in: its admin endpoints need its admin key, keys minted there are never admin,
portal session URLs are unguessable, ::1 works, and a port in use is a message, not a traceback."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
import requests

from console.sandbox.app import Sandbox
from tests.integration.conftest import client_for


def _admin(sb, key, method="GET", path="/_sandbox/log", **kwargs):
    return requests.request(method, f"{sb.url}{path}", headers={"Authorization": f"Bearer {key}"}, timeout=5, **kwargs)


def test_admin_endpoints_need_the_admin_key(sandbox):
    for key in (sandbox.key, sandbox.secret_key, sandbox.make_key()):
        for method, path in (("GET", "/_sandbox/log"), ("POST", "/_sandbox/faults"), ("POST", "/_sandbox/keys")):
            assert _admin(sandbox, key, method, path, json={}).status_code == 403
    assert _admin(sandbox, sandbox.admin_key).status_code == 200
    assert _admin(sandbox, sandbox.admin_key, path="/v1/subscriptions").status_code == 403  # admin is not an API key


def test_a_minted_key_is_restricted_never_admin_or_secret(sandbox):
    minted = _admin(sandbox, sandbox.admin_key, "POST", "/_sandbox/keys", json={"permissions": ["rak_customer_read"]})
    key = minted.json()["key"]
    assert key.startswith("rk_test_")
    assert _admin(sandbox, key).status_code == 403  # cannot open the admin endpoints
    refused = _admin(sandbox, sandbox.admin_key, "POST", "/_sandbox/keys", json={"permissions": ["admin", "secret"]})
    assert refused.status_code == 400


def test_portal_session_urls_are_unguessable(sandbox):
    admin = client_for(sandbox, sandbox.secret_key)
    customer = admin.v1.customers.list({"limit": 1}).data[0].id
    first = admin.v1.billing_portal.sessions.create({"customer": customer}).url
    again = Sandbox(seed=11, customers=60)  # the same seed gives the same ids, but not the same session secrets
    try:
        other = client_for(again, again.secret_key)
        again.start()
        second = other.v1.billing_portal.sessions.create({"customer": customer}).url
    finally:
        again.stop()
    secret = first.rsplit("/", 1)[-1]
    assert len(secret) >= 32 and secret != second.rsplit("/", 1)[-1]


def test_ipv6_loopback_works():
    try:
        with Sandbox(seed=3, customers=5, host="::1") as sb:
            assert sb.url.startswith("http://[::1]:")
            assert client_for(sb).v1.coupons.list({"limit": 1}).data
    except OSError as exc:  # a machine without IPv6 says so in a message (the CLI's), never a traceback
        pytest.skip(f"no IPv6 loopback here: {exc}")


def test_a_port_in_use_gets_a_message_not_a_traceback():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "console", "sandbox", "--port", str(port), "--customers", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2 and f"port {port}" in done.stderr and "in use" in done.stderr
    assert "Traceback" not in done.stderr


def _raw(sb, request: bytes) -> bytes:
    """One request written byte for byte (a client library would correct it), and the whole answer."""
    host, port = sb.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(request)
        conn.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def _post(sb, path: str, key: str, headers: str, body: bytes) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n{headers}Connection: close\r\n\r\n"
    return _raw(sb, head.encode() + body)


@pytest.mark.parametrize(
    ("what", "path", "headers", "body"),
    [
        ("a Content-Length that is not a number", "/v1/coupons", "Content-Length: ten\r\n", b"id=X"),
        ("a negative Content-Length", "/v1/coupons", "Content-Length: -5\r\n", b"id=X"),
        ("a body that is not UTF-8", "/v1/coupons", "Content-Length: 6\r\n", b"id=\xff\xfe\xfd"),
        ("bad JSON to an admin endpoint", "/_sandbox/faults", "Content-Length: 9\r\n", b"{latency:"),
        ("JSON that is not an object", "/_sandbox/keys", "Content-Length: 2\r\n", b"[]"),
        ("a fault setting that is not a number", "/_sandbox/faults", "Content-Length: 21\r\n", b'{"latency_ms": [1,2]}'),
    ],
)
def test_the_sandbox_never_drops_a_request_it_cannot_read_it_answers_400(sandbox, what, path, headers, body, capfd):
    key = sandbox.admin_key if path.startswith("/_sandbox/") else sandbox.secret_key
    answer = _post(sandbox, path, key, headers, body)
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), (what, answer[:200])
    error = json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]
    assert error["type"] == "invalid_request_error" and error["message"], what
    assert "Traceback" not in capfd.readouterr().err, what  # nothing went to the sandbox's stderr
    assert client_for(sandbox).v1.coupons.list({"limit": 1}).data  # and it still serves


@pytest.mark.parametrize("port", ["99999", "-5", "http"])
def test_an_out_of_range_port_is_refused_with_a_message_and_exit_2(port):
    done = subprocess.run(
        [sys.executable, "-m", "console", "sandbox", "--port", port, "--customers", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "port number" in done.stderr and "Traceback" not in done.stderr
