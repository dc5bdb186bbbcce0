"""The outcome charts' axes and label room: a date axis with one row of labels that never collide, and an x range
that leaves each bar's end label its width in pixels, at any window or PNG size."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

DAY = 86400
STEPS = (1, 2, 3, 4, 6, 8, 13, 26, 52)  # weeks between two labels
GAP = 18  # px between two date labels


class WeekAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no types
    """Dates under a chart by week: one label per `step` weeks ("03 Nov"), the step chosen from the axis's width
    in pixels so that no two labels touch. (pyqtgraph's DateAxisItem draws a month row and a day row that overlap
    on a narrow chart: "Nov" over "03".)"""

    def __init__(self, weeks: Sequence[int], offset: float = 0.0) -> None:
        super().__init__("bottom")
        self.weeks = list(weeks)  # each week's first second (UTC)
        self.offset = offset  # where a week's label sits after its start (a bar's centre: 3.5 days)

    def step_for(self, size: float, weeks: Sequence[int]) -> int:
        """The fewest weeks between two labels that leaves each its width and a gap (asked at every repaint: one
        font measure for all the labels, not one each)."""
        metrics = QFontMetrics(self.style.get("tickFont") or QApplication.font())
        widest = max((metrics.horizontalAdvance(self._label(w)) for w in weeks), default=0)
        for step in STEPS:
            if math.ceil(len(weeks) / step) * (widest + GAP) <= max(size, 1):
                return step
        return STEPS[-1]

    @staticmethod
    def _label(start: float) -> str:
        return f"{datetime.fromtimestamp(start, UTC):%d %b}"

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, list[float]]]:  # noqa: N802
        visible = [w for w in self.weeks if minVal <= w + self.offset <= maxVal]  # the weeks the plot shows
        step = self.step_for(size, visible)
        return [(step * 7 * DAY, [w + self.offset for w in visible[::step]])]

    def tickStrings(self, values: list[float], _scale: float, _spacing: float) -> list[str]:  # noqa: N802
        return [self._label(v - self.offset) for v in values]


def weeks_between(since: int, until: int) -> list[int]:
    """Week starts from `since` up to `until` (an MRR line's axis: a label every week or every few)."""
    return list(range(since, max(until, since + 1), 7 * DAY))


def label_width(text: str) -> int:
    """How wide a label drawn on a chart (a pyqtgraph TextItem, in the application's font) is, in pixels."""
    return QFontMetrics(QApplication.font()).horizontalAdvance(text)


def room_for_labels(plot: pg.PlotWidget, ends: Sequence[tuple[float, str]], floor: float) -> None:
    """Set the x range from 0 so each (bar end, label) pair fits: a label drawn just right of its bar ends inside
    the plot. The range is worked out again whenever the plot is resized (the window, a PNG): a label is never cut
    ("10 of 15 known · 5 too rece")."""
    vb = plot.getPlotItem().vb
    need = [(end, label_width(text) + 24) for end, text in ends]

    def fit() -> None:
        width = vb.width()
        top = floor
        for end, px in need:
            room = width - px
            top = max(top, end * width / room if room > width * 0.2 else end * 5)
        plot.setXRange(0, top, padding=0)

    old = getattr(plot, "_churn_fit", None)
    if old is not None:
        vb.sigResized.disconnect(old)
    plot._churn_fit = fit
    vb.sigResized.connect(fit)
    fit()


def forget_room(plot: pg.PlotWidget) -> None:
    """A redraw that sets its own x range: the previous chart's label room no longer applies."""
    old = getattr(plot, "_churn_fit", None)
    if old is not None:
        plot.getPlotItem().vb.sigResized.disconnect(old)
        plot._churn_fit = None
