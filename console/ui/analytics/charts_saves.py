"""The charts of what followed saves: survival curves by offer (Kaplan–Meier) and what saves earned by offer."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from ...domain.money import format_money, to_major
from ...domain.text import no_reordering
from ...services.outcomes_report import MIN_AT_RISK, OFFER_WORDS, READ_AT, Report
from .axes import room_for_labels
from .charts import HEADROOM, SAVED, Drawn, add_legend, clear_plot, ink, style

CURVE_COLOURS = {"coupon": "#ef6c00", "pause": "#1565c0", "revoke": "#6a1b9a", "self": "#2e7d32"}
COST = "#ef6c00"


def survival(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Still subscribed, day by day after the save, one step curve per offer with its 95% band; a curve stops
    where its longest-followed save stops (nothing is drawn past what is known)."""
    clear_plot(plot)
    style(plot)
    plot.showGrid(x=True, y=True, alpha=0.2)
    add_legend(plot, (-10, 5))  # above 100 %: the named curves enter it, and it never hides one
    drawn = Drawn(["offer", "day", "still_subscribed", "low_95", "high_95", "at_risk", "ended_that_day", "censored_that_day"])
    longest = 30.0
    for curve in report.survival:
        for s in curve.steps:  # the whole estimate in the CSV, the part past the drawn curve included
            drawn.rows.append([curve.offer, round(s.t, 2), round(s.survival, 4), round(s.low, 4), round(s.high, 4),
                               s.at_risk, s.lost, s.censored])  # fmt: skip
        if not curve.shown:
            continue  # fewer than MIN_AT_RISK saves followed from the start: nothing to draw
        colour = QColor(CURVE_COLOURS.get(curve.offer, "#5d4037"))
        xs = [0.0] + [s.t for s in curve.shown]  # ends where fewer than MIN_AT_RISK saves are still followed
        ys = [100.0] + [s.survival * 100 for s in curve.shown]
        lows = [100.0] + [s.low * 100 for s in curve.shown]
        highs = [100.0] + [s.high * 100 for s in curve.shown]
        longest = max(longest, xs[-1])
        band = QColor(colour)
        band.setAlpha(60)
        edge = pg.mkPen(band, width=1)  # PlotCurveItems: a fill needs their paths (a pen-less PlotDataItem has none)
        upper = pg.PlotCurveItem(*_steps(xs, highs), pen=edge)
        lower = pg.PlotCurveItem(*_steps(xs, lows), pen=edge)
        plot.addItem(upper)
        plot.addItem(lower)
        plot.addItem(pg.FillBetweenItem(upper, lower, brush=pg.mkBrush(band)))
        words = OFFER_WORDS.get(curve.offer, curve.offer)
        at90 = curve.at(90)
        said = f"{at90:.0%} at day 90" if at90 is not None else "not followed 90 days yet"
        plot.plot(*_steps(xs, ys), pen=pg.mkPen(colour, width=2.5), name=f"{words} ({curve.saves} saves): {said}")
    plot.setLabel("bottom", "Days since the save")
    plot.setLabel("left", "Still subscribed")
    plot.setXRange(0, longest * 1.02, padding=0)
    plot.setYRange(0, 100 * HEADROOM, padding=0)
    plot.getAxis("left").setTicks([[(v, f"{v}%") for v in range(0, 101, 20)]])
    for day in range(0, int(longest) + 1):
        lines = []
        for curve in report.survival:
            value = curve.at(day)
            if value is not None:
                lines.append(f"{OFFER_WORDS.get(curve.offer, curve.offer)}: {value:.0%} still subscribed")
        if lines:
            drawn.hover.append((day - 0.5, day + 0.5, f"Day {day} after the save\n" + "\n".join(lines)))
    if not report.survival:
        drawn.note = "No saves in this range yet."
    else:
        drawn.note = (
            "Shaded: 95% interval. A save still running counts until today, then leaves the curve (censored). "
            f"Each curve ends where fewer than {MIN_AT_RISK} saves are still followed (the CSV has the rest). " + _read_at(report)
        )
    return drawn


def _steps(xs: list[float], ys: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """A survival curve holds its value until the next loss: (x0,y0) (x1,y0) (x1,y1) …"""
    sx, sy = [xs[0]], [ys[0]]
    for x, y in zip(xs[1:], ys[1:], strict=True):
        sx += [x, x]
        sy += [sy[-1], y]
    return np.array(sx), np.array(sy)


def _read_at(report: Report) -> str:
    parts = []
    for curve in report.survival:
        known = [(d, curve.at(d)) for d in READ_AT if curve.at(d) is not None]
        if known:
            day, value = known[-1]
            parts.append(f"{OFFER_WORDS.get(curve.offer, curve.offer)} {value:.0%} at day {day}")
    return ("Read: " + ", ".join(parts) + ".") if parts else ""


def value(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Per offer, in one currency: what the saves collected (net of the discount) beside the discount they
    were given; saves too recent to tell are counted, never projected."""
    clear_plot(plot)
    style(plot)
    plot.showGrid(x=True, y=False, alpha=0.2)
    drawn = Drawn(
        ["offer", "currency", "saves", "known", "too_recent", "collected_minor", "discount_cost_minor", "median_payback_days"],
        horizontal=True,
    )
    rows = report.value.get("offer", [])
    currency = report.currency or _main_currency(report)
    legend = add_legend(plot, (-10, -10))  # bottom right: the shortest bars are there
    if currency is None:
        drawn.note = "No save has had an invoice come due yet: nothing to tell."
        return drawn
    shown = [r for r in rows if r.saves]
    ys = list(range(len(shown) - 1, -1, -1))
    collected = [float(to_major(r.collected.get(currency, 0), currency)) for r in shown]
    cost = [float(to_major(r.discount_cost.get(currency, 0), currency)) for r in shown]
    if shown:
        kept = pg.BarGraphItem(x0=0, width=collected, y=[y + 0.17 for y in ys], height=0.32, brush=SAVED)
        given = pg.BarGraphItem(x0=0, width=cost, y=[y - 0.17 for y in ys], height=0.32, brush=COST)
        plot.addItem(kept)
        plot.addItem(given)
        legend.addItem(kept, "collected after the save")
        legend.addItem(given, "discount given")
    top = max([*collected, *cost, 1.0])
    ends = []
    for y, r, c, d in zip(ys, shown, collected, cost, strict=True):
        unsure = r.too_recent + r.unread
        said = f"  {r.known} of {r.saves} known" + (f" · {unsure} too recent" if unsure else "")
        text = pg.TextItem(said, color=ink(), anchor=(0, 0.5))
        text.setPos(max(c, d), y)
        plot.addItem(text)
        ends.append((max(c, d), said))
        payback = "—" if r.median_payback is None else f"{r.median_payback:.0f} days"
        drawn.rows.append(
            [r.key, currency, r.saves, r.known, unsure, r.collected.get(currency, 0), r.discount_cost.get(currency, 0),
             "" if r.median_payback is None else r.median_payback]
        )  # fmt: skip
        drawn.hover.append(
            (
                y - 0.45,
                y + 0.45,
                f"{r.label}: {r.saves} saves, {r.known} with invoices since\n"
                f"Collected: {format_money(r.collected.get(currency, 0), currency)}, discount given: "
                f"{format_money(r.discount_cost.get(currency, 0), currency)}\nPayback (median): {payback}; "
                f"failed payments since: {r.failed_payments}",
            )
        )
    plot.getAxis("left").setTicks([[(y, no_reordering(r.label)) for y, r in zip(ys, shown, strict=True)]])  # anyone's words
    room_for_labels(plot, ends, floor=top * 1.05)  # each "n of m known" whole right of its bars, at any width
    plot.setYRange(-0.6, max(len(shown) - 0.4, 0.4), padding=0)
    plot.setLabel("bottom", f"{currency.upper()} since the save")
    others = sorted({c for r in rows for c in r.collected} - {currency})
    notes = ["Observed only: a save with no invoice due since is too recent to tell."]
    if others and report.currency is None:
        notes.append(f"{currency.upper()} shown; choose a currency above for {', '.join(c.upper() for c in others)}.")
    drawn.note = " ".join(notes)
    return drawn


def _main_currency(report: Report) -> str | None:
    """The currency with the most saves whose value is known (money is never summed across currencies)."""
    counts = Counter(s.value.currency for s in report.saves if s.value is not None and s.value.known)
    return counts.most_common(1)[0][0] if counts else None
