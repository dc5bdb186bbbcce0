"""A titled chart with its PNG… and CSV… buttons over a pyqtgraph plot, its numbers shown on hover: the frame the
Outcomes and Recovery tabs' charts share (each says how its image is made and what its files are called)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from .analytics.charts import Drawn
from .files import export_file, write_rows_csv
from .plain import escape

Say = Callable[[str, bool], None]  # a line for the page: what was saved, or why it could not be (an error)


class ChartFrame(QWidget):
    """`layout_`: the head, then the plot (a chart adds what goes under it). `stem` names its files (None: nothing
    drawn yet, nothing to save); `render` writes its image; `png_what` says what the image is, once saved."""

    def __init__(
        self, name: str, title: str, png_tip: str, png_what: str, settings: QSettings, say: Say,
        stem: Callable[[], str | None], render: Callable[[Path], None], parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.settings, self.say, self._stem, self._render, self._png_what = settings, say, stem, render, png_what
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.title = QLabel(title)
        self.title.setProperty("class", "cardTitle")
        self.title.setToolTip(title)
        self.title.setWordWrap(True)  # on two lines in a narrow column, never cut
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(self.title, 1)
        self.png = QPushButton("PNG…")
        self.png.setToolTip(png_tip)
        self.png.clicked.connect(self.export_png)
        self.csv = QPushButton("CSV…")
        self.csv.setToolTip("Save the numbers behind this chart")
        self.csv.clicked.connect(self.export_csv)
        head.addWidget(self.png)
        head.addWidget(self.csv)
        self.layout_.addLayout(head)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName(f"chart_{name}")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)  # pyqtgraph's own menu would export the bare, untitled plot
        self.plot.setMinimumHeight(220)  # pyqtgraph's own text does not grow with the system font
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.layout_.addWidget(self.plot, 1)
        self.drawn: Drawn | None = None  # what the chart shows, set by each draw: its CSV rows and hover texts

    def _hover(self, pos: QPointF) -> None:
        """Hovering shows the exact numbers under the pointer."""
        if self.drawn is None:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(pos)
        text = self.drawn.text_at(point.y() if self.drawn.horizontal else point.x())
        if text:
            # escaped: a custom reason's text is anyone's text, and tooltips guess rich text
            QToolTip.showText(QCursor.pos(), f"<p style='white-space:pre'>{escape(text)}</p>", self.plot)
        else:
            QToolTip.hideText()

    def save_csv(self, path: Path) -> None:
        assert self.drawn is not None
        write_rows_csv(path, self.drawn.header, self.drawn.rows)

    def export_png(self) -> None:
        self._export("Export chart", "png", "PNG image (*.png)", self._render, self._png_what)

    def export_csv(self) -> None:
        self._export("Export data", "csv", "CSV (*.csv)", self.save_csv, "the chart's numbers")

    def _export(self, title: str, suffix: str, kinds: str, write: Callable[[Path], None], what: str) -> None:
        stem = self._stem()
        if stem is not None:
            export_file(self, self.settings, self.say, title, f"{stem}.{suffix}", kinds, write, what)
