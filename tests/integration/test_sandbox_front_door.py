"""The sandbox is not a way in: its admin endpoints need its admin key, keys minted there are never admin,
portal session URLs are unguessable, ::1 works, and a port in use is a message, not a traceback."""

from __future__ import annotations

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
