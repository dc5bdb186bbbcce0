"""Where the console's data comes from: the bundled demo sandbox or a Stripe (compatible) API."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from ..heap import collector_paused
from ..secrets.destination import custom_server as custom_server  # re-exported: the mode badge names the server

if TYPE_CHECKING:  # the SDK loads when a connection is made (on a worker, after the window's first paint)
    from ..stripe_gateway import StripeGateway
    from .keys import KeyService

log = logging.getLogger(__name__)
KEY_ENV = "STRIPE_API_KEY"


class NoProfile(ConsoleError):
    """No account has been connected yet."""


@dataclass
class Connection:
    """A gateway plus a description of where it points; `close()` stops a demo sandbox."""

    gateway: StripeGateway
    where: str
    sandbox: object | None = None
    label: str = ""  # the account's display name when the key may not read /v1/account (restricted keys)
    demo_dir: Path | None = None  # the data dir whose shared demo account this connection uses

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()  # type: ignore[attr-defined]
            self.sandbox = None
        if self.demo_dir is not None:  # the demo server stops on its own once no console uses it
            from .demo_server import unregister

            unregister(self.demo_dir)
            self.demo_dir = None

    @property
    def demo(self) -> bool:
        """On the bundled demo account (its ids are in no Stripe Dashboard)."""
        return self.sandbox is not None or self.demo_dir is not None


def open_demo(data_dir: Path | None = None, seed: int = 7, customers: int = 500) -> Connection:
    """Connect to the bundled demo account with its restricted key.

    With a data dir, the account is the data dir's one, shared by every window and command on it and kept there
    between runs (services/demo_server.py). Without one, a sandbox of this process's own, forgotten at the end.
    """
    from ..stripe_gateway import StripeGateway

    if data_dir is not None:
        from . import demo_server

        server = demo_server.ensure(data_dir)
        log.info("demo account at %s", server.url)
        gateway = StripeGateway(server.key, server.url)
        return Connection(gateway, f"Demo sandbox at {server.url}", label="Demo account", demo_dir=data_dir)
    from ..sandbox.app import Sandbox

    with collector_paused():  # the seed's short-lived dicts hold no cycles: collections only cost it time
        sandbox = Sandbox(seed=seed, customers=customers).start()
    log.info("demo sandbox listening on %s", sandbox.url)
    return Connection(StripeGateway(sandbox.key, sandbox.url), f"Demo sandbox at {sandbox.url}", sandbox, "Demo account")


def open_from_environment(api_base: str | None, *, allow_secret: bool = False, data_dir: Path | None = None) -> Connection:
    """Connect with the key in STRIPE_API_KEY (never taken from the command line), checked as a pasted key is:
    a publishable or malformed key is refused, a secret key only with --allow-secret-key."""
    from ..secrets.keys import inspect_key
    from ..stripe_gateway import StripeGateway

    raw = os.environ.get(KEY_ENV, "").strip()
    if not raw:
        raise ConsoleError(
            "No Stripe key is configured.",
            f"Run with --demo to try the console, or set {KEY_ENV} to a restricted key (rk_test_… or rk_live_…).",
        )
    try:
        key, info = inspect_key(raw, allow_secret=allow_secret)
    except ConsoleError as exc:
        hint = " Or pass --allow-secret-key." if raw.startswith("sk_") else ""
        raise type(exc)(f"{KEY_ENV}: {exc.message}", f"Set {KEY_ENV} to a restricted key (rk_…).{hint}") from None
    where = f"key from {KEY_ENV} ({info.kind}, {info.mode}) at {api_base or 'api.stripe.com'}"
    if (shadowed := environment_overrides(data_dir)) is not None:
        where += f"; it overrides the stored profile {shadowed!r}"
    return Connection(StripeGateway(key, api_base), where, label=KEY_ENV)


def environment_overrides(data_dir: Path | None) -> str | None:
    """The stored profile STRIPE_API_KEY is used instead of, if there is one (say so: it surprises people)."""
    if data_dir is None or not os.environ.get(KEY_ENV):
        return None
    from .profiles import Profiles

    try:
        return Profiles(data_dir).last
    except ConsoleError:
        return None


def open_profile(data_dir: Path, name: str | None = None, service: KeyService | None = None) -> Connection:
    """Connect with a profile's key from the keyring (the last profile used when no name is given). Pass the
    window's KeyService: a key kept for this session only lives in it, not in the keyring."""
    from .keys import KeyService

    service = service or KeyService(data_dir)
    name = name or service.profiles.last
    if name is None:
        raise NoProfile(
            "No Stripe account is connected yet.",
            "Run `churn-console key set --profile NAME` (or Connect in the window), or try --demo.",
        )
    profile = service.profiles.use(name)
    return Connection(service.gateway(name), f"{profile.name} ({profile.account_name}, {profile.mode_label})", label=profile.name)
