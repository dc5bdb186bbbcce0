"""What every data command needs: paths, logging, and a workspace (online or from the cache).

The services are imported when a command runs, not when the parser is built: `churn-console --version` and
`--help` never load the SDK, SQLite or the keyring (tests/benchmarks/bench_startup.py)."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from ..paths import Paths

if TYPE_CHECKING:
    from ..services.connection import Connection
    from ..services.workspace import Workspace


def iso_day(text: str) -> date:
    """A day given as YYYY-MM-DD (argparse says the rest: exit 2 with this message)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD") from None


def at_least_one(text: str) -> int:
    """A count of 1 or more (argparse says the rest: exit 2 with this message)."""
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return n


_ID = re.compile(r"[a-z]+_[A-Za-z0-9_]+")  # Stripe's ids: a prefix, then letters and digits (sub_1MowQVLkdIwHu7ix…)
_NAMED = {"sub_": "a subscription", "in_": "an invoice"}


def stripe_id(*prefixes: str) -> Callable[[str], str]:
    """An argparse type for an object's id: one of `prefixes`, then only letters, digits and `_`. Anything else is
    said to be a usage error here, not sent: Stripe answered a path with `<`, `/` or an escape in it "Unrecognized
    request URL … we can help at support.stripe.com", as if the fault were Stripe's."""
    what = " or ".join(_NAMED.get(p, p) for p in prefixes)

    def check(text: str) -> str:
        if text.startswith(prefixes) and _ID.fullmatch(text) and text not in prefixes:
            return text
        raise argparse.ArgumentTypeError(f"{text!r} is not {what} id: those look like {prefixes[0]}1MowQVLkdIwHu7ix")

    return check


def paths_for(args: argparse.Namespace) -> Paths:
    from .. import crash, logs

    paths = Paths.default(args.data_dir, demo=args.demo)
    logs.setup(paths.logs)
    crash.install(paths.logs)
    return paths


def open_online(args: argparse.Namespace, *, syncing: bool = False) -> tuple[Workspace, Connection]:
    """Connect (the demo sandbox with --demo, else STRIPE_API_KEY at --api-base) and open the account's cache.
    `syncing`: a sync follows (`args.full`: in full), so its first reads may go beside the account check."""
    from ..services import connection
    from ..services.session import connector
    from ..services.workspace import Workspace

    paths = paths_for(args)
    profile = getattr(args, "profile", None)
    connect = connector(
        paths.data, demo=args.demo, profile=profile, api_base=args.api_base, allow_secret=getattr(args, "env_allow_secret", False)
    )  # the one rule (services/session.py): demo, else STRIPE_API_KEY unless --profile, else a stored profile
    conn = connect()
    if not args.demo and not profile and (shadowed := connection.environment_overrides(paths.data)):
        print(f"churn-console: using the key in {connection.KEY_ENV}, not the stored profile {shadowed!r}", file=sys.stderr)
    try:
        workspace = Workspace.connect(
            conn.gateway, paths.data, conn.label, syncing=syncing, full=syncing and bool(getattr(args, "full", False))
        )
        for action in workspace.finish_interrupted():
            print(
                f"churn-console: an action interrupted earlier ({action.id}, {action.kind}) is now {action.state}",
                file=sys.stderr,
            )
        return workspace, conn
    except ConsoleError:
        conn.close()
        raise


def open_cached(args: argparse.Namespace, *, check: bool = True) -> Workspace:
    """The last account's cache, without the network (`check=False`: see Workspace.queue_json)."""
    from ..services.workspace import Workspace

    paths = paths_for(args)
    workspace = Workspace.last(paths.data, check=check)
    if workspace is None:
        first = "churn-console --demo sync" if args.demo else "churn-console sync"
        raise ConsoleError(f"No cached data in {paths.data} yet.", f"Run `{first}` first.")
    if workspace.cache.set_aside is not None:  # damaged, moved aside and empty now: never printed as an empty queue
        workspace.close()
        raise workspace.cache.damage()
    return workspace


def progress_to_stderr(done: int, total: int | None, message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r{message}{f' ({done}/{total})' if total else ''}\033[K", end="", file=sys.stderr, flush=True)
