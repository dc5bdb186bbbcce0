"""The window's text follows the system font's size (ui/text_size.py). The style sheet had said 10pt for every widget,
so a desktop's 11pt (GNOME) or a user's 14pt was ignored; drawn larger, the tables' pixel widths and the Outcomes
panels' heights (made for 10pt) cut titles and put a two-line note over its chart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QLabel

from console.ui import text_size, theme
from console.ui.failed.model import COLUMNS as FAILED_COLUMNS
from console.ui.main_window import MainWindow
from console.ui.menus import ZOOM_KEY
from console.ui.queue.table import COLUMNS
from console.ui.queue.view import COLUMN_WIDTHS
from tests.ui.gestures import choose_from_menu_bar, click_tab, outcomes_drawn


@pytest.mark.parametrize(("points", "scale"), [(9.0, 1.0), (10.0, 1.0), (11.0, 1.1), (14.0, 1.4), (-1.0, 1.0)])
def test_the_scale_is_the_system_fonts_size_over_the_designed_ten_points_never_below_one(points, scale):
    assert text_size.scale_for(points) == scale


@pytest.mark.parametrize(
    ("sheet", "dpi", "pixels"),
    [(1.0, 96, 1.0), (1.4, 96, 1.4), (1.3, 72, 1.0), (1.4, 120, 1.75), (1.0, 0, 1.0)],
    ids=["designed", "14pt at 96 dpi", "macOS 13pt at 72 dpi", "14pt at 120 dpi", "no screen"],
)
def test_the_widths_grow_with_the_texts_pixels_not_its_points(sheet, dpi, pixels):
    assert text_size.pixel_scale_for(sheet, dpi) == pixels


def test_the_sheets_point_sizes_grow_and_its_pixels_stay():
    sheet = "QWidget { font-size: 10pt; padding: 4px 14px; } QLabel { font-size: 8.5pt; letter-spacing: 1px; }"
    grown = text_size.scaled_sheet(sheet, 1.4)
    assert "font-size: 14pt" in grown and "font-size: 11.9pt" in grown
    assert "padding: 4px 14px" in grown and "letter-spacing: 1px" in grown
    assert text_size.scaled_sheet(sheet, 1.0) == sheet
    header = "QHeaderView::section { padding: 4px 14px 4px 6px; font-weight: 600; } QPushButton { padding: 5px 14px; }"
    assert text_size.scaled_sheet(header, 1.5) == (
        "QHeaderView::section { padding: 6px 21px 6px 9px; font-weight: 600; } QPushButton { padding: 5px 14px; }"
    )  # room for the sort arrow, which grows with the text


@pytest.fixture
def system_font(monkeypatch):
    """set(points): the system's font at that size, the light theme applied over it; put back afterwards."""
    app = QApplication.instance()
    normal = QFont(app.font())
    monkeypatch.setenv(theme.THEME_ENV, "light")

    def set_(points: float) -> None:
        font = QFont(normal)
        font.setPointSizeF(points)
        app.setFont(font)
        theme.apply(app)

    yield set_
    app.setFont(normal)
    theme.apply(app)
    assert text_size.scale() == text_size.scale_for(normal.pointSizeF())


def _header_fits(header, name: str, index: int) -> bool:
    bold = QFont(header.font())
    bold.setBold(True)  # the sheet's 600 weight
    return QFontMetrics(bold).horizontalAdvance(name) + 20 <= header.sectionSize(index)  # 6 + 14 px of padding


def test_a_14pt_system_font_draws_the_window_at_14pt_with_widths_that_hold_it(qtbot, open_window, demo, system_font):
    system_font(14)
    window = open_window(demo)
    window.resize(2400, 1000)  # room for every column: what is measured is each column's own width
    queue = window.queue
    qtbot.waitUntil(lambda: queue.proxy.rowCount() > 0, timeout=10000)
    table, header = queue.table, queue.table.horizontalHeader()
    assert table.font().pointSizeF() == 14  # it had been the sheet's 10pt, whatever the system said
    heading = next(lb for lb in queue.findChildren(QLabel) if lb.text() == "Churn queue")
    assert heading.font().pointSizeF() == pytest.approx(21)  # the sheet's 15pt, × 1.4
    assert table.verticalHeader().defaultSectionSize() >= table.fontMetrics().height() + 8
    for name in COLUMN_WIDTHS:
        i = COLUMNS.index(name)
        assert not header.isSectionHidden(i), name
        assert _header_fits(header, name, i), f"{name}: {header.sectionSize(i)} px"
    click_tab(window, window.failed_page)
    failed = window.failed_page
    qtbot.waitUntil(lambda: failed.model.rowCount() > 0, timeout=20000)
    fheader = failed.table.horizontalHeader()
    for i, name in enumerate(FAILED_COLUMNS[:-1]):  # the last one stretches
        assert _header_fits(fheader, name, i), f"{name}: {fheader.sectionSize(i)} px"


def test_with_a_large_font_an_outcomes_note_stays_under_its_chart(qtbot, open_window, demo, system_font):
    """One chart a row (1280×700 at 14pt): each panel had been held to the visible area's height, shorter than its
    chart and a two-line note, and the note was drawn over the chart's axis."""
    system_font(14)
    window = open_window(demo)
    window.resize(1280, 700)
    window.tabs.setCurrentWidget(window.outcomes_tab)
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    qtbot.wait(100)
    assert page.columns == 1
    noted = [panel for panel in page.panels.values() if panel.note.isVisible()]
    assert noted, "the demo's weekly chart has a note (revokes before Stripe's 30 days)"
    for panel in noted:
        plot = QRect(panel.plot.pos(), panel.plot.size())
        note = QRect(panel.note.pos(), panel.note.size())
        assert note.top() >= plot.bottom(), (panel.name, plot, note)
        assert note.bottom() <= panel.height(), (panel.name, note, panel.height())
        assert note.height() >= panel.note.heightForWidth(panel.note.width())  # every line of it


def test_the_system_font_changed_while_the_window_is_open_is_followed(qtbot, open_window, demo, system_font):
    system_font(9)  # Qt's own fallback: the designed 10pt
    window = open_window(demo)
    table = window.queue.table
    assert table.font().pointSizeF() == 10
    app = QApplication.instance()
    larger = QFont(app.font())
    larger.setPointSizeF(12)
    app.setFont(larger)  # as a desktop's settings do, with no theme.apply of ours
    qtbot.waitUntil(lambda: table.font().pointSizeF() == 12, timeout=3000)
    assert text_size.scale() == 1.2


@pytest.mark.parametrize(
    ("zoom", "step", "then"),
    [(1.0, 1, 1.1), (1.0, -1, 0.9), (2.0, 1, 2.0), (0.8, -1, 0.8), (1.3, 1, 1.5), (1.6, 0, 1.0)],
    ids=["larger", "smaller", "the largest stays", "the smallest stays", "from between two steps", "the system's"],
)
def test_a_text_size_step_goes_to_the_next_of_the_steps(zoom, step, then):
    assert text_size.zoom_step(zoom, step) == then


def test_view_text_size_grows_the_text_and_every_column_by_as_much_and_is_kept(qtbot, open_window, demo, text_zoom, tmp_path):
    """View → Text size → Larger, with the mouse: the queue's and Failed payments' text and columns 25% larger after
    two steps (a rep's own width too, in proportion), the rows taller; kept for the next start; The system's size
    puts everything back."""
    window = open_window(demo)
    window.resize(2400, 1000)
    queue, header = window.queue, window.queue.table.horizontalHeader()
    qtbot.waitUntil(lambda: queue.proxy.rowCount() > 0, timeout=10000)
    reason = COLUMNS.index("Reason")
    header.resizeSection(reason, 260)  # the rep's own width
    fixed = [i for i, name in enumerate(COLUMNS) if name != "Comment" and not header.isSectionHidden(i)]
    widths = {i: header.sectionSize(i) for i in fixed}
    row, font = queue.table.verticalHeader().defaultSectionSize(), queue.table.font().pointSizeF()
    click_tab(window, window.failed_page)  # built now, at the system's size
    failed = window.failed_page
    qtbot.waitUntil(lambda: failed.model.rowCount() > 0, timeout=20000)
    fheader = failed.table.horizontalHeader()
    fwidths = [fheader.sectionSize(i) for i in range(fheader.count() - 1)]
    for _ in range(2):
        choose_from_menu_bar(qtbot, window, "View", "Text size", "Larger")
    assert text_size.zoom() == 1.25 and window.settings.value(ZOOM_KEY) in (1.25, "1.25")
    assert queue.table.font().pointSizeF() == pytest.approx(font * 1.25, abs=0.05)
    assert queue.table.verticalHeader().defaultSectionSize() == round(28 * 1.25)
    for i, width in widths.items():
        assert header.sectionSize(i) == pytest.approx(width * 1.25, abs=1), COLUMNS[i]
    assert header.sectionSize(reason) == pytest.approx(325, abs=1)
    assert [fheader.sectionSize(i) for i in range(fheader.count() - 1)] == pytest.approx([w * 1.25 for w in fwidths], abs=1)
    assert window.statusBar().currentMessage() == "Text size 125% of the system's"

    again = MainWindow(lambda: None, tmp_path)  # the next start, on the same settings (no account needed)
    qtbot.addWidget(again)
    assert text_size.zoom() == 1.25  # read back: still the chosen size
    again.close()

    choose_from_menu_bar(qtbot, window, "View", "Text size", "The system's size")
    assert text_size.zoom() == 1.0 and queue.table.font().pointSizeF() == font
    assert queue.table.verticalHeader().defaultSectionSize() == row
    for i, width in widths.items():
        assert header.sectionSize(i) == pytest.approx(width, abs=1), COLUMNS[i]


@pytest.mark.parametrize(("saved", "read"), [("1.3", 1.25), ("many", 1.0), ("nan", 1.0), ("9", 2.0)])
def test_a_text_size_setting_edited_by_hand_is_read_as_the_nearest_step(qtbot, tmp_path, text_zoom, saved, read):
    from console.ui.preferences import settings_for

    settings = settings_for(tmp_path)
    settings.setValue(ZOOM_KEY, saved)
    settings.sync()
    window = MainWindow(lambda: None, tmp_path)
    qtbot.addWidget(window)
    assert text_size.zoom() == read
    window.close()


def test_a_reps_widths_saved_at_a_text_size_come_back_as_they_were_at_the_next_start(qtbot, tmp_path, text_zoom):
    """The saved text size is applied before the pages are built, and the saved columns after: a rep's 300 px Reason
    at 125% comes back 300 px, not grown by a second 25%."""
    first = MainWindow(lambda: None, tmp_path)
    qtbot.addWidget(first)
    first.show()
    choose_from_menu_bar(qtbot, first, "View", "Text size", "Larger")
    choose_from_menu_bar(qtbot, first, "View", "Text size", "Larger")
    reason = COLUMNS.index("Reason")
    first.queue.table.horizontalHeader().resizeSection(reason, 300)
    customer = first.queue.table.horizontalHeader().sectionSize(COLUMNS.index("Customer"))
    assert customer == round(COLUMN_WIDTHS["Customer"] * 1.25)
    first.close()
    theme.set_zoom(QApplication.instance(), 1.0)  # a new process starts at the system's size

    again = MainWindow(lambda: None, tmp_path)
    qtbot.addWidget(again)
    again.show()
    header = again.queue.table.horizontalHeader()
    assert text_size.zoom() == 1.25
    assert header.sectionSize(reason) == 300 and header.sectionSize(COLUMNS.index("Customer")) == customer
    again.close()


def test_at_a_larger_text_size_the_outcomes_charts_side_by_side_share_the_width(qtbot, open_window, demo, text_zoom):
    """Two charts a row: each half the width at any text size. At 150% the left column had 44% of it: the offer
    experiments' title, on one line whatever the room, held the right column 850 px wide."""
    window = open_window(demo)
    window.resize(1600, 1000)
    theme.set_zoom(QApplication.instance(), 1.5)
    window.tabs.setCurrentWidget(window.outcomes_tab)
    page = window.analytics_page
    outcomes_drawn(qtbot, page)
    qtbot.wait(100)
    assert page.columns == 2
    left, right = page.panels["weekly"], page.panels["by_reason"]
    assert left.y() == right.y() and abs(left.width() - right.width()) <= 2, (left.width(), right.width())
