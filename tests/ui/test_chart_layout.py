"""Issue 31.11: the outcome charts read whole at every window size and range: the save-rate line over the bars, one
grid, date labels that never collide, every bar's label inside the plot, the rate on each reason bar, reasons whole
on a 1600 px PNG, a title that wraps rather than being cut, a legend that never covers a line."""

from __future__ import annotations

import itertools

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QImage, QPainter

from console.ui.analytics import charts
from tests.ui.gestures import outcomes_drawn

SIZES = ((1024, 700), (1400, 900), (1600, 1000))


def _label_rects(axis: pg.AxisItem) -> list[tuple[QRectF, str]]:
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)  # what the axis is about to draw: each label's box and text
    finally:
        painter.end()
    return [] if specs is None else [(rect, text) for rect, _flags, text in specs[2]]


def _outside(plot: pg.PlotWidget) -> list[str]:
    """The texts drawn on the plot that reach past its right edge (where each starts, plus its width in pixels)."""
    vb = plot.getPlotItem().vb
    edge = vb.sceneBoundingRect().right()
    texts = [i for i in plot.getPlotItem().items if isinstance(i, pg.TextItem)]
    return [i.toPlainText() for i in texts if vb.mapViewToScene(i.pos()).x() + i.boundingRect().width() > edge + 1]


@pytest.fixture
def outcomes(qtbot, open_window, demo):
    window = open_window(demo)
    window.tabs.setCurrentWidget(window.outcomes_tab)  # the page is made when its tab is first shown
    outcomes_drawn(qtbot, window.analytics_page)
    return window, window.analytics_page


def _every_size_and_range(qtbot, window, page):
    """The window at each size, the page at each range preset: yields where it is, in words."""
    for (width, height), preset in itertools.product(SIZES, range(page.preset.count())):
        window.resize(width, height)
        page.preset.setCurrentIndex(preset)
        outcomes_drawn(qtbot, page)
        qtbot.wait(60)
        yield f"{width}×{height}, {page.preset.currentText()}"


def test_at_every_size_and_range_labels_never_collide_and_stay_inside(qtbot, outcomes):
    window, page = outcomes
    for where in _every_size_and_range(qtbot, window, page):
        for name in ("weekly", "mrr_kept"):
            axis = page.panels[name].plot.getAxis("bottom")
            qtbot.waitUntil(lambda axis=axis: bool(_label_rects(axis)), timeout=3000)  # a new axis takes its range when laid out
            rects = _label_rects(axis)
            for (a, ta), (b, tb) in itertools.combinations(rects, 2):
                assert not a.intersects(b), f"{name} at {where}: {ta!r} over {tb!r}"
        for name in ("by_reason", "value"):
            assert not _outside(page.panels[name].plot), f"{name} at {where}"


def test_the_rate_line_is_over_the_bars_on_one_grid_and_each_reason_says_its_rate(qtbot, outcomes):
    _window, page = outcomes
    plot = page.panels["weekly"].plot
    twin = plot._churn_twin
    bars = plot.getPlotItem().vb
    assert twin.zValue() > plot.getPlotItem().zValue() > bars.zValue()  # the line's view box is drawn after the bars'
    assert plot.getAxis("right").grid is False and plot.getAxis("left").grid  # one grid
    texts = [i.toPlainText().strip() for i in page.panels["by_reason"].plot.getPlotItem().items if isinstance(i, pg.TextItem)]
    report = page.report
    assert texts == [f"{r.rate:.0%} · n={r.n}" for r in report.reasons]


def test_the_weekly_title_wraps_in_a_narrow_column(qtbot, outcomes):
    window, page = outcomes
    window.resize(1400, 900)  # two charts a row: each title has ~650 px
    qtbot.wait(80)
    from PySide6.QtWidgets import QLabel

    title = next(lb for lb in page.panels["weekly"].findChildren(QLabel) if lb.text().startswith("Intents per week"))
    assert title.wordWrap()
    assert title.heightForWidth(title.width()) <= title.height()  # every word on screen


def test_reasons_are_whole_on_a_1600_px_chart(qtbot, outcomes):
    _window, page = outcomes
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(1600, 800)
    charts.by_reason(plot, page.report)
    ticks = plot.getAxis("left")._tickLevels[0]
    assert ticks and not [t for _, t in ticks if t.endswith("…")]
    assert {t for _, t in ticks} == {r.label for r in page.report.reasons}


def test_the_mrr_legend_never_covers_a_line(qtbot, outcomes):
    window, page = outcomes
    for where in _every_size_and_range(qtbot, window, page):
        plot = page.panels["mrr_kept"].plot
        item = plot.getPlotItem()
        if item.legend is None or not page.report.mrr_kept:
            continue
        legend = item.legend.sceneBoundingRect()
        vb = item.vb
        for curve in item.listDataItems():
            xs, ys = curve.getData()
            if xs is None or len(xs) < 2:
                continue
            for x0, x1, y in zip(xs[:-1], xs[1:], ys[:-1], strict=True):
                a = vb.mapViewToScene(QPointF(float(x0), float(y)))
                b = vb.mapViewToScene(QPointF(float(x1), float(y)))
                segment = QRectF(a, b).normalized().adjusted(0, -1, 0, 1)
                assert not segment.intersects(legend), where
