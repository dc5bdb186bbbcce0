"""Anyone's text (names, e-mails, comments, coupon names, reasons) shown as text by widgets that guess rich text."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget


def tooltip(text: str) -> str:
    """A tooltip that shows `text` exactly: Qt renders a tooltip as HTML when it merely looks like HTML."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


class TextLabel(QLabel):
    """A label for text that holds anything from outside (Stripe, other consoles, files, profiles): always plain
    text. QLabel's default, AutoText, renders whatever merely looks like HTML (Qt::mightBeRichText), so a portal
    configuration's name could draw a 40 px red span or load an image; this label cannot be switched to rich."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        super().setTextFormat(Qt.TextFormat.PlainText)

    def setTextFormat(self, _format: Qt.TextFormat) -> None:  # noqa: N802 - Qt naming
        super().setTextFormat(Qt.TextFormat.PlainText)
