"""`save`, `pause`, `revoke`, `undo`, `retry` and `journal`. Exit 0 applied, 1 refused or failed, 2 usage."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.choices import CHANNEL_LABELS, CONSENT_CHANNELS, PAUSE_BEHAVIORS, STATE_WORDS
from ..errors import ConsoleError
from ..services.operator import OPERATOR_ENV, operator_name
from .common import at_least_one, iso_day, open_cached, open_online, stripe_id
from .documented import command
from .index import HELP
from .text_table import text_table

# The use cases are imported when a command runs: building the parser (--help, --version) stays light.
if TYPE_CHECKING:
    from ..domain.action import Action
    from ..domain.models import Coupon
    from ..services.changes import Done
    from ..services.workspace import Workspace
    from .documented import Commands


def add_parsers(sub: Commands) -> None:
    fmt = argparse.RawDescriptionHelpFormatter
    save = sub.add_parser("save", help=HELP["save"], formatter_class=fmt,
                          epilog="examples:\n  churn-console save sub_123 --offer recommended --consent call --note 'agreed on the phone'\n"
                          "  churn-console save sub_123 --coupon RETAIN25-3M --consent email\n  churn-console save sub_123 --percent 20 --months 3 --consent chat")  # fmt: skip
    save.add_argument("subscription", type=stripe_id("sub_"))
    what = save.add_mutually_exclusive_group()
    what.add_argument(
        "--offer", choices=("recommended",), default="recommended", help="the playbook's offer for this customer (default)"
    )
    what.add_argument("--coupon", metavar="ID", help="an existing coupon")
    what.add_argument("--percent", type=float, metavar="P", help="create a percent-off coupon")
    save.add_argument("--months", type=int, metavar="M", help="with --percent: repeating for M months (default: once)")
    save.add_argument(
        "--second-discount",
        action="store_true",
        help="give a discount to a customer saved with one within the playbook's window (refused otherwise)",
    )
    _consent_args(save)
    save.set_defaults(run=run_save)

    pause = sub.add_parser("pause", help=HELP["pause"], formatter_class=fmt,
                           epilog="examples:\n  churn-console pause sub_123 --months 2 --consent call\n"
                                  "  churn-console pause sub_123 --until 2027-03-01 --consent email\n"
                                  "  churn-console pause sub_123 --subscription --consent email\n"
                                  "  churn-console pause in_123 --subscription --consent call   # a failed payment")  # fmt: skip
    pause.add_argument("subscription", type=stripe_id("sub_", "in_"))
    how_long = pause.add_mutually_exclusive_group(required=True)
    how_long.add_argument("--months", type=int, choices=range(1, 13), metavar="N", help="pause collection for 1 to 12 months")
    how_long.add_argument(
        "--until",
        type=iso_day,
        metavar="YYYY-MM-DD",
        help="pause collection until that day (as the window's 'Pause until a date…')",
    )
    how_long.add_argument(
        "--subscription",
        dest="whole",
        action="store_true",
        help="a real pause: status paused, no invoices until resumed (flexible billing mode only; undo resumes it). "
        "The only pause for a failed payment (an in_… or a sub_… that `churn-console failed` lists): its invoice is "
        "marked uncollectible first (Stripe stops retrying; it can still be paid later)",
    )
    pause.add_argument(
        "--behavior", choices=PAUSE_BEHAVIORS, help="with --months or --until: what happens to invoices meanwhile (default void)"
    )
    _consent_args(pause)
    pause.set_defaults(run=run_pause)

    revoke = sub.add_parser("revoke", help=HELP["revoke"], formatter_class=fmt,
                            epilog="example:\n  churn-console revoke sub_123 --consent email")  # fmt: skip
    revoke.add_argument("subscription", type=stripe_id("sub_"))
    _consent_args(revoke)
    revoke.set_defaults(run=run_revoke)

    undo = sub.add_parser("undo", help=HELP["undo"], formatter_class=fmt,
                          epilog="example:\n  churn-console undo act_0123456789abcdef0123")  # fmt: skip
    undo.add_argument("action")
    undo.add_argument(
        "--operator", help=f"your name (default: ${OPERATOR_ENV}, else the name set in the window's Preferences, else your login)"
    )
    undo.add_argument("--confirm-live", action="store_true", help="required for actions in live mode")
    undo.set_defaults(run=run_undo)

    retry = command(sub, "retry", HELP["retry"],
                    "churn-console retry act_0123456789abcdef0123\n  churn-console retry in_0123456789   # a failed payment: charge the card now")  # fmt: skip
    retry.add_argument(
        "action",
        help="the action's id, as `churn-console journal` lists it; or a failed payment's invoice (in_…) or subscription "
        "(sub_…), as `churn-console failed` lists it: its card is charged now, unless the decline is hard and no new card "
        "came, Stripe retries within the hour, or the invoice is no longer open",
    )
    retry.add_argument("--operator", help="your name")
    retry.add_argument("--confirm-live", action="store_true", help="required for actions in live mode")
    retry.set_defaults(run=run_retry)

    journal = sub.add_parser("journal", help=HELP["journal"], formatter_class=fmt,
                             epilog="example:\n  churn-console journal --format json")  # fmt: skip
    journal.add_argument("--format", choices=("table", "json"), default="table")
    journal.add_argument("--limit", type=at_least_one, default=100, metavar="N", help="the newest N actions (default 100)")
    journal.add_argument(
        "--recover-damaged", action="store_true", help="merge back the actions of damaged journal copies kept aside"
    )
    journal.set_defaults(run=run_journal)


def _consent_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--consent", required=True, choices=CONSENT_CHANNELS, help="how the customer agreed")
    p.add_argument("--note", help="a note or ticket link")
    p.add_argument(
        "--operator", help=f"your name (default: ${OPERATOR_ENV}, else the name set in the window's Preferences, else your login)"
    )
    p.add_argument("--confirm-live", action="store_true", help="required for actions in live mode")


def _operator(args: argparse.Namespace, workspace: Workspace) -> str:
    return operator_name(args.operator, workspace.data_dir)


def _act(args: argparse.Namespace, do: Callable[[Workspace, str], Any]) -> int:
    from ..services.operations import ActionRefused

    workspace, connection = open_online(args)
    try:
        if workspace.account.livemode and not args.confirm_live:
            print(
                "churn-console: this key is in LIVE mode: add --confirm-live to change a real customer's subscription.",
                file=sys.stderr,
            )
            return 1
        action = do(workspace, _operator(args, workspace)).result  # an operation (services/operations.py), as the window runs it
        coupons = {c.id: c for c in workspace.cache.coupons()}  # the action's coupon in words, not its id
    except ActionRefused as exc:
        print(f"churn-console: refused: {exc}", file=sys.stderr)
        for field, problem in exc.problems.items():
            print(f"  {field}: {problem}", file=sys.stderr)
        return 1
    except ConsoleError as exc:
        print(f"churn-console: failed: {exc}", file=sys.stderr)
        failed = workspace.journal.in_state("failed")
        if failed and failed[-1].retryable:
            print(f"  Nothing applied twice: `churn-console retry {failed[-1].id}` sends it again safely.", file=sys.stderr)
        return 1
    finally:
        workspace.close()
        connection.close()
    if action.kind == "charge":  # a failed payment's: paid, or declined by the card's bank (exit 1)
        from .charge_outcome import say_charge

        return say_charge(action)
    if action.failed_desk:
        from .charge_outcome import say_failed_pause

        return say_failed_pause(action)
    print(_line(action, coupons))
    return 0


def run_save(args: argparse.Namespace) -> int:
    from ..domain.action import Consent
    from ..domain.offers import CouponOffer, CouponSpec, Offer
    from ..domain.queue import row_from_subscription
    from ..services import operations
    from ..services.operations import ActionRefused

    if args.months is not None and args.percent is None:
        print("churn-console: --months goes with --percent", file=sys.stderr)
        return 2

    def do(ws: Workspace, operator: str) -> Done[Action]:
        offer: Offer
        if args.coupon:
            offer = CouponOffer(coupon_id=args.coupon)
        elif args.percent is not None:
            duration = "repeating" if args.months is not None else "once"  # --months 0 is refused as such
            offer = CouponOffer(
                new_coupon=CouponSpec(percent_off=args.percent, duration=duration, duration_in_months=args.months)
            )
        else:
            sub = ws.need_gateway().subscription(args.subscription)
            row = row_from_subscription(sub, ws.account.livemode)
            if row is None:
                raise ActionRefused(f"{sub.customer_name or sub.id} is not set to cancel.", "Nothing was sent.")
            offer, _rule = ws.playbook().recommend(ws.with_saves(row), row.interval)  # no second discount
        return operations.apply_offer(
            ws, operator, args.subscription, offer, Consent(args.consent, args.note), second_discount=args.second_discount
        )

    return _act(args, do)


def run_pause(args: argparse.Namespace) -> int:
    from ..domain.action import Consent
    from ..domain.offers import PauseOffer
    from ..services import operations

    if args.whole and args.behavior:
        print(
            "churn-console pause: --behavior applies to a pause of collection (--months, --until), not --subscription",
            file=sys.stderr,
        )
        return 2
    if args.whole:
        offer = PauseOffer(pause_mode="subscription")
    elif args.until is not None:
        offer = PauseOffer.until(args.until, args.behavior or "void")  # a past day is refused before anything is sent
    else:
        offer = PauseOffer(pause_months=args.months, behavior=args.behavior or "void")
    consent = Consent(args.consent, args.note)

    def pause(ws: Workspace, who: str) -> Done[Action]:
        ref = args.subscription.strip()
        if ref.startswith("in_") or ws.cache.failed_rows(ws.cache.livemode, ref=ref):  # a failed payment's row
            if not args.whole:
                raise operations.ActionRefused(
                    f"{ref} is a failed payment: only a real pause keeps it (collection cannot be paused on a failing invoice).",
                    "Use --subscription: its invoice is marked uncollectible (still payable later) and the subscription paused.",
                )
            return operations.pause_failed(ws, who, ref, consent)
        return operations.apply_offer(ws, who, ref, offer, consent)

    return _act(args, pause)


def run_revoke(args: argparse.Namespace) -> int:
    from ..domain.action import Consent
    from ..domain.offers import RevokeOffer
    from ..services import operations

    consent = Consent(args.consent, args.note)
    return _act(args, lambda ws, who: operations.apply_offer(ws, who, args.subscription, RevokeOffer(), consent))


def run_undo(args: argparse.Namespace) -> int:
    from ..services import operations

    return _act(args, lambda ws, who: operations.undo(ws, who, args.action))


def run_retry(args: argparse.Namespace) -> int:
    from ..domain.offers import action_words
    from ..services import operations

    if args.action.startswith(("in_", "sub_")):  # a failed payment: charge it now
        return _act(args, lambda ws, who: operations.retry_payment(ws, who, args.action))

    def retry(ws: Workspace, who: str) -> Done[Action]:
        before = ws.journal.get(args.action)
        done = operations.retry(ws, who, args.action)
        if before is not None and before.state == "applied":
            what = action_words(done.result.kind, done.result.offer_code, {c.id: c for c in ws.cache.coupons()}).lower()
            print(f"Nothing to retry: {what} was already done; nothing was sent.")
        return done

    return _act(args, retry)


def _line(a: Action, coupons: Mapping[str, Coupon]) -> str:
    from ..domain.money import format_money
    from ..domain.offers import action_words

    who = a.customer_name or a.customer_id
    return (
        f"{STATE_WORDS.get(a.state, a.state)}: {action_words(a.kind, a.offer_code, coupons)} for {who} "
        f"({format_money(a.mrr_minor, a.currency)}/month, {a.subscription_id}). Action {a.id}."
    )


def run_journal(args: argparse.Namespace) -> int:
    from ..domain.offers import action_words

    workspace = open_cached(args)
    try:
        if args.recover_damaged:
            return _recover(workspace)
        actions = workspace.journal.all(limit=args.limit)
        copies = workspace.journal.damaged_copies()
        coupons = {c.id: c for c in workspace.cache.coupons()}
    finally:
        workspace.close()
    if copies:
        print(
            f"churn-console: a damaged journal copy is kept aside ({copies[0].name}); "
            "`churn-console journal --recover-damaged` merges its actions back",
            file=sys.stderr,
        )
    if args.format == "json":
        records = [
            {k: v for k, v in a.__dict__.items() if k not in ("params", "before")}
            | {"created": datetime.fromtimestamp(a.created_at, UTC).isoformat(), "row_owner": a.row_owner or None}
            for a in actions
        ]
        print(json.dumps(records, indent=2))
        return 0
    if not actions:
        print("No actions yet.")
        return 0
    rows = [
        (
            datetime.fromtimestamp(a.created_at).strftime("%Y-%m-%d %H:%M"),
            STATE_WORDS.get(a.state, a.state),
            action_words(a.kind, a.offer_code, coupons),
            a.customer_name or a.customer_id,
            a.operator_words(),
            CHANNEL_LABELS.get(a.consent_channel or "", ""),
            a.id,
        )
        for a in actions
    ]
    for line in text_table(("When", "State", "What", "Customer", "Operator", "Consent", "Action id"), rows):
        print(line)
    return 0


def _recover(workspace: Workspace) -> int:
    found = workspace.recover_damaged_journals()
    if not found:
        print("No damaged journal copies to recover.")
    for copy, count in found:
        print(f"Merged {count} action{'s' if count != 1 else ''} from {copy.name} (kept as {copy.name}.merged).")
    return 0
