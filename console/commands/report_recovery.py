"""`churn-console report --recovery`: what failed, what was recovered and why, per currency (table, CSV, JSON)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.holdout import DESK, STRIPE
from ..domain.money import format_money
from ..domain.recovery import REASON_WORDS
from ..domain.recovery_rate import READ_AT, by_day_words, lift_words
from ..domain.text import csv_row
from .text_table import text_table

if TYPE_CHECKING:
    from ..domain.recovery_rate import CurrencyFigures, Group, RecoveryFigures

DECLINE_WORDS = {"unknown": "not read (ended before the first sync)"}  # no decline is read for a closed invoice
LOST_WORDS = {"uncollectible": "written off", "void": "voided", "canceled": "canceled at the last attempt"}


def _day(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _group(g: Group) -> dict[str, Any]:
    return {
        "failed": g.failed, "recovered": g.recovered, "failed_minor": g.failed_minor,
        "recovered_minor": g.recovered_minor, "in_progress_minor": g.in_progress_minor, "lost_minor": g.lost_minor,
        "rate": g.rate,
    }  # fmt: skip


def recovery_data(fig: RecoveryFigures) -> dict[str, Any]:
    """The JSON: per currency `failed_minor`, `recovered_minor`, `in_progress_minor`, `lost_minor`, `rate` and
    `by_reason` (reason → `recovered_minor`), and the rest (docs/cli.md#recovery)."""
    return {
        "since": _day(fig.since),
        "until": _day(fig.until - 1),
        "attribution": {"order": list(fig.order), "link_window_days": fig.window_days},
        "holdout": {
            "percent": fig.holdout_percent,
            "since": None if fig.holdout_since is None else datetime.fromtimestamp(fig.holdout_since, UTC).isoformat(),
        },
        "currencies": {
            c.currency: _group(c.total)
            | {
                "by_reason": {r: {"recovered_minor": c.by_reason[r], "invoices": c.by_reason_count[r]} for r in fig.order},
                "rate_by_day": {str(d): c.at_day.get(d) for d in READ_AT},
                "invoices_by_day": {str(d): c.at_day_invoices.get(d, 0) for d in READ_AT},
                "median_days_to_recover": c.median_days,
                "by_decline_code": {code: _group(g) for code, g in sorted(c.by_decline.items())},
                "by_rep": dict(sorted(c.by_rep.items())),
                "lost_by": dict(sorted(c.lost_by.items())),
                "holdout": _lift(c),
            }
            for c in fig.currencies
        },
    }


def _lift(c: CurrencyFigures) -> dict[str, Any]:
    """The hold-out's comparison: each group's invoices (decided, recovered, in progress) and amounts, the difference
    in recovery rate (desk − Stripe alone) with Newcombe's 95% interval, and the verdict in words."""
    lift = c.lift()
    return {
        "left_to_stripe": _group(c.groups[STRIPE]),
        "desk": _group(c.groups[DESK]),
        "difference": lift.difference, "low_95": lift.low, "high_95": lift.high, "verdict": lift.verdict,
    }  # fmt: skip


def recovery_table(fig: RecoveryFigures) -> list[str]:
    lines = [
        f"Failed payments first failed {_day(fig.since)} to {_day(fig.until - 1)}: recovered ÷ (recovered + lost), "
        "in progress apart, hard declines included",
        f"  Each recovered invoice has one reason, the first that applies in this order (a new card within "
        f"{fig.window_days} days of a rep's link is the link's):",
        "  " + " → ".join(REASON_WORDS[r] for r in fig.order),
    ]
    if not fig.currencies:
        return [*lines, "", "  No payment failed in this period (or nothing is synced yet: `churn-console sync`)."]
    for c in fig.currencies:
        lines += ["", *_currency(c, fig.order)]
    return lines


def _currency(c: CurrencyFigures, order: tuple[str, ...]) -> list[str]:
    cur, t = c.currency, c.total

    def money(v: int) -> str:
        return format_money(v, cur)

    median = "—" if c.median_days is None else f"{c.median_days:.1f} days"
    by_day = by_day_words(c, ", ", digits=1)  # the table's rates have one decimal
    out = [
        f"{cur.upper()}: {t.failed} failed ({money(t.failed_minor)}): recovered {money(t.recovered_minor)}, "
        f"lost {money(t.lost_minor)}, in progress {money(t.in_progress_minor)}; rate {_rate(t.rate)}",
        f"  Recovered by: {by_day}. Median time to recover: {median}.",
        *text_table(
            ("Reason", "Invoices", "Recovered"),
            [(REASON_WORDS[r], str(c.by_reason_count[r]), money(c.by_reason[r])) for r in order],
            right={1, 2},
            indent="  ",
        ),  # fmt: skip
        *text_table(
            ("Decline", "Failed", "Recovered", "Rate"),
            [
                (DECLINE_WORDS.get(code, code), money(g.failed_minor), money(g.recovered_minor), _rate(g.rate))
                for code, g in sorted(c.by_decline.items())
            ],
            right={1, 2, 3},
            indent="  ",
        ),  # fmt: skip
    ]
    if c.by_rep:
        out.append("  By rep: " + ", ".join(f"{rep} {money(v)}" for rep, v in sorted(c.by_rep.items())))
    if c.lost_by:
        out.append("  Lost: " + ", ".join(f"{LOST_WORDS.get(k, k)} {money(v)}" for k, v in sorted(c.lost_by.items())))
    out.append(f"  Hold-out: {lift_words(c)}")
    return out


def recovery_csv(fig: RecoveryFigures) -> str:
    """One row per currency and reason (the attribution), then the currency's totals: amounts in minor units."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["currency", "reason", "invoices", "recovered_minor", "failed_minor", "in_progress_minor", "lost_minor", "rate"])
    for c in fig.currencies:
        for r in fig.order:
            w.writerow(csv_row([c.currency, r, c.by_reason_count[r], c.by_reason[r], "", "", "", ""]))
        t = c.total
        rate = "" if t.rate is None else f"{t.rate:.4f}"
        w.writerow(
            csv_row(
                [c.currency, "total", t.recovered, t.recovered_minor, t.failed_minor, t.in_progress_minor, t.lost_minor, rate]
            )
        )
    return out.getvalue()
