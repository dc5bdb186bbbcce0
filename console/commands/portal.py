"""`churn-console portal list | show | export | apply | link`: the portal editor, scriptable."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from ..errors import ConsoleError
from .common import open_online
from .documented import command
from .index import HELP

if TYPE_CHECKING:
    from ..services.connection import Connection
    from ..services.portal import PortalService
    from ..services.workspace import Workspace
    from .documented import Commands


def add_parsers(sub: Commands) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    portal = sub.add_parser("portal", help=HELP["portal"], formatter_class=fmt,
                            description="The customer portal's configurations, as Stripe holds them; apply prints before it sends.",
                            epilog="examples:\n  churn-console portal list\n  churn-console portal export bpc_123 > portal.json\n"
                            "  churn-console portal apply portal.json           (prints the diff)\n  churn-console portal apply portal.json --yes     (applies it)\n"
                            "  churn-console portal link cus_123 --retention-coupon RETAIN25-3M --subscription sub_123")  # fmt: skip
    psub = portal.add_subparsers(dest="portal_command", metavar="ACTION", required=True)
    command(psub, "list", "every configuration: name, id, default, active, updated, features on",
            "churn-console portal list").set_defaults(run=run_list)  # fmt: skip
    show = command(psub, "show", "one configuration, every field", "churn-console portal show bpc_123 --format json")
    show.add_argument("id", help="the configuration's id (bpc_…)")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(run=run_show)
    export = command(psub, "export", "print a configuration as JSON (config as code)",
                     "churn-console portal export bpc_123 > portal.json", "churn-console portal export bpc_123 --format stripe")  # fmt: skip
    export.add_argument("id", help="the configuration's id (bpc_…)")
    export.add_argument(
        "--format", choices=("console", "stripe"), default="console", help="console (default, for apply) or stripe (the API body)"
    )
    export.set_defaults(run=run_export)
    apply = command(psub, "apply", "create or update from JSON: prints the diff, applies with --yes",
                    "churn-console portal apply portal.json           (prints the diff and the params, sends nothing)",
                    "churn-console portal apply portal.json --yes     (applies it)")  # fmt: skip
    apply.add_argument("file", help="an export (use - for stdin)")
    apply.add_argument(
        "--to",
        "--id",
        dest="id",
        metavar="BPC_ID",
        help="update this configuration (a file in Stripe's shape names none; default: the id in the file, or create)",
    )
    apply.add_argument("--yes", action="store_true", help="apply the changes")
    apply.set_defaults(run=run_apply)
    link = command(psub, "link", "a one-time portal URL for a customer (optionally a cancel flow with a retention coupon)",
                   "churn-console portal link jane@example.com",
                   "churn-console portal link cus_123 --retention-coupon RETAIN25-3M --subscription sub_123")  # fmt: skip
    link.add_argument("customer", help="cus_… or an e-mail")
    link.add_argument("--configuration", help="a configuration id (default: the default one)")
    link.add_argument("--retention-coupon", metavar="COUPON", help="offer this coupon before the customer cancels")
    link.add_argument("--subscription", metavar="SUB", help="the subscription the cancel flow is for")
    link.set_defaults(run=run_link)


def _service(args: argparse.Namespace) -> tuple[PortalService, Workspace, Connection]:
    from ..services.portal import PortalService  # with the SDK: when a command runs, not for --help

    workspace, connection = open_online(args)
    return PortalService(workspace.need_gateway()), workspace, connection


def _done(workspace: Workspace, connection: Connection) -> None:
    workspace.close()
    connection.close()


def run_list(args: argparse.Namespace) -> int:
    service, ws, conn = _service(args)
    try:
        configs = service.list()
    finally:
        _done(ws, conn)
    for c in configs:
        on = ", ".join(n for n, v in (("cancel", c.cancel), ("pause", c.pause), ("plan switching", c.plan_switching), ("customer updates", c.customer_update),
                                      ("payment methods", c.payment_method_update), ("invoices", c.invoice_history)) if v)  # fmt: skip
        flags = ("default " if c.is_default else "") + ("active" if c.active else "inactive")
        print(
            f"{c.id}  {(c.name or '(no name)')[:28]:<28}  {flags:<14}  updated {datetime.fromtimestamp(c.updated):%Y-%m-%d %H:%M}  {on}"
        )
    return 0


def run_show(args: argparse.Namespace) -> int:
    service, ws, conn = _service(args)
    try:
        config = service.load(args.id)
    finally:
        _done(ws, conn)
    if args.format == "json":
        print(
            json.dumps(
                {
                    **config.editable(),
                    "id": config.id,
                    "is_default": config.is_default,
                    "active": config.active,
                    "updated": config.updated,
                },
                indent=2,
            )
        )
    else:
        for key, value in config.editable().items():
            print(f"{key:<24} {value}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    service, ws, conn = _service(args)
    try:
        sys.stdout.write(service.export(args.id, args.format))
    finally:
        _done(ws, conn)
    return 0


def run_apply(args: argparse.Namespace) -> int:
    from ..services.portal import PortalInvalid, read_import

    text = _stdin() if args.file == "-" else read_import(args.file)
    service, ws, conn = _service(args)
    try:
        try:
            wanted, plan = service.plan(text, args.id)
        except PortalInvalid as exc:
            print(f"churn-console: {exc}", file=sys.stderr)
            for field, problem in exc.problems.items():
                print(f"  {field}: {problem}", file=sys.stderr)
            return 1
        if plan.action == "nothing":
            print(f"No changes: {plan.target.id if plan.target else ''} already matches the file.")
            return 0
        if not args.yes:
            print(f"Would {plan.action} {plan.target.id if plan.target else 'a new configuration'}:")
            if plan.action == "create" and not args.id:  # Stripe's shape (or a new export): no configuration named
                print("  (the file names no configuration: give --to bpc_… to update one instead)")
            for field, before, after in plan.diff:
                print(f"  {field}: {before!r} → {after!r}" if plan.action == "update" else f"  {field}: {after!r}")
            print("These parameters would be sent:")
            print(json.dumps(plan.sent, indent=2))
            print("Nothing sent. Add --yes to apply.")
            return 0
        result = service.apply(wanted, plan)
        changed = ", ".join(field.replace("_", " ") for field, _, _ in plan.diff)
        print(f"{'Created' if plan.action == 'create' else 'Updated'} {result.id} ({changed}).")
        return 0
    finally:
        _done(ws, conn)


def _stdin() -> str:
    from ..services.portal import MAX_IMPORT_BYTES, decode_import

    raw = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1) if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    if len(raw) > MAX_IMPORT_BYTES:
        raise ConsoleError("Standard input holds more than 1 MB; a portal configuration is a few KB.")
    return decode_import(raw, "standard input")


def run_link(args: argparse.Namespace) -> int:
    service, ws, conn = _service(args)
    try:
        config_id = args.configuration or next((c.id for c in service.list() if c.is_default), None)
        if config_id is None:
            print("churn-console: there is no default portal configuration; pass --configuration.", file=sys.stderr)
            return 1
        # the portal editor's "Try it" use case; an unknown or deleted customer is said by main(), exit 1
        url = service.try_link(args.customer, config_id, retention_coupon=args.retention_coupon, subscription=args.subscription)
    finally:
        _done(ws, conn)
    print(url)
    return 0
