"""`churn-console`: the window, and subcommands that mirror it for scripts (no Qt on this path)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .paths import Paths, private_files

DEMO_SERVER = "_demo-server"  # services.demo_server.ARGV_FLAG (not imported here: --version stays light)

EPILOG = """examples:
  churn-console --demo                 open the window on the bundled demo sandbox
  churn-console --demo sync            fill the demo cache; then `churn-console --demo queue`
  churn-console sandbox --port 12111   serve a Stripe-compatible sandbox for scripts and tests
  STRIPE_API_KEY=rk_test_… churn-console --api-base http://127.0.0.1:12111
"""


def _top_parser() -> argparse.ArgumentParser:
    """The options every command shares, before any command is added."""
    parser = argparse.ArgumentParser(
        prog="churn-console",
        description="Desktop console for Stripe subscription churn. Without a command it opens the window.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"churn-console {__version__}")
    parser.add_argument("--demo", action="store_true", help="use the bundled sandbox and a separate demo data dir")
    parser.add_argument("--api-base", metavar="URL", help="talk to a Stripe-compatible server (e.g. `churn-console sandbox`)")
    parser.add_argument("--data-dir", metavar="DIR", help="keep caches, journal and logs here instead of the platform default")
    parser.add_argument(
        "--profile", dest="global_profile", metavar="NAME", help="the account profile to use (default: the last one)"
    )
    parser.add_argument(
        "--allow-live-key-to",
        metavar="URL",
        help="send a LIVE key to this server instead of https://api.stripe.com (the window shows a red banner naming it)",
    )
    parser.add_argument(
        "--allow-secret-key",
        dest="env_allow_secret",
        action="store_true",
        help="accept an sk_ key in STRIPE_API_KEY (not recommended: it can do anything)",
    )
    parser.add_argument("--smoke", action="store_true", help="open the window, load the data, exit 0 (1 on failure)")
    parser.add_argument("--screenshot", metavar="PNG", help="like --smoke, and save the window to PNG")
    return parser


def help_parser() -> argparse.ArgumentParser:
    """The parser `--help` prints: the commands named with their help, none of their modules imported."""
    from .commands.index import COMMANDS

    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, said in COMMANDS:
        sub.add_parser(name, help=said)
    return parser


def build_parser() -> argparse.ArgumentParser:
    from .commands import actions, desk, failed, keys, portal, report, sandbox, sync_queue  # parsers; each run imports its own

    parser = _top_parser()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox.add_parser(sub)
    sync_queue.add_parsers(sub)
    failed.add_parsers(sub)
    actions.add_parsers(sub)
    desk.add_parsers(sub)
    keys.add_parsers(sub)
    portal.add_parsers(sub)
    report.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    private_files()
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == [DEMO_SERVER]:  # the shared demo account's own process (services/demo_server.py), not a command
        from .services.demo_server import serve

        return serve(Path(given[1]))
    if given == ["--version"]:  # answered before any command's parser is built (what a packager's check runs)
        print(f"churn-console {__version__}")
        return 0
    if given in (["--help"], ["-h"]):  # the commands listed without importing them (a command's --help builds its own)
        help_parser().print_help()
        return 0
    from .commands.safe_output import terminal_safe
    from .domain.text import terminal
    from .errors import ConsoleError

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "profile", None) is None:
        args.profile = args.global_profile
    if args.allow_live_key_to:
        from .secrets.destination import allow_live_key_to

        allow_live_key_to(args.allow_live_key_to)
        print(f"churn-console: a live key may be sent to {args.allow_live_key_to} in this run", file=sys.stderr)
    try:
        if args.command:
            with terminal_safe():
                code: int = args.run(args)
                sys.stdout.flush()  # here, not at exit: a closed pipe is then caught below
            return code
        return cmd_window(args)
    except ConsoleError as exc:
        print(f"churn-console: {terminal(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `churn-console journal | head -1`: the reader has what it wanted. Python's documented recipe:
        # point stdout at devnull so the flush at exit does not fail again (docs.python.org, "SIGPIPE").
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def cmd_window(args: argparse.Namespace) -> int:
    from . import logs
    from .services import connection
    from .services.session import connector

    paths = Paths.default(args.data_dir, demo=args.demo)
    logs.setup(paths.logs)
    keys = None
    if not args.demo and not (os.environ.get(connection.KEY_ENV) and not args.profile):  # a stored profile
        from .services.keys import KeyService
        from .services.workspace import Workspace

        keys = KeyService(paths.data)
        if args.profile:
            keys.profiles.use(args.profile)
        if not keys.profiles.items and not Workspace.exists(paths.data) and not args.smoke:
            from .ui.app import first_run_choice

            choice = first_run_choice()  # the welcome screen: the demo, or how to create the key
            if choice is None:
                return 0
            if choice == "demo":
                paths, keys, args.demo = Paths.default(args.data_dir, demo=True), None, True
    connect = connector(
        paths.data, demo=args.demo, profile=args.profile, api_base=args.api_base, allow_secret=args.env_allow_secret, keys=keys
    )  # the one rule, as every command connects (services/session.py)

    from .ui.app import run

    return run(connect, paths.data, keys=keys, smoke=args.smoke, screenshot=args.screenshot, log_dir=paths.logs)


if __name__ == "__main__":
    sys.exit(main())
