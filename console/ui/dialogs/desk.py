"""The save desk's dialogs: a note (with the next follow-up and where the row stands), and the e-mail to a customer
(shown as plain text, opened in the mail app or copied)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.desk import LIMIT, STATE_WORDS
from ...domain.outreach import Letter, template_label
from ..dates import day_format
from ..plain import TextLabel
from ..text_size import scaled


class NoteDialog(QDialog):
    """The latest note (Stripe keeps 500 characters), an optional follow-up date, and an optional new state."""

    def __init__(self, who: str, current_note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note")
        self.setObjectName("noteDialog")
        layout = QVBoxLayout(self)
        heading = TextLabel(f"Note on {who}")  # a customer's name is their own text
        layout.addWidget(heading)
        self.text = QPlainTextEdit()
        self.text.setObjectName("noteText")
        self.text.setPlaceholderText("What happened, what was said, what comes next")
        self.text.setPlainText(current_note)
        self.text.setTabChangesFocus(True)  # Tab goes on to "Follow up on" (Space ticks it), as in every other field
        layout.addWidget(self.text)
        self.count = QLabel("")
        self.count.setProperty("class", "pageCaption")
        layout.addWidget(self.count)
        form = QFormLayout()
        self.follow = QCheckBox("Follow up on")
        self.follow.setObjectName("followUpOn")
        self.date = QDateEdit(QDate.currentDate().addDays(2))
        self.date.setObjectName("followUpDate")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat(day_format())  # the locale's date, as everywhere in the window
        self.date.setMinimumDate(QDate.currentDate())
        self.date.setEnabled(False)
        self.follow.toggled.connect(self.date.setEnabled)
        form.addRow(self.follow, self.date)
        self.state = QComboBox()
        self.state.setObjectName("deskState")
        self.state.addItem("(unchanged)", None)
        for key, words in STATE_WORDS.items():
            self.state.addItem(words, key)
        form.addRow("Where it stands", self.state)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.text.textChanged.connect(self._check)
        self.follow.toggled.connect(self._check)
        self.state.currentIndexChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        n = len(self.text.toPlainText().strip())
        self.count.setText(f"{n} of {LIMIT} characters" + (": too long for Stripe" if n > LIMIT else ""))
        something = n > 0 or self.follow.isChecked() or self.state.currentData() is not None
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(something and n <= LIMIT)

    def values(self) -> tuple[str, date | None, str | None]:
        follow = self.date.date().toPython() if self.follow.isChecked() else None
        return self.text.toPlainText().strip(), follow, self.state.currentData()  # type: ignore[return-value]


class OutreachDialog(QDialog):
    """The e-mail, as the customer will read it. "Open in mail app" and "Copy text" each record a contact attempt
    by e-mail; Close records nothing. `template_changed(name)` asks the controller for the letter again."""

    OPEN, COPY = "open", "copy"

    def __init__(self, letter: Letter, templates: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Write to the customer")
        self.setObjectName("outreachDialog")
        self.resize(scaled(620), scaled(520))
        self.choice: str | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.template = QComboBox()
        self.template.setObjectName("outreachTemplate")
        for name in templates:
            self.template.addItem(template_label(name), name)
        form.addRow("Template", self.template)
        self.to = TextLabel()  # a customer's address and the subject that names them: their own text
        self.subject = TextLabel()
        for label in (self.to, self.subject):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow("To", self.to)
        form.addRow("Subject", self.subject)
        layout.addLayout(form)
        self.body = QPlainTextEdit()  # plain text: the customer's name is never markup
        self.body.setObjectName("outreachBody")
        self.body.setReadOnly(True)
        layout.addWidget(self.body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("Open in mail app")
        self.open_button.setObjectName("outreachOpen")
        self.copy_button = QPushButton("Copy text")
        self.copy_button.setObjectName("outreachCopy")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.clicked.connect(lambda: self._done(self.OPEN))
        self.copy_button.clicked.connect(lambda: self._done(self.COPY))
        buttons.rejected.connect(self.reject)
        layout.addWidget(QLabel("Sending or copying it records a contact attempt by e-mail (no consent: nothing agreed yet)."))
        layout.addWidget(buttons)
        self.show_letter(letter)

    def show_letter(self, letter: Letter) -> None:
        self.letter = letter
        self.to.setText(letter.to)
        self.subject.setText(letter.subject)
        self.body.setPlainText(letter.body)
        self.template.blockSignals(True)
        self.template.setCurrentIndex(max(0, self.template.findData(letter.template)))
        self.template.blockSignals(False)

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.accept()
