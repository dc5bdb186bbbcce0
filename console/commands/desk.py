"""`take`, `release`, `note`, `contacted` and `outreach`: the save desk a team shares through Stripe's metadata.
Exit 0 done, 1 refused or failed (nothing changed for that row), 2 usage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..domain.desk import CHANNELS, STATES
from ..domain.text import terminal
from ..errors import ConsoleError
from ..services.operator import OPERATOR_ENV, operator_name
from .common import iso_day, open_online, stripe_id
from .documented import command
from .index import HELP

if TYPE_CHECKING:
    from ..services.workspace import Workspace
    from .documented import Commands


SUB = stripe_id("sub_")


def add_parsers(sub: Commands) -> None:
    take = command(sub, "take", HELP["take"],
                   "churn-console take sub_123 sub_456\n  churn-console take sub_123 --as Robin --force")  # fmt: skip
    take.add_argument("subscriptions", nargs="+", metavar="SUB", type=SUB)
    take.add_argument("--as", dest="owner", metavar="NAME", help="the owner (default: you)")
    take.add_argument(
        "--force", action="store_true", help="take it even when someone else owns it (they see it at their next sync)"
    )
    _common(take)
    take.set_defaults(run=run_take)

    release = command(sub, "release", HELP["release"], "churn-console release sub_123")
    release.add_argument("subscriptions", nargs="+", metavar="SUB", type=SUB)
    _common(release)
    release.set_defaults(run=run_release)

    note = command(sub, "note", HELP["note"],
                   "churn-console note sub_123 'Left a voicemail' --follow-up 2026-12-04\n  churn-console note sub_123 'Wants to think' --state waiting")  # fmt: skip
    note.add_argument("subscription", metavar="SUB", type=SUB)
    note.add_argument("text")
    note.add_argument("--follow-up", type=iso_day, metavar="YYYY-MM-DD", help="when to look at it again")
    note.add_argument("--state", choices=STATES, help="where the row stands now")
    _common(note)
    note.set_defaults(run=run_note)

    contacted = command(sub, "contacted", HELP["contacted"],
                        "churn-console contacted sub_123 --channel call --follow-up 2026-12-03")  # fmt: skip
    contacted.add_argument("subscription", metavar="SUB", type=SUB)
    contacted.add_argument("--channel", required=True, choices=CHANNELS)
    contacted.add_argument("--follow-up", type=iso_day, metavar="YYYY-MM-DD")
    _common(contacted)
    contacted.set_defaults(run=run_contacted)

    outreach = command(sub, "outreach", HELP["outreach"],
                       "churn-console outreach sub_123\n  churn-console outreach sub_123 --template offer:pause --sent")  # fmt: skip
    outreach.add_argument("subscription", metavar="SUB", type=SUB)
    outreach.add_argument(
        "--template", metavar="NAME", help="a template's name (default: the customer's reason's, else the offer's)"
    )
    outreach.add_argument("--copy", action="store_true", help="print only the body (to paste), not the To/Subject lines")
    outreach.add_argument("--sent", action="store_true", help="record that it was sent: a contact attempt by e-mail")
    outreach.add_argument("--mailto", action="store_true", help="print the mailto: link instead")
    _common(outreach)
    outreach.set_defaults(run=run_outreach)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--operator", help=f"your name (default: ${OPERATOR_ENV}, else the name set in the window's Preferences, else your login)"
    )


def _online(args: argparse.Namespace, do: Callable[[Workspace, str], int]) -> int:
    workspace, connection = open_online(args)
    try:
        return do(workspace, operator_name(args.operator, workspace.data_dir))
    except ConsoleError as exc:
        print(f"churn-console: {terminal(str(exc))}", file=sys.stderr)
        return 1
    finally:
        workspace.close()
        connection.close()


def _say(text: str) -> None:
    print(terminal(text))  # names and notes are people's text: nothing a terminal acts on


def run_take(args: argparse.Namespace) -> int:
    from ..services import desk
    from ..services.desk import DeskRefused

    def do(workspace: Workspace, operator: str) -> int:
        code = 0
        for result in desk.take(workspace, operator, args.subscriptions, owner=args.owner, force=args.force).result:
            if isinstance(result, DeskRefused):
                print(f"churn-console: refused: {terminal(str(result))}", file=sys.stderr)
                code = 1
            elif result.lost_to:
                print(f"churn-console: {terminal(result.words)}", file=sys.stderr)
                code = 1
            else:
                _say(result.words)
        return code

    return _online(args, do)


def run_release(args: argparse.Namespace) -> int:
    from ..services import desk

    def do(workspace: Workspace, operator: str) -> int:
        for result in desk.release(workspace, operator, args.subscriptions).result:
            _say(result.words)
        return 0

    return _online(args, do)


def run_note(args: argparse.Namespace) -> int:
    from ..services import desk

    return _online(
        args,
        lambda ws, op: _said(
            desk.note(ws, op, args.subscription, args.text, follow_up=args.follow_up, state=args.state).result.words
        ),
    )


def run_contacted(args: argparse.Namespace) -> int:
    from ..services import desk

    return _online(
        args, lambda ws, op: _said(desk.contacted(ws, op, args.subscription, args.channel, follow_up=args.follow_up).result.words)
    )


def _said(words: str) -> int:
    _say(words)
    return 0


def run_outreach(args: argparse.Namespace) -> int:
    from ..services import desk

    def do(workspace: Workspace, operator: str) -> int:
        letter = desk.letter(workspace, operator, args.subscription, template=args.template)
        if args.mailto:
            print(letter.mailto())  # percent-encoded: nothing raw reaches the terminal
        else:
            _say(letter.body if args.copy else letter.text())
        if args.sent:
            print(terminal(desk.record_sent(workspace, operator, args.subscription, letter).result.words), file=sys.stderr)
        return 0

    return _online(args, do)
