"""The Recovery tab's charts (issue 34 §4): a titled plot with PNG and CSV export, and what is drawn on it: why each
recovered amount was recovered (one bar per reason, in the attribution's order), the recovery curve, and failed against
recovered by week with the rate's line."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QWidget

from ...domain.holdout import DESK, GROUP_WORDS, STRIPE
from ...domain.money import format_money, to_major
from ...domain.recovery import REASON_WORDS
from ...domain.recovery_rate import READ_AT, CurrencyFigures
from ..analytics.axes import DAY, WeekAxis, label_width
from ..analytics.charts import HEADROOM, Drawn, add_legend, clear_plot, ink, style, twin_axis
from ..chart_frame import ChartFrame, Say

BAR, CURVE, FAILED = "#2e7d32", "#1565c0", "#9e9e9e"


class RecoveryChart(ChartFrame):
    """A titled chart with its own PNG and CSV export (the numbers behind it), drawn for one currency's figures."""

    def __init__(
        self, name: str, title: str, draw: Callable[[pg.PlotWidget, CurrencyFigures], Drawn], settings: QSettings,
        say: Say, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(
            name, title, "Save this chart as an image", "the chart", settings, say, self._stem, self.save_png, parent
        )
        self.name, self._draw = name, draw
        self.figures: CurrencyFigures | None = None

    def draw(self, figures: CurrencyFigures | None) -> None:
        self.figures = figures
        self.plot.clear()
        self.drawn = self._draw(self.plot, figures) if figures is not None else None
        for button in (self.png, self.csv):
            button.setEnabled(figures is not None)

    def save_png(self, path: Path) -> None:
        if not self.grab().save(str(path), "PNG"):
            raise OSError(f"the image could not be written to {path}")

    def _stem(self) -> str | None:
        return f"recovery-{self.name}-{self.figures.currency}" if self.figures is not None else None


def by_reason(plot: pg.PlotWidget, c: CurrencyFigures) -> Drawn:
    """One horizontal bar per reason, in the attribution's order from the top: what each recovered."""
    style(plot)
    names = list(c.order)
    values = [float(to_major(c.by_reason[r], c.currency)) for r in names]
    ys = list(range(len(names)))[::-1]
    plot.addItem(pg.BarGraphItem(x0=0, y=ys, height=0.6, width=values, brush=BAR, pen=pg.mkPen(None)))
    plot.getAxis("left").setTicks([[(y, REASON_WORDS[r]) for y, r in zip(ys, names, strict=True)]])
    plot.getAxis("left").setWidth(max(label_width(REASON_WORDS[r]) for r in names) + 16)
    plot.setLabel("bottom", f"recovered ({c.currency.upper()})", color=ink().name())
    plot.setYRange(-0.6, len(names) - 0.4, padding=0)
    plot.setXRange(0, max(values, default=0) * 1.15 or 1, padding=0)
    return Drawn(
        ["reason", "invoices", "recovered_minor", "currency"],
        [[r, c.by_reason_count[r], c.by_reason[r], c.currency] for r in names],
        hover=[(y - 0.3, y + 0.3, f"{REASON_WORDS[r]}: {format_money(c.by_reason[r], c.currency)}") for y, r in zip(ys, names, strict=True)],
        horizontal=True,
    )  # fmt: skip


def curve(plot: pg.PlotWidget, c: CurrencyFigures) -> Drawn:
    """The share of what failed recovered by each day since the first failure (in progress censored), as steps."""
    style(plot)
    days = [d for d, _ in c.curve] or [0.0]
    shares = [s * 100 for _, s in c.curve] or [0.0]
    last = max(days[-1], c.followed_days)  # drawn as far as an invoice has been followed, not further
    xs, ys = [*days, last], [*shares, shares[-1]]
    plot.plot(xs, ys, stepMode="left" if len(xs) > 1 else None, pen=pg.mkPen(CURVE, width=2))
    for day in (d for d in READ_AT if d <= last):  # the rate by day N the report states, marked on the curve's axis
        plot.addItem(pg.InfiniteLine(pos=day, angle=90, pen=pg.mkPen(ink(), width=1, style=Qt.PenStyle.DotLine)))
    plot.getAxis("bottom").setTicks([[(d, str(d)) for d in (0, *READ_AT) if d <= last + 1]])
    plot.setLabel("bottom", "days since the first failure", color=ink().name())
    plot.setLabel("left", "recovered (% of what failed)", color=ink().name())
    plot.setYRange(0, 100, padding=0.02)
    plot.setXRange(0, last, padding=0.02)
    return Drawn(["days_since_first_failure", "share_recovered"], [[round(d, 2), round(s, 4)] for d, s in c.curve])


def weekly(plot: pg.PlotWidget, c: CurrencyFigures) -> Drawn:
    """By the week of the first failure: what failed and what of it was recovered (bars), and the week's rate
    (recovered ÷ (recovered + lost); none while nothing is decided) as a line on the right axis."""
    clear_plot(plot)
    weeks = c.weeks
    plot.setAxisItems({"bottom": WeekAxis([start for start, _ in weeks], offset=3.5 * DAY)})
    style(plot)
    width = 7 * DAY * 0.38
    legend = add_legend(plot, (10, 5), columns=3)
    centres = [start + 3.5 * DAY for start, _ in weeks]
    failed = [float(to_major(g.failed_minor, c.currency)) for _, g in weeks]
    recovered = [float(to_major(g.recovered_minor, c.currency)) for _, g in weeks]
    plot.addItem(pg.BarGraphItem(x=[x - width / 2 for x in centres], height=failed, width=width, brush=FAILED, name="failed"))
    plot.addItem(pg.BarGraphItem(x=[x + width / 2 for x in centres], height=recovered, width=width, brush=BAR, name="recovered"))
    plot.setLabel("left", c.currency.upper())
    plot.setYRange(0, max(max(failed, default=0), 1) * HEADROOM, padding=0)
    twin = twin_axis(plot)
    plot.getAxis("right").setLabel("rate (recovered ÷ decided)")
    rates = [math.nan if g.rate is None else g.rate * 100 for _, g in weeks]
    if any(not math.isnan(r) for r in rates):
        line = pg.PlotDataItem(
            centres, rates, pen=pg.mkPen(CURVE, width=2), connect="finite", symbol="o", symbolSize=4, symbolBrush=CURVE
        )
        twin.addItem(line)
        legend.addItem(line, "rate")
    drawn = Drawn(
        ["week", "failed", "recovered", "failed_minor", "recovered_minor", "in_progress_minor", "lost_minor", "rate", "currency"]
    )
    for x, (start, g) in zip(centres, weeks, strict=True):
        day = datetime.fromtimestamp(start, UTC)
        rate = "" if g.rate is None else round(g.rate, 4)
        drawn.rows.append([day.date().isoformat(), g.failed, g.recovered, g.failed_minor, g.recovered_minor,
                           g.in_progress_minor, g.lost_minor, rate, c.currency])  # fmt: skip
        said = "nothing decided yet" if g.rate is None else f"rate {g.rate:.0%}"
        drawn.hover.append(
            (x - 3.5 * DAY, x + 3.5 * DAY,
             f"Week of {day:%d %b %Y}: {g.failed} failed ({format_money(g.failed_minor, c.currency)}), "
             f"{format_money(g.recovered_minor, c.currency)} recovered, {format_money(g.in_progress_minor, c.currency)} "
             f"in progress; {said}")
        )  # fmt: skip
    return drawn


def by_decline(plot: pg.PlotWidget, c: CurrencyFigures) -> Drawn:
    """By the first decline's code: what failed and what of it was recovered, side by side (a code never read: the
    invoice ended before the first sync)."""
    clear_plot(plot)
    style(plot)
    plot.showGrid(x=True, y=False, alpha=0.2)
    codes = sorted(c.by_decline, key=lambda code: -c.by_decline[code].failed_minor)
    ys = list(range(len(codes)))[::-1]  # the largest failed amount on top
    failed = [float(to_major(c.by_decline[code].failed_minor, c.currency)) for code in codes]
    recovered = [float(to_major(c.by_decline[code].recovered_minor, c.currency)) for code in codes]
    add_legend(plot, (-10, -10))
    plot.addItem(pg.BarGraphItem(x0=0, y=[y + 0.18 for y in ys], height=0.34, width=failed, brush=FAILED, name="failed"))
    plot.addItem(pg.BarGraphItem(x0=0, y=[y - 0.18 for y in ys], height=0.34, width=recovered, brush=BAR, name="recovered"))
    words = {code: "not read" if code == "unknown" else code for code in codes}
    plot.getAxis("left").setTicks([[(y, words[code]) for y, code in zip(ys, codes, strict=True)]])
    plot.getAxis("left").setWidth(max((label_width(w) for w in words.values()), default=40) + 16)
    plot.setLabel("bottom", c.currency.upper(), color=ink().name())
    plot.setYRange(-0.6, max(len(codes), 1) - 0.4, padding=0)
    plot.setXRange(0, max(failed, default=0) * 1.1 or 1, padding=0)
    drawn = Drawn(["decline_code", "failed", "recovered", "failed_minor", "recovered_minor", "rate", "currency"], horizontal=True)
    for y, code in zip(ys, codes, strict=True):
        g = c.by_decline[code]
        drawn.rows.append(
            [
                code,
                g.failed,
                g.recovered,
                g.failed_minor,
                g.recovered_minor,
                "" if g.rate is None else round(g.rate, 4),
                c.currency,
            ]
        )
        said = "nothing decided yet" if g.rate is None else f"rate {g.rate:.0%}"
        drawn.hover.append((y - 0.4, y + 0.4, f"{words[code]}: {format_money(g.failed_minor, c.currency)} failed, "
                            f"{format_money(g.recovered_minor, c.currency)} recovered; {said}"))  # fmt: skip
    return drawn


def holdout(plot: pg.PlotWidget, c: CurrencyFigures) -> Drawn:
    """The hold-out: each group's recovery rate (recovered of decided invoices) with its Wilson 95% interval; the
    difference and Newcombe's interval are said in the tab's line and the report."""
    clear_plot(plot)
    style(plot)
    arms = [(GROUP_WORDS[g], c.groups[g].arm()) for g in (STRIPE, DESK)]
    xs = [0, 1]
    rates = [(a.rate or 0.0) * 100 for _, a in arms]
    plot.addItem(pg.BarGraphItem(x=xs, height=rates, width=0.5, brushes=[FAILED, BAR]))
    lows = [(a.rate or 0.0) * 100 - a.interval()[0] * 100 for _, a in arms]
    highs = [a.interval()[1] * 100 - (a.rate or 0.0) * 100 for _, a in arms]
    shown = [a.decided > 0 for _, a in arms]
    plot.addItem(
        pg.ErrorBarItem(
            x=np.array([x for x, s in zip(xs, shown, strict=True) if s], dtype=float),
            y=np.array([r for r, s in zip(rates, shown, strict=True) if s], dtype=float),
            bottom=np.array([v for v, s in zip(lows, shown, strict=True) if s], dtype=float),
            top=np.array([v for v, s in zip(highs, shown, strict=True) if s], dtype=float),
            beam=0.15, pen=pg.mkPen(ink()),
        )
    )  # fmt: skip
    plot.getAxis("bottom").setTicks(
        [[(x, f"{name}: {a.recovered} of {a.decided}") for x, (name, a) in zip(xs, arms, strict=True)]]
    )
    plot.setLabel("left", "recovered (% of decided invoices)", color=ink().name())
    plot.setYRange(0, 100, padding=0.02)
    plot.setXRange(-0.6, 1.6, padding=0)
    drawn = Drawn(["group", "decided", "recovered", "in_progress", "rate", "low_95", "high_95"])
    for x, (name, a) in zip(xs, arms, strict=True):
        low, high = a.interval()
        drawn.rows.append([name, a.decided, a.recovered, a.in_progress, "" if a.rate is None else round(a.rate, 4),
                           round(low, 4), round(high, 4)])  # fmt: skip
        said = "nothing decided yet" if a.rate is None else f"{a.rate:.0%} (95%: {low:.0%} to {high:.0%})"
        drawn.hover.append(
            (x - 0.3, x + 0.3, f"{name}: {a.recovered} of {a.decided} decided recovered, {said}; {a.in_progress} in progress")
        )
    return drawn
