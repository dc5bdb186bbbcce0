"""Draw the weekly, by-reason and MRR-kept outcome charts on pyqtgraph plots; each returns its data as rows for CSV and hover texts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QApplication

from ...domain.money import format_money, to_major
from ...domain.text import no_reordering
from ...services.outcomes_report import MIN_ROLLING, ROLLING_WEEKS, Report
from .axes import DAY, WeekAxis, forget_room, room_for_labels, weeks_between

SAVED, REVOKED, LOST, PENDING, RATE = "#2e7d32", "#81c784", "#c62828", "#9e9e9e", "#1565c0"
CURRENCY_COLOURS = ("#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037")
HEADROOM = 1.4  # the weekly chart's axes reach 40 % past the data: room for the legend above the bars and the line


@dataclass
class Drawn:
    """A chart's data (for CSV) and what hovering shows (over x, or over y for a horizontal chart)."""

    header: list[str]
    rows: list[list[object]] = field(default_factory=list)
    hover: list[tuple[float, float, str]] = field(default_factory=list)  # (from, to, text)
    note: str | None = None
    horizontal: bool = False

    def text_at(self, at: float) -> str | None:
        for lo, hi, text in self.hover:
            if lo <= at <= hi:
                return text
        return None


def ink() -> QColor:
    return QApplication.palette().color(QPalette.ColorRole.Text)


def style(plot: pg.PlotWidget) -> None:
    """Colours from the application palette, so light and dark themes both read well."""
    palette = QApplication.palette()
    plot.setBackground(palette.color(QPalette.ColorRole.Base))
    for name in ("left", "bottom", "right"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(ink()))
        axis.setTextPen(pg.mkPen(ink()))
    plot.showGrid(x=False, y=True, alpha=0.2)


def clear_plot(plot: pg.PlotWidget) -> None:
    """Empty the plot for a redraw: items, the legend (else a second one is drawn over it) and the twin axis."""
    item = plot.getPlotItem()
    plot.clear()
    twin = getattr(plot, "_churn_twin", None)
    if twin is not None:
        twin.clear()
    if item.legend is not None:
        if item.legend.scene() is not None:
            item.legend.scene().removeItem(item.legend)
        item.legend = None
    plot.setLogMode(x=False, y=False)
    forget_room(plot)
    plot.hideAxis("right")
    plot.getAxis("bottom").setTicks(None)
    plot.getAxis("left").setTicks(None)
    plot.enableAutoRange()


def add_legend(plot: pg.PlotWidget, offset: tuple[int, int], columns: int = 1) -> pg.LegendItem:
    legend = plot.addLegend(offset=offset, labelTextColor=ink(), colCount=columns)
    legend.setBrush(pg.mkBrush(QApplication.palette().color(QPalette.ColorRole.Base)))
    return legend


def twin_axis(plot: pg.PlotWidget) -> pg.ViewBox:
    """A second y axis on the right (0–100 %), made once per plot and kept over the main view box."""
    twin = getattr(plot, "_churn_twin", None)
    if twin is None:
        twin = pg.ViewBox(enableMouse=False, enableMenu=False)
        # over the plot (a ViewBox's own z is -100, under the bars): the rate line is drawn on top of them
        twin.setZValue(plot.getPlotItem().zValue() + 1)
        twin.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # the hover and the page's scrolling still work
        plot.getPlotItem().scene().addItem(twin)
        plot.getAxis("right").linkToView(twin)
        twin.setXLink(plot.getPlotItem())
        vb = plot.getPlotItem().vb
        vb.sigResized.connect(lambda: twin.setGeometry(vb.sceneBoundingRect()))
        twin.setGeometry(vb.sceneBoundingRect())
        plot._churn_twin = twin
    twin.setLimits(yMin=None, yMax=None)
    twin.setYRange(0, HEADROOM * 100, padding=0)  # 100 % sits below the legend; the line is never clipped
    twin.enableAutoRange(enable=False)
    plot.showAxis("right")
    right = plot.getAxis("right")
    right.setGrid(False)  # one grid, the left axis's: a second one at other heights reads as noise
    right.setTicks([[(v, f"{v}%") for v in range(0, 101, 20)]])
    return twin


def weekly(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Intents per week stacked by outcome; the desk's save rate over 4 weeks as a line on the right axis."""
    clear_plot(plot)
    weeks = report.weeks
    plot.setAxisItems({"bottom": WeekAxis([w.start for w in weeks], offset=3.5 * DAY)})
    style(plot)
    drawn = Drawn(
        ["week", "intents", "saved_by_desk", "revoked_by_customer", "lost", "pending", "desk_save_rate_4w", "decided_4w"],
        note=report.coverage_note,
    )
    width = 7 * DAY * 0.8
    xs = [w.start + 3.5 * 86400 for w in weeks]
    legend = add_legend(plot, (10, 5), columns=3)
    base = [0] * len(weeks)
    for name, colour, values in (
        ("saved by the desk", SAVED, [w.saves for w in weeks]),
        ("revoked on their own", REVOKED, [w.revoked for w in weeks]),
        ("lost", LOST, [w.losses for w in weeks]),
        ("pending", PENDING, [w.pending for w in weeks]),
    ):
        plot.addItem(pg.BarGraphItem(x=xs, y0=base, height=values, width=width, brush=colour, name=name))
        base = [a + b for a, b in zip(base, values, strict=True)]
    plot.setLabel("left", "Cancellation intents")
    plot.setYRange(0, max(max(base, default=0), 1) * HEADROOM, padding=0)
    twin = twin_axis(plot)
    plot.getAxis("right").setLabel(f"Desk save rate, {ROLLING_WEEKS} weeks")
    # a rate from a handful of intents says nothing: gaps where fewer than MIN_ROLLING were decided
    ys = [math.nan if w.rolling_rate is None else w.rolling_rate * 100 for w in weeks]
    if any(not math.isnan(y) for y in ys):
        line = pg.PlotDataItem(xs, ys, pen=pg.mkPen(RATE, width=2), connect="finite", symbol="o", symbolSize=4, symbolBrush=RATE)
        twin.addItem(line)
        legend.addItem(line, f"desk save rate, {ROLLING_WEEKS} weeks (from {MIN_ROLLING} decided)")
    for x, w in zip(xs, weeks, strict=True):
        day = datetime.fromtimestamp(w.start, UTC)
        rate = "not enough decided" if w.rolling_rate is None else f"{w.rolling_rate:.0%}"
        rolling = "" if w.rolling_rate is None else round(w.rolling_rate, 4)
        drawn.rows.append(
            [day.date().isoformat(), w.intents, w.saves, w.revoked, w.losses, w.pending, rolling, w.rolling_decided]
        )
        drawn.hover.append(
            (
                x - width / 2,
                x + width / 2,
                f"Week of {day:%d %b %Y}: {w.intents} intents\n{w.saves} saved by the desk, {w.revoked} revoked on their own, "
                f"{w.losses} lost, {w.pending} pending\nDesk save rate over {ROLLING_WEEKS} weeks: {rate} "
                f"(n = {w.rolling_decided})",
            )
        )
    return drawn


def by_reason(plot: pg.PlotWidget, report: Report) -> Drawn:
    """The desk's save rate per reason as horizontal bars (labels never overlap), Wilson 95% intervals, n."""
    clear_plot(plot)
    style(plot)
    plot.showGrid(x=True, y=False, alpha=0.2)
    drawn = Drawn(["reason", "n", "saved", "save_rate", "low_95", "high_95", "revoked_on_their_own", "label"], horizontal=True)
    rows = report.reasons  # a reason only customers revoked has no bar, but its n=0 and revokes are said
    ys = list(range(len(rows) - 1, -1, -1))  # the most frequent reason on top
    if rows:
        rates = np.array([r.rate * 100 for r in rows])
        plot.addItem(pg.BarGraphItem(x0=0, width=rates, y=ys, height=0.6, brush=SAVED))
        plot.addItem(
            pg.ErrorBarItem(
                x=rates,
                y=np.array(ys, dtype=float),
                left=np.array([(r.rate - r.low) * 100 for r in rows]),
                right=np.array([(r.high - r.rate) * 100 for r in rows]),
                beam=0.2,
                pen=pg.mkPen(ink()),
            )
        )
    ends = []
    for y, r in zip(ys, rows, strict=True):
        said = f"  {r.rate:.0%} · n={r.n}"  # revokes by customers: in the hover and CSV
        text = pg.TextItem(said, color=ink(), anchor=(0, 0.5))
        text.setPos(r.high * 100, y)
        plot.addItem(text)
        ends.append((r.high * 100, said))
        drawn.rows.append(
            [r.feedback or "none", r.n, r.saves, round(r.rate, 4), round(r.low, 4), round(r.high, 4), r.revoked, r.label]
        )
        drawn.hover.append(
            (
                y - 0.35,
                y + 0.35,
                f"{r.label}\n{r.saves} of {r.n} saved by the desk ({r.rate:.0%}), 95% interval {r.low:.0%}–{r.high:.0%}"
                + (f"\n{r.revoked} more revoked on their own (not counted in the rate)" if r.revoked else ""),
            )
        )
    left = plot.getAxis("left")
    metrics = QFontMetrics(left.style.get("tickFont") or QApplication.font())
    room = int(min(420, max(160, plot.width() * 0.28)))  # a reason's words whole on a 1600 px PNG; cut on a narrow chart
    labels = [
        (y, metrics.elidedText(no_reordering(r.label), Qt.TextElideMode.ElideRight, room)) for y, r in zip(ys, rows, strict=True)
    ]
    left.setTicks([labels])
    left.setWidth(min(room, max((metrics.horizontalAdvance(t) for _, t in labels), default=40)) + 16)
    room_for_labels(plot, ends, floor=105)  # every rate and n right of its interval, whatever the width
    plot.setYRange(-0.6, max(len(rows) - 0.4, 0.4), padding=0)
    plot.getAxis("bottom").setTicks([[(v, f"{v}%") for v in range(0, 101, 20)]])
    plot.setLabel("bottom", "Saved by the desk, of those it saved or lost")
    return drawn


def mrr_kept(plot: pg.PlotWidget, report: Report) -> Drawn:
    """Cumulative MRR kept, one line per currency (never summed across currencies).

    One currency reads on a plain axis in its own money; several share a log axis (¥ would flatten $ otherwise).
    """
    clear_plot(plot)
    plot.setAxisItems({"bottom": WeekAxis(weeks_between(report.since, report.until))})
    style(plot)
    series = sorted(report.mrr_kept.items())
    several = len(series) > 1
    plot.setLogMode(x=False, y=several)
    add_legend(plot, (10, 5))
    # the legend's rows sit in a band above the lines' highest point: it never covers where a line starts
    band = min(0.45, 0.1 + 0.07 * max(len(series), 1))
    drawn = Drawn(["time", "currency", "cumulative_mrr_minor"])
    end = min(report.until, int(datetime.now(UTC).timestamp()))
    for i, (cur, points) in enumerate(series):
        colour = CURRENCY_COLOURS[i % len(CURRENCY_COLOURS)]
        # a running total holds until the next save: steps, carried on to the end of the range (from 0 on a plain axis)
        steps = ([] if several else [(report.since, 0)]) + points + [(max(end, points[-1][0]), points[-1][1])]
        xs = [t for t, _ in steps]
        ys = [float(to_major(v, cur)) for _, v in steps]
        plot.plot(
            xs, ys, pen=pg.mkPen(colour, width=2), stepMode="right", name=f"{cur.upper()} ({format_money(points[-1][1], cur)})"
        )
        plot.plot([t for t, _ in points], [float(to_major(v, cur)) for _, v in points], pen=None, symbol="o", symbolSize=5,
                  symbolBrush=colour, symbolPen=colour)  # fmt: skip
        for t, v in points:
            drawn.rows.append([datetime.fromtimestamp(t, UTC).isoformat(), cur, v])
            drawn.hover.append(
                (
                    t - 43200,
                    t + 43200,
                    f"{datetime.fromtimestamp(t, UTC):%d %b %Y}: {format_money(v, cur)} kept so far ({cur.upper()})",
                )
            )
    values = [float(to_major(v, c)) for c, points in series for _, v in points if v > 0]
    if several:
        plot.setLabel("left", "MRR kept (log scale, own units)")
        low, high = math.log10(min(values, default=1)), math.log10(max(values, default=10))
        span = max(high - low, 1.0)
        plot.setYRange(low - 0.05 * span, high + span * band / (1 - band), padding=0)  # log10 units
    else:
        plot.setLabel("left", f"MRR kept ({series[0][0].upper()})" if series else "MRR kept")
        plot.setYRange(0, max(values, default=1) / (1 - band), padding=0)
    return drawn
