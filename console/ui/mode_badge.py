"""The TEST (amber) / LIVE (red) badge that stays visible in the toolbar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

STYLES = {
    "test": ("TEST MODE", "#7a4b00", "#ffd27a", "Test-mode data: nothing here moves real money."),
    "live": ("LIVE MODE", "#ffffff", "#c62828", "Live mode: actions change real customers' subscriptions."),
    None: ("NOT CONNECTED", "#444444", "#dddddd", "No Stripe account connected."),
}


class ModeBadge(QLabel):
    """A pill that names the mode; its object name lets tests find it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("modeBadge")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.mode: str | None = None
        self.set_mode(None)

    def set_mode(self, mode: str | None, server: str | None = None) -> None:
        """The mode; a live key sent to a server other than Stripe's (the user's --allow-live-key-to) is named
        in red, always in view."""
        self.mode = mode
        text, fg, bg, tip = STYLES[mode]
        if mode == "live" and server:
            text, tip = f"LIVE KEY SENT TO {server}", f"This run sends your live key to {server}, not to Stripe."
        self.setText(text)
        self.setToolTip(tip)
        self.setAccessibleName(text)
        self.setStyleSheet(
            f"QLabel#modeBadge {{ color: {fg}; background: {bg}; border-radius: 9px; padding: 3px 12px; font-weight: 700; letter-spacing: 1px; }}"
        )
