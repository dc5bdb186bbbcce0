"""The survey's custom reasons (Feedback Options API) in the portal form: tick to offer; new, rename, deactivate."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.feedback import MAX_OPTION_TEXT, FeedbackOption
from ...domain.text import no_reordering

ID_ROLE = Qt.ItemDataRole.UserRole


class CustomReasons(QWidget):
    """Which custom reasons this configuration offers (part of the configuration, saved with it), and the
    reasons themselves, which belong to the account: creating, renaming or deactivating one asks the page
    to do it on Stripe at once (`create_requested(text)`, `rename_requested(id, text)`, `deactivate_requested(id)`)."""

    changed = Signal()
    create_requested = Signal(str)
    rename_requested = Signal(str, str)
    deactivate_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options: dict[str, FeedbackOption] = {}
        self.offering = True  # ticks can change only while the configuration's survey is on
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("customReasons")
        self.list.setMaximumHeight(120)
        self.list.itemChanged.connect(lambda *_: self.changed.emit())
        self.list.currentItemChanged.connect(lambda *_: self._enable())
        outer.addWidget(self.list)
        row = QHBoxLayout()
        self.new = QPushButton("New reason…")
        self.new.setObjectName("customReasonNew")
        self.new.clicked.connect(self._ask_new)
        self.rename = QPushButton("Rename…")
        self.rename.setObjectName("customReasonRename")
        self.rename.clicked.connect(self._ask_rename)
        self.deactivate = QPushButton("Deactivate")
        self.deactivate.setObjectName("customReasonDeactivate")
        self.deactivate.setToolTip("No longer offered in any survey; answers already given keep it")
        self.deactivate.clicked.connect(self._deactivate)
        for button in (self.new, self.rename, self.deactivate):
            row.addWidget(button)
        row.addStretch(1)
        outer.addLayout(row)
        note = QLabel(
            "Reasons are your account's, shared by every configuration: new, rename and deactivate apply on Stripe at once."
        )
        note.setTextFormat(Qt.TextFormat.PlainText)
        note.setWordWrap(True)
        note.setProperty("class", "pageCaption")
        outer.addWidget(note)
        self._enable()

    def show_options(self, options: list[FeedbackOption], selected: list[str]) -> None:
        """Active reasons, and any inactive or unknown one the configuration still names (so it can be unticked)."""
        self.options = {o.id: o for o in options}
        self.list.blockSignals(True)
        self.list.clear()
        shown = [o.id for o in options if o.active] + [i for i in selected if i not in self.options or not self.options[i].active]
        for option_id in dict.fromkeys(shown):
            option = self.options.get(option_id)
            text = option.description if option else option_id
            if option is None:
                text += "  (not in this account)"
            elif not option.active:
                text += "  (inactive)"
            item = QListWidgetItem(no_reordering(text))  # an item's text is plain text, and anyone's
            item.setData(ID_ROLE, option_id)
            item.setToolTip(option_id)
            item.setCheckState(Qt.CheckState.Checked if option_id in selected else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.set_offering(self.offering)
        self._enable()

    def set_offering(self, on: bool) -> None:
        """Ticks follow the configuration's survey switch; the reasons themselves (the account's) stay editable."""
        self.offering = on
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable if on else item.flags() & ~Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            # a tick that cannot be changed must look so: greyed, saying why (the item stays selectable: the
            # reason itself, the account's, can still be renamed or deactivated)
            item.setForeground(
                self.palette().color(
                    QPalette.ColorGroup.Disabled if not on else QPalette.ColorGroup.Active, QPalette.ColorRole.Text
                )
            )
            option_id = str(item.data(ID_ROLE))  # the id stays in the tooltip, for support
            item.setToolTip(option_id if on else f"{option_id}: turn on “Customers can cancel” and the survey to offer it.")
        self.list.blockSignals(False)

    def selected(self) -> list[str]:
        items = (self.list.item(i) for i in range(self.list.count()))
        return [item.data(ID_ROLE) for item in items if item.checkState() == Qt.CheckState.Checked]

    def add(self, option: FeedbackOption, *, tick: bool) -> None:
        """A reason just created, renamed or deactivated on Stripe: show it, keeping the other ticks (a
        deactivated one is unticked: Stripe will not take an inactive reason on a configuration)."""
        chosen = [i for i in self.selected() if i != option.id or option.active]
        chosen += [option.id] if tick and option.id not in chosen else []
        self.show_options([*(o for o in self.options.values() if o.id != option.id), option], chosen)
        self.changed.emit()

    def _current(self) -> FeedbackOption | None:
        item = self.list.currentItem()
        return self.options.get(item.data(ID_ROLE)) if item is not None else None

    def _enable(self) -> None:
        current = self._current()
        self.rename.setEnabled(current is not None and current.active)
        self.deactivate.setEnabled(current is not None and current.active)

    def _ask(self, title: str, text: str) -> str | None:
        value, ok = QInputDialog.getText(
            self,
            title,
            f"The reason as customers read it (at most {MAX_OPTION_TEXT} characters):",
            QLineEdit.EchoMode.Normal,
            text,
        )
        return value.strip() if ok and value.strip() else None  # checked by the service: errors show under the list

    def _ask_new(self) -> None:
        if (text := self._ask("New cancellation reason", "")) is not None:
            self.create_requested.emit(text)

    def _ask_rename(self) -> None:
        current = self._current()
        if current is not None and (text := self._ask("Rename cancellation reason", current.description)) is not None:
            self.rename_requested.emit(current.id, text)

    def _deactivate(self) -> None:
        if (current := self._current()) is not None:
            self.deactivate_requested.emit(current.id)
