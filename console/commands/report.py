"""`churn-console report`: the outcome figures from the local cache (offline), as a table, JSON, CSV or charts."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.text import csv_row
from .common import open_cached
from .index import HELP
from .text_table import text_table

if TYPE_CHECKING:  # the report's figures load when the command runs, not for --help
    from ..services.outcomes_report import Report
    from .documented import Commands


def add_parsers(sub: Commands) -> None:
    p = sub.add_parser(
        "report",
        help=HELP["report"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  churn-console --demo report\n  churn-console report --since 2026-09-01 --format json\n"
        "  churn-console report --by reason --value\n  churn-console report --png charts/\n"
        "  churn-console report --recovery --format json",
    )
    p.add_argument("--since", type=_date, help="first day (default: 12 weeks ago)")
    p.add_argument("--until", type=_date, help="last day (default: today)")
    p.add_argument("--currency", help="only this currency (e.g. usd)")
    p.add_argument("--format", choices=("table", "json", "csv"), default="table")
    p.add_argument("--png", metavar="DIR", help="also render each chart to a PNG in DIR (no screen needed)")
    p.add_argument(
        "--by",
        choices=("offer", "reason", "owner"),
        help="group the saves by offer, reason or who saved them (with --value: what each group's saves earned)",
    )
    p.add_argument(
        "--value",
        action="store_true",
        help="what saves were worth: collected after the save, discount given, payback (CSV: one row per group and currency)",
    )
    p.add_argument(
        "--recovery",
        action="store_true",
        help="failed payments instead: failed, recovered (each invoice credited to one reason), lost and in progress, "
        "the rate by day 7/14/30/60, by decline code and by rep, per currency",
    )
    p.set_defaults(run=run_report)


def _date(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-01") from None


def _span(args: argparse.Namespace) -> tuple[int, int]:
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    until = (args.until or today) + timedelta(days=1)
    since = args.since or (today - timedelta(weeks=12))
    if since >= until:
        raise SystemExit("churn-console: --since must be before --until")
    return int(since.timestamp()), int(until.timestamp())


def run_recovery(args: argparse.Namespace) -> int:
    """`report --recovery`: the failed payments' figures (services/recovery_report.py), as the window shows them."""
    from ..services.recovery_report import recovery_report
    from . import report_recovery

    if args.by or args.value or args.png:
        print("churn-console report: --recovery goes with --since, --until, --currency and --format only", file=sys.stderr)
        return 2
    start, end = _span(args)
    workspace = open_cached(args, check=False)
    try:
        cache, journal, now = workspace.cache, workspace.journal, int(datetime.now(UTC).timestamp())
        currency = args.currency.lower() if args.currency else None
        book = workspace.playbook()
        fig = cache.read_checked(lambda: recovery_report(cache, journal, start, end, now, currency=currency, playbook=book))
    finally:
        workspace.close()
    if args.format == "json":
        print(json.dumps(report_recovery.recovery_data(fig), indent=2))
    elif args.format == "csv":
        sys.stdout.write(report_recovery.recovery_csv(fig))
    else:
        sys.stdout.write("\n".join(report_recovery.recovery_table(fig)) + "\n")
    return 0


def make_report(args: argparse.Namespace) -> Report:
    from ..services.outcomes_report import outcome_report

    workspace = open_cached(args, check=False)  # a read only: checked beside it (Cache.read_checked)
    try:
        start, end = _span(args)
        currency = args.currency.lower() if args.currency else None
        cache = workspace.cache
        playbook = workspace.playbook()
        if note := workspace.unfinished_sync():  # on stderr: the report's own output stays whole (JSON, CSV)
            print(f"churn-console: report: {note}", file=sys.stderr)
        ledger = args.format == "json" or bool(args.value or args.by or args.png)  # what shows a save's value
        return cache.read_checked(lambda: outcome_report(cache, start, end, currency, playbook=playbook, ledger=ledger))
    finally:
        workspace.close()


def run_report(args: argparse.Namespace) -> int:
    from . import report_value  # its money formatting (babel) loads when a report is printed, not for --help

    if args.recovery:
        return run_recovery(args)
    report = make_report(args)
    by = args.by or "offer"
    if args.format == "json":
        print(json.dumps(as_data(report) | report_value.value_data(report), indent=2))
    elif args.format == "csv":
        sys.stdout.write(report_value.value_csv(report, by) if args.value else as_csv(report))
    else:
        sys.stdout.write(as_table(report))
        extra = ["", *report_value.survival_table(report), *report_value.experiments_table(report)]
        if args.value or args.by:
            extra += ["", *(report_value.value_table(report, by) if args.value else report_value.by_table(report, by))]
        sys.stdout.write("\n".join(extra) + "\n")
    if args.png:
        from ..ui.analytics.render import render_pngs  # Qt only when charts are asked for

        for path in render_pngs(report, Path(args.png)):
            print(f"wrote {path}", file=sys.stderr)
    return 0


def as_data(r: Report) -> dict[str, Any]:
    return {
        "since": datetime.fromtimestamp(r.since, UTC).date().isoformat(),
        "until": datetime.fromtimestamp(r.until - 1, UTC).date().isoformat(),
        "currency": r.currency,
        "counts": r.counts(),
        "save_rate": r.save_rate,  # the desk's: customers' own revokes are apart (counts.saved_customer)
        "mrr_saved_minor": r.mrr_saved(),
        "weeks": [
            {**asdict(w), "start": datetime.fromtimestamp(w.start, UTC).date().isoformat(), "save_rate": w.save_rate}
            for w in r.weeks
        ],
        "by_reason": [{**asdict(x), "rate": x.rate} for x in r.reasons],
        "mrr_kept": {cur: [[datetime.fromtimestamp(t, UTC).isoformat(), v] for t, v in pts] for cur, pts in r.mrr_kept.items()},
        "offers": [
            {
                "offer": o.offer,
                "accepted": o.accepted,
                "late_losses": o.late_losses,
                "retained": {str(d): list(v) for d, v in o.retained.items()},
            }
            for o in r.offers
        ],
        "coverage_note": r.coverage_note,
    }


def as_csv(r: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["week", "intents", "saved_by_desk", "revoked_by_customer", "lost", "pending", "desk_save_rate", "desk_save_rate_4w"]
    )
    for w in r.weeks:
        writer.writerow(
            csv_row(
                [
                    datetime.fromtimestamp(w.start, UTC).date().isoformat(),
                    w.intents,
                    w.saves,
                    w.revoked,
                    w.losses,
                    w.pending,
                    "" if w.save_rate is None else f"{w.save_rate:.4f}",
                    "" if w.rolling_rate is None else f"{w.rolling_rate:.4f}",
                ]
            )
        )
    return out.getvalue()


def as_table(r: Report) -> str:
    from ..domain.money import format_totals

    c = r.counts()
    rate = "—" if r.save_rate is None else f"{r.save_rate:.0%}"
    lines = [
        f"From {datetime.fromtimestamp(r.since, UTC):%d %b %Y} to {datetime.fromtimestamp(r.until - 1, UTC):%d %b %Y}"
        + (f" ({r.currency.upper()})" if r.currency else ""),
        "",
        *_figures(
            [
                ("Cancellation intents", str(c["intents"])),
                ("  saved by the desk (an operator's offer)", str(c["saved_operator"])),
                ("  revoked by the customer on their own", str(c["saved_customer"])),
                ("  churned", str(c["churned"])),
                ("  still pending", str(c["pending"])),
                ("Desk save rate (saved by the desk, of those it saved or churned)", rate),
                ("Late losses (saved, then ended within 90 days)", str(c["late_losses"])),
                ("MRR kept", format_totals(r.mrr_saved())),
            ]
        ),
        "",
        "By reason (the desk's save rate; customers' own revokes apart)",
        *text_table(
            ("Reason", "n", "Saved", "Rate", "95% interval", "Revoked on their own"),
            [
                (
                    x.label,
                    str(x.n),
                    str(x.saves),
                    f"{x.rate:.0%}" if x.n else "—",
                    f"{x.low:.0%}–{x.high:.0%}" if x.n else "—",
                    str(x.revoked),
                )
                for x in r.reasons
            ],  # fmt: skip
            right={1, 2, 3, 5},
            indent="  ",
        ),
    ]
    if r.coverage_note:
        lines += ["", f"Note: {r.coverage_note}"]
    return "\n".join(lines) + "\n"


def _figures(pairs: list[tuple[str, str]]) -> list[str]:
    width = max(len(label) for label, _ in pairs)
    return [f"{label.ljust(width)}  {value}" for label, value in pairs]
