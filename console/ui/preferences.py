"""Preferences: how often the queue refreshes itself, your name, live-mode confirmation (QSettings), and the save
desk's settings (desk.json in the data folder, which the CLI reads too: services/desk.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ..errors import ConsoleError
from ..services.desk_settings import DeskSettings
from ..services.operator import OPERATOR_ENV, overridden_by_environment, store_name, stored_name
from .plain import TextLabel, tooltip

END_CHOICES = {
    "cancel": "cancels the subscription",
    "unpaid": "marks it unpaid",
    "past_due": "leaves it past due",
    "pause": "pauses it",
}  # domain/failed.py END_ACTIONS, in words
REFRESH_KEY = "queue/refresh_minutes"
LIVE_CONFIRM_KEY = "actions/confirm_live"
OPERATOR_KEY = "actions/operator"  # where older versions kept the name, for the window alone (moved: keep_operator)
DEFAULT_REFRESH_MINUTES = 5


def settings_for(data_dir: Path) -> QSettings:
    """UI preferences beside the data they belong to (the demo keeps its own)."""
    return QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)


def keep_operator(settings: QSettings, data_dir: Path) -> None:
    """A name an older version kept in the window's settings becomes the data dir's name, which the CLI reads too."""
    old = str(settings.value(OPERATOR_KEY, "") or "").strip()
    if old and stored_name(data_dir) is None:
        try:
            store_name(data_dir, old)
        except OSError:
            return  # kept where it was; moved at a later start
    if old:
        settings.remove(OPERATOR_KEY)


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

    def __init__(self, settings: QSettings, parent: QWidget | None = None, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings, self.data_dir = settings, data_dir
        form = QFormLayout(self)
        self.refresh = QSpinBox()
        self.refresh.setObjectName("refreshMinutes")
        self.refresh.setRange(0, 240)
        self.refresh.setSuffix(" min")
        self.refresh.setSpecialValueText("Off: only F5 or Refresh")  # 0 means no automatic refresh
        self.refresh.setValue(refresh_minutes(settings))
        self.refresh.setToolTip("How often the queue syncs with Stripe by itself (0 = only when you press F5)")
        form.addRow("Sync the queue by itself every", self.refresh)
        self.operator = QLineEdit(stored_name(data_dir) or "")
        self.operator.setObjectName("operatorName")
        self.operator.setPlaceholderText("Shown in the journal and in Stripe's metadata")
        form.addRow("Your name", self.operator)
        if env := overridden_by_environment():  # the one rule: the environment wins, here and in every command
            self.operator.setToolTip(tooltip(f"{OPERATOR_ENV} is set to {env}: it is used instead while it is set."))
            overridden = TextLabel(f"{OPERATOR_ENV} is set ({env}): the journal uses that name while it is set.")
            overridden.setWordWrap(True)
            form.addRow("", overridden)
        self.confirm_live = QCheckBox("Ask for an explicit confirmation of every live-mode action")
        self.confirm_live.setObjectName("confirmLive")
        self.confirm_live.setChecked(confirm_live(settings))
        form.addRow("Live mode", self.confirm_live)
        self.problem = QLabel("")
        self.problem.setObjectName("preferencesProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.desk: DeskSettings | None = None
        if data_dir is not None:
            self._desk_rows(form, data_dir)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _desk_rows(self, form: QFormLayout, data_dir: Path) -> None:
        try:
            self.desk = DeskSettings.load(data_dir)
        except ConsoleError as exc:  # kept as it is: said here, and the desk's fields are not offered over it
            self.problem.setText(f"{exc.message} {exc.hint}")
            return
        self.lapse = QSpinBox()
        self.lapse.setObjectName("lapseDays")
        self.lapse.setRange(1, 365)
        self.lapse.setSuffix(" days")
        self.lapse.setValue(self.desk.lapse_days)
        self.lapse.setToolTip("A row taken by someone who then does nothing with it for this long is free again")
        form.addRow("A claim lapses after", self.lapse)
        self.min_mrr = QDoubleSpinBox()
        self.min_mrr.setObjectName("alertMinMrr")
        self.min_mrr.setRange(0, 10_000_000)
        self.min_mrr.setDecimals(2)
        self.min_mrr.setSpecialValueText("every new cancellation")
        self.min_mrr.setValue(self.desk.alert_min_mrr)
        self.min_mrr.setSuffix("  in each row's own currency")  # 100 means $100, €100 or ¥100: said where it is typed
        self.min_mrr.setToolTip("Notify only when the MRR at stake is at least this, in the subscription's own currency")
        form.addRow("Notify me of", self.min_mrr)
        self.product_url = QLineEdit(self.desk.product_url)
        self.product_url.setObjectName("productUrl")
        self.product_url.setPlaceholderText("https://… (used in e-mails when the portal's login page is off)")
        form.addRow("Your product's URL", self.product_url)
        # what the account's Revenue recovery settings say (no API reads them): when a failed payment's row ends
        self.retry_days = QSpinBox()
        self.retry_days.setObjectName("retryDays")
        self.retry_days.setRange(1, 60)
        self.retry_days.setSuffix(" days")
        self.retry_days.setValue(self.desk.retry_days)
        self.retry_end = QComboBox()
        self.retry_end.setObjectName("retryEnd")
        for code, words in END_CHOICES.items():
            self.retry_end.addItem(words, code)
        self.retry_end.setCurrentIndex(self.retry_end.findData(self.desk.retry_end))
        tip = "As in Stripe's Dashboard → Billing → Revenue recovery: the Failed payments tab's end dates follow it"
        self.retry_days.setToolTip(tip)
        self.retry_end.setToolTip(tip)
        form.addRow("Stripe retries failed payments for", self.retry_days)
        form.addRow("After the last retry, Stripe", self.retry_end)

    def accept(self) -> None:
        if self.data_dir is not None:  # the data dir's name: the window and every command on it read it
            try:
                store_name(self.data_dir, self.operator.text())
            except OSError as exc:
                self.problem.setText(f"Your name cannot be written ({exc.strerror}); nothing was changed.")
                return
        if self.desk is not None and self.data_dir is not None:
            url = self.product_url.text().strip()
            parts = urlsplit(url)
            if url and (parts.scheme not in ("https", "http") or not parts.netloc or " " in url):
                self.problem.setText(f"{url} is not a web address customers can open: write it as https://example.com/billing.")
                return
            desk = DeskSettings(
                lapse_days=self.lapse.value(), alert_min_mrr=self.min_mrr.value(), product_url=url,
                retry_days=self.retry_days.value(), retry_end=self.retry_end.currentData(),
            )  # fmt: skip
            try:
                desk.save(self.data_dir)
            except OSError as exc:
                self.problem.setText(f"The save desk's settings cannot be written ({exc.strerror}); nothing was changed.")
                return
        self.settings.setValue(REFRESH_KEY, self.refresh.value())
        self.settings.setValue(LIVE_CONFIRM_KEY, self.confirm_live.isChecked())
        self.settings.sync()
        super().accept()
