"""A page's line saying what an action did (the theme's "ok" colour) or why it could not ("error"), coloured again
when the theme changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from . import theme


class StatusLine(QLabel):
    """The Portal, Outcomes and Recovery pages' line under their controls. The colour was fixed when a line was said:
    a theme chosen after it (View → Theme) left "2 configurations." dark green on the dark background. `rich`: the
    page's lines are markup with anyone's text escaped (the portal's), else plain text (a file's path)."""

    def __init__(self, name: str, *, rich: bool = False, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setObjectName(name)
        self.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # wraps, never widens the page
        self.error = False

    def say(self, text: str, *, error: bool = False) -> None:
        self.error = error
        self.setText(text)
        self._colour()

    def _colour(self) -> None:
        want = f"color: {theme.colour('error' if self.error else 'ok')};"
        if self.styleSheet() != want:  # a style sheet set changes the palette: set only when it differs, or no end
            self.setStyleSheet(want)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt naming
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._colour()
