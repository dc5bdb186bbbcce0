"""Anyone's text (names, e-mails, comments, coupon names, reasons) shown as text by widgets that guess rich text."""

from __future__ import annotations

import html


def tooltip(text: str) -> str:
    """A tooltip that shows `text` exactly: Qt renders a tooltip as HTML when it merely looks like HTML."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"
