"""Preferences kept in QSettings: how often the queue refreshes itself."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QSpinBox, QWidget

REFRESH_KEY = "queue/refresh_minutes"
LIVE_CONFIRM_KEY = "actions/confirm_live"
OPERATOR_KEY = "actions/operator"
DEFAULT_REFRESH_MINUTES = 5


def settings_for(data_dir: Path) -> QSettings:
    """UI preferences beside the data they belong to (the demo keeps its own)."""
    return QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)


def confirm_live(settings: QSettings) -> bool:
    """On unless turned off (QSettings' ini files store booleans as text)."""
    return str(settings.value(LIVE_CONFIRM_KEY, "true")).lower() not in ("false", "0")


def refresh_minutes(settings: QSettings) -> int:
    try:
        return max(0, int(str(settings.value(REFRESH_KEY, DEFAULT_REFRESH_MINUTES))))
    except (TypeError, ValueError):
        return DEFAULT_REFRESH_MINUTES


class PreferencesDialog(QDialog):
    """Edits the preferences; they take effect when accepted."""

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        form = QFormLayout(self)
        self.refresh = QSpinBox()
        self.refresh.setObjectName("refreshMinutes")
        self.refresh.setRange(0, 240)
        self.refresh.setSuffix(" min")
        self.refresh.setSpecialValueText("Off: only F5 or Refresh")  # 0 means no automatic refresh
        self.refresh.setValue(refresh_minutes(settings))
        self.refresh.setToolTip("How often the queue syncs with Stripe by itself (0 = only when you press F5)")
        form.addRow("Sync the queue by itself every", self.refresh)
        self.operator = QLineEdit(str(settings.value(OPERATOR_KEY, "") or ""))
        self.operator.setObjectName("operatorName")
        self.operator.setPlaceholderText("Shown in the journal and in Stripe's metadata")
        form.addRow("Your name", self.operator)
        self.confirm_live = QCheckBox("Ask for an explicit confirmation of every live-mode action")
        self.confirm_live.setObjectName("confirmLive")
        self.confirm_live.setChecked(confirm_live(settings))
        form.addRow("Live mode", self.confirm_live)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        self.settings.setValue(REFRESH_KEY, self.refresh.value())
        self.settings.setValue(OPERATOR_KEY, self.operator.text().strip())
        self.settings.setValue(LIVE_CONFIRM_KEY, self.confirm_live.isChecked())
        self.settings.sync()
        super().accept()
