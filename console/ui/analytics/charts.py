"""Draw the four outcome charts on pyqtgraph plots; each returns its data as rows for CSV and hover texts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from ...analytics.report import RETENTION_DAYS, Report
from ...domain.feedback import SHORT_LABELS
from ...domain.money import format_money, to_major

SAVED, LOST, PENDING, RATE = "#2e7d32", "#c62828", "#9e9e9e", "#1565c0"
CURRENCY_COLOURS = ("#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037")


MIN_DECIDED = 5  # decided intents a week needs before its save rate is drawn


@dataclass
class Drawn:
    """A chart's data (for CSV) and what hovering over x shows."""

    header: list[str]
    rows: list[list[object]] = field(default_factory=list)
    hover: list[tuple[float, float, str]] = field(default_factory=list)  # (x from, x to, text)
    note: str | None = None

    def text_at(self, x: float) -> str | None:
        for lo, hi, text in self.hover:
            if lo <= x <= hi:
                return text
        return None


def style(plot: pg.PlotWidget) -> None:
    """Colours from the application palette, so light and dark themes both read well."""
    palette = QApplication.palette()
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    ink = palette.color(QPalette.ColorRole.Text)
    for name in ("left", "bottom", "right"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(ink))
        axis.setTextPen(pg.mkPen(ink))
    plot.showGrid(x=False, y=True, alpha=0.2)


def _clear(plot: pg.PlotWidget) -> None:
    plot.clear()
    for item in list(plot.getPlotItem().scene().items()):
        if getattr(item, "_churn_twin", False):
            plot.getPlotItem().scene().removeItem(item)
    plot.getPlotItem().legend = None


def _note(plot: pg.PlotWidget, text: str | None) -> None:
    if text:
        label = pg.TextItem(text, color=QColor("#7a4b00"), anchor=(0, 0))
        label.setPos(*plot.getViewBox().viewRange()[0][:1], plot.getViewBox().viewRange()[1][1])
        plot.addItem(label)


def weekly(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Intents per week as stacked bars (saved, lost, pending), the save rate as a line on the right axis."""
    _clear(plot)
    style(plot)
    plot.setAxisItems({"bottom": pg.DateAxisItem()})
    drawn = Drawn(["week", "intents", "saved", "lost", "pending", "save_rate"], note=report.coverage_note)
    weeks = report.weeks
    width = 7 * 86400 * 0.8
    xs = [w.start + 3.5 * 86400 for w in weeks]
    saves = [w.saves for w in weeks]
    losses = [w.losses for w in weeks]
    pending = [w.pending for w in weeks]
    plot.addLegend(offset=(10, 5))
    plot.addItem(pg.BarGraphItem(x=xs, height=saves, width=width, brush=SAVED, name="saved"))
    plot.addItem(pg.BarGraphItem(x=xs, y0=saves, height=losses, width=width, brush=LOST, name="lost"))
    plot.addItem(
        pg.BarGraphItem(
            x=xs,
            y0=[a + b for a, b in zip(saves, losses, strict=True)],
            height=pending,
            width=width,
            brush=PENDING,
            name="pending",
        )
    )
    plot.setLabel("left", "Cancellation intents")
    # a rate from one or two decided intents says nothing: the line shows only weeks with enough of them
    rates = [
        (x, w.save_rate) for x, w in zip(xs, weeks, strict=True) if w.save_rate is not None and w.saves + w.losses >= MIN_DECIDED
    ]
    twin = pg.ViewBox()
    twin._churn_twin = True
    plot.showAxis("right")
    plot.getPlotItem().scene().addItem(twin)
    plot.getAxis("right").linkToView(twin)
    plot.getAxis("right").setLabel("Save rate", units="%")
    twin.setXLink(plot.getPlotItem())
    twin.setYRange(0, 100, padding=0.04)
    twin.setLimits(yMin=-4, yMax=104)  # 0 and 100% stay in view: the line is never clipped or below zero
    if rates:
        line = pg.PlotCurveItem([x for x, _ in rates], [r * 100 for _, r in rates], pen=pg.mkPen(RATE, width=2))
        twin.addItem(line)
        plot.getPlotItem().legend.addItem(line, f"save rate (weeks with ≥{MIN_DECIDED} decided)")

    def sync() -> None:
        twin.setGeometry(plot.getPlotItem().vb.sceneBoundingRect())

    plot.getPlotItem().vb.sigResized.connect(sync)
    sync()
    for x, w in zip(xs, weeks, strict=True):
        day = datetime.fromtimestamp(w.start, UTC)
        rate = "—" if w.save_rate is None else f"{w.save_rate:.0%}"
        drawn.rows.append(
            [
                day.date().isoformat(),
                w.intents,
                w.saves,
                w.losses,
                w.pending,
                "" if w.save_rate is None else round(w.save_rate, 4),
            ]
        )
        drawn.hover.append(
            (
                x - width / 2,
                x + width / 2,
                f"Week of {day:%d %b %Y}\n{w.intents} intents: {w.saves} saved, {w.losses} lost, {w.pending} pending\nSave rate {rate}",
            )
        )
    return drawn


def by_reason(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Save rate by reason with Wilson 95% intervals; n above each bar."""
    _clear(plot)
    style(plot)
    drawn = Drawn(["reason", "n", "saved", "save_rate", "low_95", "high_95", "label"])
    rows = report.reasons
    xs = list(range(len(rows)))
    plot.addItem(pg.BarGraphItem(x=xs, height=[r.rate * 100 for r in rows], width=0.6, brush=SAVED))
    if rows:
        plot.addItem(
            pg.ErrorBarItem(
                x=np.array(xs, dtype=float),
                y=np.array([r.rate * 100 for r in rows]),
                top=np.array([(r.high - r.rate) * 100 for r in rows]),
                bottom=np.array([(r.rate - r.low) * 100 for r in rows]),
                beam=0.2,
                pen=pg.mkPen(QApplication.palette().color(QPalette.ColorRole.Text)),
            )
        )
    for x, r in zip(xs, rows, strict=True):
        text = pg.TextItem(f"n={r.n}", color=QApplication.palette().color(QPalette.ColorRole.Text), anchor=(0.5, 1))
        text.setPos(x, r.high * 100 + 2)
        plot.addItem(text)
        drawn.rows.append([r.feedback or "none", r.n, r.saves, round(r.rate, 4), round(r.low, 4), round(r.high, 4), r.label])
        drawn.hover.append(
            (x - 0.3, x + 0.3, f"{r.label}\n{r.saves} of {r.n} saved ({r.rate:.0%})\n95% interval {r.low:.0%}–{r.high:.0%}")
        )
    short = [(x, _short(r.feedback, r.label)) for x, r in zip(xs, rows, strict=True)]
    plot.getAxis("bottom").setTicks([short])
    plot.setYRange(0, 110)
    plot.setLabel("left", "Save rate", units="%")
    return drawn


def mrr_kept(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Cumulative MRR kept, one line per currency (never summed across currencies).

    A log scale keeps every currency readable on one axis (¥ amounts would flatten $ ones otherwise).
    """
    _clear(plot)
    style(plot)
    plot.setAxisItems({"bottom": pg.DateAxisItem()})
    plot.setLogMode(x=False, y=True)
    plot.addLegend(offset=(10, 5))
    drawn = Drawn(["time", "currency", "cumulative_mrr_minor"])
    for i, (cur, points) in enumerate(sorted(report.mrr_kept.items())):
        colour = CURRENCY_COLOURS[i % len(CURRENCY_COLOURS)]
        xs = [t for t, _ in points]
        ys = [float(to_major(v, cur)) for _, v in points]
        plot.plot(
            xs,
            ys,
            pen=pg.mkPen(colour, width=2),
            stepMode=None,
            symbol="o",
            symbolSize=5,
            symbolBrush=colour,
            name=f"{cur.upper()} ({format_money(points[-1][1], cur)})",
        )
        for t, v in points:
            drawn.rows.append([datetime.fromtimestamp(t, UTC).isoformat(), cur, v])
            drawn.hover.append(
                (
                    t - 43200,
                    t + 43200,
                    f"{datetime.fromtimestamp(t, UTC):%d %b %Y}: {format_money(v, cur)} kept so far ({cur.upper()})",
                )
            )
    plot.setLabel("left", "MRR kept (own units, log scale)")
    return drawn


def offers(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Per offer: how many accepted, and how many are still subscribed 30, 60 and 90 days later."""
    _clear(plot)
    style(plot)
    plot.addLegend(offset=(-10, 5))
    drawn = Drawn(
        [
            "offer",
            "accepted",
            *[f"still_subscribed_{d}d" for d in RETENTION_DAYS],
            *[f"known_{d}d" for d in RETENTION_DAYS],
            "late_losses",
        ]
    )
    colours = ("#1565c0", "#43a047", "#fb8c00", "#8e24aa")
    width = 0.18
    for j, (label, values) in enumerate(
        [("accepted", [o.accepted for o in report.offers])]
        + [(f"subscribed after {d} d", [o.retained[d][0] for o in report.offers]) for d in RETENTION_DAYS]
    ):
        xs = [i + (j - 1.5) * width for i in range(len(report.offers))]
        plot.addItem(pg.BarGraphItem(x=xs, height=values, width=width, brush=colours[j], name=label))
    for i, o in enumerate(report.offers):
        kept = ", ".join(f"{o.retained[d][0]}/{o.retained[d][1]} after {d} d" for d in RETENTION_DAYS)
        drawn.rows.append(
            [
                o.offer,
                o.accepted,
                *[o.retained[d][0] for d in RETENTION_DAYS],
                *[o.retained[d][1] for d in RETENTION_DAYS],
                o.late_losses,
            ]
        )
        drawn.hover.append(
            (i - 0.45, i + 0.45, f"{o.offer}: {o.accepted} accepted\nStill subscribed: {kept}\nLate losses: {o.late_losses}")
        )
    plot.getAxis("bottom").setTicks([[(i, o.offer) for i, o in enumerate(report.offers)]])
    plot.setLabel("left", "Customers")
    return drawn


def _short(key: str | None, label: str) -> str:
    """An axis label: the survey answer's short form, or a custom reason's own words, cut to fit."""
    if key in SHORT_LABELS:
        return SHORT_LABELS[key]
    if key is None:
        return "No answer"
    return label if len(label) <= 16 else label[:15] + "…"
