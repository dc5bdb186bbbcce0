"""`churn-console sync` and `churn-console queue`."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from ..domain.choices import QUEUE_SORTS
from ..domain.feedback import PORTAL_LABELS
from .common import open_cached, open_online, progress_to_stderr
from .index import HELP

if TYPE_CHECKING:
    from .documented import Commands


def add_parsers(sub: Commands) -> None:
    p = sub.add_parser(
        "sync",
        help=HELP["sync"],
        description="Incremental when the last sync is recent (events since then), full otherwise.",
        epilog="examples:\n  churn-console --demo sync\n  STRIPE_API_KEY=rk_test_… churn-console sync --full",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--full", action="store_true", help="list everything again instead of reading events")
    p.set_defaults(run=run_sync)

    q = sub.add_parser(
        "queue",
        help=HELP["queue"],
        description="Reads only the local cache: run `sync` first.",
        epilog="examples:\n  churn-console --demo queue\n  churn-console queue --format json --sort days_left --reason too_expensive\n"
        "  churn-console queue --mine        your rows, those due first\n  churn-console queue --unowned --due",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    q.add_argument("--format", choices=("table", "json", "csv"), default="table")
    q.add_argument("--sort", choices=QUEUE_SORTS, default="mrr", help="mrr (default, then days left), days_left, customer")
    q.add_argument(
        "--reason",
        metavar="R",
        help="only this survey answer (e.g. too_expensive), a custom reason's id (fo_…), or `none` for no answer",
    )
    whose = q.add_mutually_exclusive_group()
    whose.add_argument("--mine", action="store_true", help="only the rows you own (the save desk), those due first")
    whose.add_argument("--unowned", action="store_true", help="only rows nobody owns (or whose claim lapsed)")
    whose.add_argument("--owner", metavar="NAME", help="only the rows NAME owns")
    q.add_argument("--due", action="store_true", help="only rows due: follow-up date reached, or 3 days left and no contact")
    q.add_argument(
        "--operator",
        help="your name, for --mine (default: $CHURN_CONSOLE_OPERATOR, else the name set in the window's Preferences, else your login)",
    )
    q.set_defaults(run=run_queue)


def run_sync(args: argparse.Namespace) -> int:
    from ..services import operations  # the SDK and SQLite: when the command runs, not for --help

    workspace, connection = open_online(args, syncing=True)
    try:
        report = operations.sync(
            workspace,
            full=args.full,
            progress=progress_to_stderr,
            queue_ready=lambda r: progress_to_stderr(1, None, f"Queue complete: {len(r.queue_after):,} pending cancellations"),
        ).result
    finally:
        if sys.stderr.isatty():
            print(file=sys.stderr)
        workspace.close()
        connection.close()
    print(report.summary())
    return 0


def run_queue(args: argparse.Namespace) -> int:
    if args.reason and not _known_reason(args.reason):
        known = ", ".join(PORTAL_LABELS)
        print(
            f"churn-console: queue: unknown reason {args.reason!r}. Use one of {known}, none, or a custom reason's id (fo_…).",
            file=sys.stderr,
        )
        return 2
    from ..domain.text import text_chunks
    from ..services.operator import operator_name
    from .queue_output import json_bytes, render, write_bytes

    workspace = open_cached(args, check=False)  # a read only: checked if it meets damage (Workspace.queue_blocks)
    owner = operator_name(args.operator, workspace.data_dir) if args.mine else "" if args.unowned else args.owner
    now = int(time.time())
    # --mine: what needs you today first, then the rest, each in --sort order
    parts = (True, False) if args.mine and not args.due else (True if args.due else None,)
    try:
        unfinished = workspace.unfinished_sync(queue=True)
        blocks = (
            block
            for due in parts
            for block in workspace.queue_blocks(now, sort=args.sort, reason=args.reason, owner=owner, due=due)
        )
        if args.format == "json":  # as SQLite gives it: UTF-8, never decoded unless a block needs escaping
            write_bytes(json_bytes(blocks))
        else:
            sys.stdout.writelines(render(text_chunks(blocks), args.format))
    finally:
        workspace.close()
    if unfinished:  # on stderr: the rows on stdout stay valid JSON or CSV
        print(f"churn-console: queue: {unfinished}", file=sys.stderr)
    return 0


def _known_reason(reason: str) -> bool:
    from ..domain.playbook import is_custom

    return reason in PORTAL_LABELS or reason == "none" or is_custom(reason)
