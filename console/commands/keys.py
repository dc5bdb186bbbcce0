"""`key set | check | delete` and `profiles`: restricted keys in the OS keyring, never on the command line."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

from .common import paths_for
from .documented import command
from .index import HELP

if TYPE_CHECKING:  # the keyring and the SDK load when a command runs, not when the parser is built
    from ..services.keys import KeyService
    from .documented import Commands


def _keys(args: argparse.Namespace) -> KeyService:
    from ..services.keys import KeyService

    return KeyService(paths_for(args).data)


def add_parsers(sub: Commands) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    key = sub.add_parser("key", help=HELP["key"], formatter_class=fmt,
                         description="A profile's restricted key: stored only in the OS keyring, never in a file or argv.",
                         epilog="examples:\n  churn-console key set --profile 'Acme live'      (paste at the prompt)\n"
                         "  pass show stripe/acme | churn-console key set --profile 'Acme live'\n  churn-console key check --profile 'Acme live'")  # fmt: skip
    ksub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    kset = command(ksub, "set", "verify a key with Stripe and store it in the OS keyring (read from a prompt or stdin)",
                   "churn-console key set --profile 'Acme live'      (paste at the prompt)",
                   "pass show stripe/acme | churn-console key set --profile 'Acme live'")  # fmt: skip
    kset.add_argument("--profile", required=True, help="a name such as 'Acme live'")
    kset.add_argument("refused_key", nargs="?", help=argparse.SUPPRESS)
    kset.add_argument("--allow-secret-key", action="store_true", help="accept an sk_ key (not recommended: it can do anything)")
    kset.set_defaults(run=run_set)
    kcheck = command(ksub, "check", "show which permissions the key has and what each enables",
                     "churn-console key check --profile 'Acme live'", "STRIPE_API_KEY=rk_test_… churn-console key check")  # fmt: skip
    kcheck.add_argument("--profile", help="default: the key in STRIPE_API_KEY when it is set, else the last profile used")
    kcheck.set_defaults(run=run_check)
    kdel = command(ksub, "delete", "remove the key from the keyring and forget the profile (the journal is kept)",
                   "churn-console key delete --profile 'Acme test' --purge-cache")  # fmt: skip
    kdel.add_argument("--profile", required=True)
    kdel.add_argument("--purge-cache", action="store_true", help="also delete the cached data (the journal is always kept)")
    kdel.set_defaults(run=run_delete)
    prof = command(sub, "profiles", HELP["profiles"], "churn-console profiles")
    prof.set_defaults(run=run_profiles)


def _read_key() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Paste the restricted key (rk_…, not shown): ")
    return sys.stdin.readline()


def run_set(args: argparse.Namespace) -> int:
    if args.refused_key:
        print(
            "churn-console: never put a key on the command line: it stays in your shell history and in process lists.\n"
            f"  Run `churn-console key set --profile {args.profile!r}` and paste it at the prompt, or pipe it on stdin.",
            file=sys.stderr,
        )
        return 2
    from ..services.keys import KeyringUnavailable
    from ..services.permissions import table

    service = _keys(args)
    raw = _read_key()
    try:
        profile, verified = service.connect(args.profile, raw, args.api_base, allow_secret=args.allow_secret_key)
    except KeyringUnavailable as exc:
        print(f"churn-console: {exc}", file=sys.stderr)
        return 1
    print(
        f"Stored the key for {profile.name!r}: {verified.account.name} ({profile.mode_label} mode), in {service.keystore.status().name}."
    )
    print()
    print(table(verified.permissions))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from ..services.connection import KEY_ENV, open_from_environment
    from ..services.keys import HOW_TO
    from ..services.permissions import check_permissions, table

    service = _keys(args)
    if not args.profile and os.environ.get(KEY_ENV):  # the key the other commands would use, checked the same way
        connection = open_from_environment(args.api_base, allow_secret=getattr(args, "env_allow_secret", False))
        try:
            perms = check_permissions(connection.gateway)
        finally:
            connection.close()
        print(f"Checked the {connection.where}.")
        print()
        print(table(perms))
        return 0 if all(p.granted for p in perms) else 1
    name = args.profile or service.profiles.last
    if name is None:
        print(f"churn-console: no profile yet, and {KEY_ENV} is not set. {HOW_TO}", file=sys.stderr)
        return 1
    profile = service.profiles.get(name)
    perms = service.check(name)
    print(f"{profile.name}: {profile.account_name} ({profile.mode_label} mode)")
    print()
    print(table(perms))
    return 0 if all(p.granted for p in perms) else 1


def run_delete(args: argparse.Namespace) -> int:
    service = _keys(args)
    profile = service.delete(args.profile, purge_cache=args.purge_cache)
    kept = "deleted its cache" if args.purge_cache else "kept its cache (use --purge-cache to delete it)"
    print(f"Deleted the key and the profile {profile.name!r}; {kept}. The journal of actions is kept.")
    return 0


def run_profiles(args: argparse.Namespace) -> int:
    service = _keys(args)
    if not service.profiles.items:
        print("No profiles yet. Add one with `churn-console key set --profile NAME`.")
        return 0
    for p in service.profiles.items.values():
        mark = "*" if p.name == service.profiles.last else " "
        missing = [code for code, ok in p.permissions.items() if not ok]
        where = f" via {p.api_base}" if p.api_base else ""
        note = f"  missing: {', '.join(missing)}" if missing else ""
        stored = "" if p.stored else "  (session only)"
        print(f"{mark} {p.name:<24} {p.mode_label:<5} {p.account_name} ({p.account_id}){where}{stored}{note}")
    return 0
