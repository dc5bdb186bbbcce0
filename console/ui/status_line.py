"""A line saying what an action did (the theme's "ok" colour) or why it could not ("error"), drawn again in the new
theme's colours when the theme changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QWidget

from . import theme


class StatusLine(QLabel):
    """The action bars' line under their buttons (said_bar.py) and the Portal, Outcomes and Recovery pages' line
    under their controls. A colour fixed when a line was said stayed the old theme's after View → Theme ("2
    configurations." dark green on the dark background; an Undo link dark blue). `rich`: the line is markup with
    anyone's text escaped by the caller (its links drawn again too), else plain text (a file's path)."""

    def __init__(self, name: str, *, rich: bool = False, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.rich = rich
        self.said = ""
        self.error = False

    def say(self, text: str, *, error: bool = False) -> None:
        self.said, self.error = text, error
        self._draw()

    def _draw(self) -> None:
        colour = theme.colour("error" if self.error else "ok")
        if self.rich:
            self.clear()  # a label keeps the link colour it was laid out with until its text is set anew
            self.setText(f"<span style='color:{colour}'>{self.said}</span>" if self.said else "")
            return
        self.setText(self.said)
        if self.styleSheet() != (want := f"color: {colour};"):  # setting one changes the palette: only when it differs
            self.setStyleSheet(want)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange) and self.said:
            self._draw()
