"""The account the console works on, without Qt: how this run connects (one rule), the connection and the
workspace (cache and journal), what the key may do, and the operator. The CLI and the window both use it."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import permissions
from ..errors import ConsoleError
from . import connection
from .connection import Connection
from .operator import operator_name, overridden_by_environment, store_name, stored_name
from .workspace import Workspace

if TYPE_CHECKING:  # the keyring loads with the key service, when a profile is used
    from .keys import KeyService

Connect = Callable[[], Connection]


def connector(
    data_dir: Path,
    *,
    demo: bool,
    profile: str | None,
    api_base: str | None,
    allow_secret: bool = False,
    keys: KeyService | None = None,
) -> Connect:
    """How this run reaches Stripe: the bundled demo sandbox; else the key in STRIPE_API_KEY unless a profile is
    named; else a stored profile (the last one used). `keys` is the window's KeyService: a key kept for this
    session only lives there."""
    if demo:
        return lambda: connection.open_demo(data_dir)
    if os.environ.get(connection.KEY_ENV) and not profile:
        return lambda: connection.open_from_environment(api_base, allow_secret=allow_secret, data_dir=data_dir)
    return lambda: connection.open_profile(data_dir, profile or (keys.profiles.last if keys else None), service=keys)


class Session:
    """One account at a time: `open()` connects (the cached workspace goes online, or the account's own opens),
    `close()` lets it go. `keys` (a KeyService) and `profile` say which stored profile, when there is one."""

    def __init__(self, data_dir: Path, connect: Connect, *, keys: KeyService | None = None, profile: str | None = None) -> None:
        self.data_dir = data_dir
        self.connect = connect
        self.keys = keys
        self.profile = profile
        self.connection: Connection | None = None
        # the cached queue opens before any network, and before SQLite's integrity check (the first sync runs it)
        self.workspace: Workspace | None = Workspace.last(data_dir, check=False)
        self.offline_since: datetime | None = None  # when Stripe last stopped answering (None: it answers)

    def went_offline(self) -> None:
        self.offline_since = self.offline_since or datetime.now()

    def why_actions_off(self) -> str | None:
        """Why the queue's actions are off now (the words for the action bar), or None when they can run."""
        if not (self.workspace and self.workspace.online and self.offline_since is None):
            return "Actions need a connection to Stripe (the queue is read-only)"
        return self.why_not("rak_subscription_write")

    @property
    def online(self) -> bool:
        return self.connection is not None and self.workspace is not None and self.workspace.online

    def open(self) -> Workspace:
        """Connect, then open the account's workspace (network: call it off the GUI thread). A sync follows (the
        window's refresh cycle), so a first one's opening reads go beside the account check (Workspace.connect)."""
        fresh = self.connect()
        try:
            if self.workspace is not None:
                workspace = self.workspace.attach(fresh.gateway, fresh.label)
            else:
                workspace = Workspace.connect(fresh.gateway, self.data_dir, fresh.label, syncing=True)
        except ConsoleError:
            fresh.close()
            raise
        if self.workspace is not None and workspace is not self.workspace:
            self.workspace.close()  # the key belongs to another account: its own cache replaces this one
        self.connection, self.workspace = fresh, workspace
        return workspace

    def switch(self, profile: str, connect: Connect, workspace: Workspace | None) -> None:
        """Another profile: its cached workspace at once (None when never synced here), its connection on open()."""
        self.close()
        self.profile, self.connect, self.workspace = profile, connect, workspace
        self.offline_since = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None

    def granted(self, code: str) -> bool:
        """What the profile's last permission check said (True where unknown: the demo, STRIPE_API_KEY)."""
        if self.keys is None or self.profile is None or self.profile not in self.keys.profiles.items:
            return True
        return bool(self.keys.profiles.get(self.profile).permissions.get(code, True))

    def why_not(self, code: str) -> str | None:
        """Why a feature needing `code` is off (the words for its tooltip), or None when the key may."""
        return None if self.granted(code) else permissions.lacks(code)

    def operator(self, preferred: str | None = None) -> str:
        """Who acts from this window: the one rule every command follows too (services/operator.py)."""
        return operator_name(preferred, self.data_dir)

    def known_operator(self) -> str:
        """A name someone set (the environment's, else the data dir's), or "" when only the login name is known."""
        return overridden_by_environment() or stored_name(self.data_dir) or ""

    def set_operator(self, name: str) -> None:
        """Preferences → Your name: the data dir's name, which the CLI on this data dir reads as well."""
        store_name(self.data_dir, name)
