"""`churn-console failed`: the failed-payments queue from the cache (table, CSV or JSON; works offline)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .common import stripe_id
from .index import HELP
from .text_table import text_table

if TYPE_CHECKING:
    from ..services.failed_queue import FailedQueue
    from .documented import Commands

STEPS = ("new_card", "wait", "retry", "contact")  # services.failed_queue.STEPS (not imported: --help stays light)


def add_parsers(sub: Commands) -> None:
    p = sub.add_parser(
        "failed",
        help=HELP["failed"],
        description="Every subscription with an open invoice Stripe charges whose payment failed (past due, unpaid, or "
        "paused), sorted by MRR at stake, then by the time left before Stripe's retries run out. Reads only the local "
        "cache: run `sync` first.",
        epilog="examples:\n  churn-console --demo failed\n  churn-console failed --format json --step new_card\n"
        "  churn-console failed --mine --due",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--step", choices=STEPS, help="only rows whose next step is this")
    whose = p.add_mutually_exclusive_group()
    whose.add_argument("--mine", action="store_true", help="only the rows you own")
    whose.add_argument("--unowned", action="store_true", help="only rows nobody owns (or whose claim lapsed)")
    whose.add_argument("--owner", metavar="NAME", help="only the rows NAME owns")
    p.add_argument("--due", action="store_true", help="only rows due: follow-up date reached, or 3 days left and no contact")
    p.add_argument("--operator", help="your name, for --mine (default: as for `queue --mine`)")
    p.add_argument(
        "--holdout",
        action="store_true",
        help="the rows left to Stripe alone instead (the playbook's hold-out: never in the reps' queue, read only)",
    )
    p.set_defaults(run=run_failed)

    paid = sub.add_parser(
        "paid-outside",
        help=HELP["paid-outside"],
        description="Marks the open invoice paid out of band on Stripe (`paid_out_of_band`), with a note in the journal "
        "saying how the customer paid. Stripe then stops retrying it and the subscription is active again.",
        epilog='example:\n  churn-console paid-outside in_0123456789 --note "Bank transfer ref 2026-118"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    paid.add_argument(
        "invoice",
        type=stripe_id("in_", "sub_"),
        help="the invoice (in_…) or subscription (sub_…) as `churn-console failed` lists it",
    )
    paid.add_argument("--note", required=True, help="how the customer paid (a transfer's reference), 1 to 500 characters")
    paid.add_argument("--operator", help="your name (default: as for `save`)")
    paid.add_argument("--confirm-live", action="store_true", help="required in live mode")
    paid.set_defaults(run=run_paid_outside)

    link = sub.add_parser(
        "card-link",
        help=HELP["card-link"],
        description="Creates a customer portal session that opens on updating the payment method; once expired, the page "
        "lets the customer confirm their e-mail and get a new one. Stripe's next retry charges the new card.",
        epilog="examples:\n  churn-console card-link sub_0123456789            # print the link\n"
        "  churn-console card-link sub_0123456789 --mailto   # the e-mail, as a mailto: URL\n"
        "  churn-console card-link sub_0123456789 --sent     # print it, and record it sent (a contact on the desk)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    link.add_argument(
        "subscription",
        type=stripe_id("sub_", "in_"),
        help="the subscription (sub_…) or invoice (in_…) as `churn-console failed` lists it",
    )
    how = link.add_mutually_exclusive_group()
    how.add_argument("--copy", action="store_true", help="print the link alone, to copy (the default)")
    how.add_argument("--mailto", action="store_true", help="print the e-mail from the failed-payment templates as a mailto: URL")
    how.add_argument("--sent", action="store_true", help="print the link and record that you sent it (a contact on the desk)")
    link.add_argument("--template", help="the e-mail template for --mailto (default: the one for the row's next step)")
    link.add_argument("--operator", help="your name (default: as for `save`)")
    link.set_defaults(run=run_card_link)


def run_failed(args: argparse.Namespace) -> int:
    from ..services import failed_queue
    from ..services.operator import operator_name
    from .common import open_cached

    workspace = open_cached(args, check=False)  # checked as it is read (Cache.read_checked)
    try:
        owner = operator_name(args.operator, workspace.data_dir) if args.mine else "" if args.unowned else args.owner
        due = True if args.due else None
        queue = failed_queue.read(workspace, int(time.time()), owner=owner, step=args.step, due=due, holdout=args.holdout)
        unfinished = workspace.unfinished_sync(queue=True)
    finally:
        workspace.close()
    sys.stdout.write(render(queue, args.format))
    if unfinished:  # on stderr: the rows on stdout stay valid JSON or CSV
        print(f"churn-console: failed: {unfinished}", file=sys.stderr)
    return 0


def run_paid_outside(args: argparse.Namespace) -> int:
    from ..services import operations
    from .actions import _act

    return _act(args, lambda ws, who: operations.paid_outside(ws, who, args.invoice, args.note))


def run_card_link(args: argparse.Namespace) -> int:
    from ..errors import ConsoleError
    from ..services import card_link
    from ..services.operator import operator_name
    from .common import open_online

    workspace, connection = open_online(args)
    try:
        me = operator_name(args.operator, workspace.data_dir)
        if args.mailto:
            print(card_link.letter(workspace, me, args.subscription, template=args.template).mailto())
            return 0
        made = card_link.card_link(workspace, args.subscription)
        print(made.url)
        if args.sent:
            words = card_link.record_sent(workspace, me, args.subscription, "by hand").result
            print(f"Recorded: {words}", file=sys.stderr)  # on stderr: stdout stays the link alone
        return 0
    except ConsoleError as exc:
        print(f"churn-console: card-link: {exc}", file=sys.stderr)
        return 1
    finally:
        workspace.close()
        connection.close()


def render(queue: FailedQueue, fmt: str) -> str:
    from ..domain.failed import FAILED_FIELDS
    from ..domain.text import csv_cell

    records = [queue.record(r) for r in queue.rows]
    if fmt == "json":  # one row a line, as `queue --format json`; ensure_ascii: nothing a terminal acts on
        return "[\n" + ",\n".join(json.dumps(r) for r in records) + "\n]\n" if records else "[]\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(FAILED_FIELDS)
        writer.writerows([csv_cell(r[k]) for k in FAILED_FIELDS] for r in records)
        return out.getvalue()
    return _table(records, queue)


def _table(records: Sequence[dict[str, Any]], queue: FailedQueue) -> str:
    from ..domain.money import format_totals, totals
    from ..domain.queue import display_name
    from ..services.failed_queue import STEP_WORDS

    head = ("Customer", "Due", "MRR", "Tries", "Decline", "Card", "Stripe's next try", "Ends", "Next step", "Owner")
    body = [
        (
            display_name(r["name"], r["email"], r["customer"], False)[:28],
            r["amount_due"],
            r["mrr"],
            str(r["attempts"]),
            (r["decline_code"] or "?")[:22],
            r["card"],
            r["next_attempt_at"][:16].replace("T", " ") if r["next_attempt_at"] else "none",
            f"{r['ends']} {r['ends_at'][:10]}",
            STEP_WORDS[r["next_step"]],
            (r["owner"] or "")[:20],
        )
        for r in records
    ]
    lines = text_table(head, body, right={1, 2, 3})
    due = format_totals(totals((r["amount_due_minor"], r["currency"]) for r in records))
    at_risk = format_totals(totals((r["mrr_minor"], r["currency"]) for r in records))
    lines += ["", f"{len(records)} failed payment{'s' if len(records) != 1 else ''} · due: {due} · MRR at stake: {at_risk}"]
    return "\n".join(lines) + "\n"
