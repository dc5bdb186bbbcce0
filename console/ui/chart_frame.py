"""A titled chart with its PNG… and CSV… buttons over a pyqtgraph plot, its numbers shown on hover: the frame the
Outcomes and Recovery tabs' charts share (each says what its buttons save)."""

from __future__ import annotations

import html

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from .analytics.charts import Drawn


class ChartFrame(QWidget):
    """`layout`: the head, then the plot; a subclass adds what goes under it, and defines export_png/export_csv."""

    def __init__(self, name: str, title: str, png_tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.plot.setMinimumHeight(220)
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
            QToolTip.showText(QCursor.pos(), f"<p style='white-space:pre'>{html.escape(text)}</p>", self.plot)
        else:
            QToolTip.hideText()

    def export_png(self) -> None:
        raise NotImplementedError  # each chart says how its image is made

    def export_csv(self) -> None:
        raise NotImplementedError
