"""Where a Stripe key may be sent: Stripe's API; this machine over http; elsewhere only over https; a live key
only to api.stripe.com unless the user named the server with `--allow-live-key-to`. No Stripe SDK here."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse

from ..errors import ConsoleError

STRIPE_API = "https://api.stripe.com"
_live_servers_allowed: set[str] = set()


class UnsafeDestination(ConsoleError):
    """A key would go somewhere it must not: nothing was sent."""


def _mode(key: str) -> str | None:
    return "live" if key[3:].startswith("live_") else "test" if key[3:].startswith("test_") else None


def allow_live_key_to(server: str) -> None:
    """The user's loud opt-in (`--allow-live-key-to URL`): this process may send a live key to `server`."""
    _live_servers_allowed.add(server.rstrip("/"))


def custom_server(api_base: str | None) -> str | None:
    """The server when it is not Stripe's own API, else None."""
    base = (api_base or "").rstrip("/")
    return None if base in ("", STRIPE_API) else base


def destination(key: str, api_base: str | None) -> str | None:
    """Where the key may go: None for Stripe's API, or the checked custom base. Raises UnsafeDestination for a
    malformed URL, plain http to anything but this machine, or a live key to anything but api.stripe.com
    without the user's opt-in for that exact server."""
    base = custom_server(api_base)
    if base is None:
        return None
    parsed = urlparse(base)
    if any(ord(c) < 33 or c in "\\" for c in base) or parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UnsafeDestination(
            f"{base!r} is not a server address.", "Give a full URL such as http://127.0.0.1:12111 (or leave --api-base out)."
        )
    if parsed.username or parsed.password or parsed.query or parsed.fragment:
        raise UnsafeDestination(f"{base!r} carries credentials or a query.", "Give only scheme, host, port and path.")
    if parsed.scheme == "http" and not _loopback(parsed.hostname):
        raise UnsafeDestination(
            f"Keys are never sent over plain http to another machine ({parsed.hostname}).",
            "Use https://, or a server on this machine (127.0.0.1, ::1, localhost).",
        )
    if _mode(key) == "live" and base not in _live_servers_allowed:
        raise UnsafeDestination(
            f"A live key is sent only to {STRIPE_API}, not to {base}.",
            f"If you really mean to, run with --allow-live-key-to {base} (the window then shows a red banner naming it).",
        )
    return base


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
