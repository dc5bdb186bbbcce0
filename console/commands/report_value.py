"""`churn-console report`'s sections on what saves were worth, whether they lasted, and the offer experiments."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..domain.money import format_totals
from ..domain.text import csv_row
from .text_table import text_table

if TYPE_CHECKING:
    from ..services.outcomes_report import Report, ValueRow

BY_WORDS = {"offer": "offer", "reason": "reason", "owner": "who saved it"}


def _payback(row: ValueRow) -> str:
    days = row.median_payback
    return "—" if days is None else f"{days:.0f} days"


def _per_save(row: ValueRow) -> str:
    found = {cur: row.per_save(cur) for cur in sorted(row.collected)}
    return format_totals({c: v for c, v in found.items() if v is not None})


def value_table(r: Report, by: str) -> list[str]:
    rows = r.value.get(by, [])
    lines = [
        f"What saves were worth, by {BY_WORDS[by]} (collected by Stripe after the save, net of the discount; "
        "observed only, never projected)",
        *text_table(
            (
                "Group",
                "Saves",
                "Known",
                "Too recent",
                "Collected",
                "Discount given",
                "Per known save",
                "Payback (median)",
                "Failed payments",
            ),
            [
                (
                    x.label,
                    str(x.saves),
                    str(x.known),
                    str(x.too_recent + x.unread),
                    format_totals(x.collected),
                    format_totals(x.discount_cost),
                    _per_save(x),
                    _payback(x),
                    str(x.failed_payments),
                )
                for x in rows
            ],  # fmt: skip
            right={1, 2, 3, 7, 8},
            indent="  ",
        ),
    ]
    notes = []
    if r.too_recent_saves:
        notes.append(f"{r.too_recent_saves} saves are too recent to tell: no invoice has come due since.")
    if r.unread_saves:
        notes.append(
            f"{r.unread_saves} saves have no invoices read yet: run `churn-console sync` (the key needs Invoices: Read)."
        )
    return lines + [f"  {n}" for n in notes]


def by_table(r: Report, by: str) -> list[str]:
    """Without --value: each group's saves, second asks and losses."""
    return [
        f"Saves by {BY_WORDS[by]}",
        *text_table(
            ("Group", "Saves", "Asked to cancel again", "Ended since"),
            [(x.label, str(x.saves), str(x.asked_again), str(x.ended)) for x in r.value.get(by, [])],
            right={1, 2, 3},
            indent="  ",
        ),
    ]


def survival_table(r: Report) -> list[str]:
    from ..services.outcomes_report import OFFER_WORDS, READ_AT

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    return [
        "Did saves last (Kaplan–Meier: still subscribed after the save; saves still running are censored)",
        *text_table(
            (
                "Offer",
                "Saves",
                *(f"Day {d}" for d in READ_AT),
                "Asked again",
                "…after the offer ended",
                "Ended",
                "Within 90 days",
            ),
            [
                (
                    OFFER_WORDS.get(c.offer, c.offer),
                    str(c.saves),
                    *(share(c.at(d)) for d in READ_AT),
                    str(c.asked_again),
                    str(c.asked_again_after_offer),
                    str(c.lost),
                    str(c.late_losses),
                )
                for c in r.survival
            ],  # fmt: skip
            right=set(range(1, 9)),
            indent="  ",
        ),
        "  — : no save of that offer has been followed that long yet.",
    ]


def experiments_table(r: Report) -> list[str]:
    lines: list[str] = []
    for e in r.experiments:
        lines += [
            "",
            f"Experiment {e.name} (since {e.started}){': ' + e.note if e.note else ''}",
            *text_table(
                ("Offer", "In words", "Customers", "Saved", "Save rate", "Collected so far"),
                [
                    (
                        a.label,
                        e.words.get(a.label, a.offer_code),
                        str(a.customers),
                        str(a.saved),
                        "—" if a.rate is None else f"{a.rate:.0%}",
                        format_totals(e.collected.get(a.label, {})),
                    )
                    for a in e.arms
                ],  # fmt: skip
                right={2, 3, 4},
                indent="  ",
            ),
            *(f"  {v.words}" for v in e.verdicts),
        ]
        if e.pending:
            lines.append(f"  {e.pending} more customers in it are still undecided.")
        if e.off_offer:
            lines.append(f"  {e.off_offer} saves were made with another offer than the one assigned (counted as assigned).")
    return lines


def value_data(r: Report) -> dict[str, Any]:
    """The JSON form of the sections."""
    return {
        "value": {
            by: [
                {
                    "key": x.key,
                    "label": x.label,
                    "saves": x.saves,
                    "known": x.known,
                    "too_recent": x.too_recent,
                    "unread": x.unread,
                    "collected_minor": x.collected,
                    "discount_cost_minor": x.discount_cost,
                    "failed_payments": x.failed_payments,
                    "median_payback_days": x.median_payback,
                }
                for x in rows
            ]
            for by, rows in r.value.items()
        },  # fmt: skip
        "survival": [
            {
                "offer": c.offer,
                "saves": c.saves,
                "asked_again": c.asked_again,
                "asked_again_after_offer": c.asked_again_after_offer,
                "ended_after_offer": c.lost_after_offer,
                "ended": c.lost,
                "late_losses": c.late_losses,
                "curve": [[round(s.t, 3), round(s.survival, 4), round(s.low, 4), round(s.high, 4), s.at_risk] for s in c.steps],
            }
            for c in r.survival
        ],  # fmt: skip
        "experiments": [
            {
                "name": e.name,
                "started": e.started,
                "pending": e.pending,
                "off_offer": e.off_offer,
                "arms": [{"label": a.label, "offer": a.offer_code, "customers": a.customers, "saved": a.saved} for a in e.arms],
                "collected_minor": e.collected,
                "verdicts": [
                    {
                        "arm": v.arm,
                        "control": v.control,
                        "difference": v.difference,
                        "low_95": v.low,
                        "high_95": v.high,
                        "needed_per_offer": v.needed,
                        "more_needed_per_offer": v.more,
                        "words": v.words,
                    }
                    for v in e.verdicts
                ],
            }
            for e in r.experiments
        ],  # fmt: skip
        "saves": [
            {
                "subscription_id": s.outcome.subscription_id,
                "saved_at": datetime.fromtimestamp(s.saved_at, UTC).isoformat(),
                "offer": s.outcome.offer_code or s.offer,
                "currency": s.outcome.currency,
                "collected_minor": None if s.value is None else s.value.collected,
                "discount_cost_minor": None if s.value is None else s.value.discount_cost,
                "invoices_paid": None if s.value is None else s.value.invoices_paid,
                "failed_payments": None if s.value is None else s.value.failed_payments,
                "known": None if s.value is None else s.value.known,
                "payback_days": None if s.value is None else s.value.payback_days,
                "asked_again_at": _iso(s.asked_again_at),
                "ended_at": _iso(s.lost_at),
            }
            for s in r.saves
        ],
    }


def _iso(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()


def value_csv(r: Report, by: str) -> str:
    """One row per group and currency (money never summed across currencies)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["group", "label", "currency", "saves", "known", "too_recent", "unread", "collected_minor",
                     "discount_cost_minor", "per_known_save_minor", "median_payback_days", "failed_payments"])  # fmt: skip
    for x in r.value.get(by, []):
        for cur in sorted(x.currencies | set(x.collected)):  # a save's currency is known before its invoices are read
            writer.writerow(
                csv_row(
                    [
                        x.key,
                        x.label,
                        cur,
                        x.saves,
                        x.known,
                        x.too_recent,
                        x.unread,
                        x.collected.get(cur, ""),
                        x.discount_cost.get(cur, ""),
                        x.per_save(cur) if cur else "",
                        x.median_payback or "",
                        x.failed_payments,
                    ]
                )  # fmt: skip
            )
    return out.getvalue()
