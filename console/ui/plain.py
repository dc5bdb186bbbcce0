"""Anyone's text (names, e-mails, comments, coupon names, reasons) shown as text, by widgets that guess rich text too."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from ..domain.text import no_reordering


def escape(text: str) -> str:
    """Anyone's text for rich text: its markup escaped, and no bidirectional control left to reorder what follows."""
    return html.escape(no_reordering(text))


def tooltip(text: str) -> str:
    """A tooltip that shows `text` exactly: Qt renders a tooltip as HTML when it merely looks like HTML."""
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>"


class TextLabel(QLabel):
    """A label for text that holds anything from outside (Stripe, other consoles, files, profiles): always plain
    text. QLabel's default, AutoText, renders whatever merely looks like HTML (Qt::mightBeRichText), so a portal
    configuration's name could draw a 40 px red span or load an image; this label cannot be switched to rich."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(no_reordering(text), parent)
        super().setTextFormat(Qt.TextFormat.PlainText)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming
        """Shown as typed, but for the bidirectional controls that would reorder it (domain/text.no_reordering)."""
        super().setText(no_reordering(text))

    def setTextFormat(self, _format: Qt.TextFormat) -> None:  # noqa: N802 - Qt naming
        super().setTextFormat(Qt.TextFormat.PlainText)
