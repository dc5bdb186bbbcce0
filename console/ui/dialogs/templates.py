"""The team's e-mail templates (outreach.json in the data folder): one per reason, per offer, a default, and the
team's own; each checked for placeholders the console does not fill before it is saved."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.outreach import DEFAULTS, PLACEHOLDERS, Template, Templates, template_label
from ..text_size import scaled

BUILTIN = {t.name: t for t in DEFAULTS}


class TemplatesDialog(QDialog):
    """Edits a copy of the templates; `templates()` is the result once accepted."""

    def __init__(self, templates: Templates, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("E-mail templates")
        self.setObjectName("templatesDialog")
        self.resize(scaled(820), scaled(520))
        self.edited: dict[str, Template] = dict(templates.by_name)
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        self.names = QListWidget()
        self.names.setObjectName("templateNames")
        self.names.setMaximumWidth(scaled(260))
        row.addWidget(self.names)
        right = QVBoxLayout()
        self.subject = QLineEdit()
        self.subject.setObjectName("templateSubject")
        self.body = QPlainTextEdit()
        self.body.setObjectName("templateBody")
        right.addWidget(QLabel("Subject"))
        right.addWidget(self.subject)
        right.addWidget(QLabel("Body"))
        right.addWidget(self.body, 1)
        self.help = QLabel("Placeholders: " + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
        self.help.setTextFormat(Qt.TextFormat.PlainText)
        self.help.setWordWrap(True)
        right.addWidget(self.help)
        self.problem = QLabel("")
        self.problem.setObjectName("templateProblem")
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        right.addWidget(self.problem)
        row.addLayout(right, 1)
        outer.addLayout(row, 1)
        buttons = QHBoxLayout()
        self.new = QPushButton("New…")
        self.reset = QPushButton("Back to the built-in text")
        self.delete = QPushButton("Delete")
        for b, name in ((self.new, "templateNew"), (self.reset, "templateReset"), (self.delete, "templateDelete")):
            b.setObjectName(name)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.addWidget(self.box)
        outer.addLayout(buttons)
        self.new.clicked.connect(self._new)
        self.reset.clicked.connect(self._reset)
        self.delete.clicked.connect(self._delete)
        self.box.accepted.connect(self.accept)
        self.box.rejected.connect(self.reject)
        self.names.currentItemChanged.connect(self._switch)
        self.subject.textEdited.connect(self._keep)
        self.body.textChanged.connect(self._keep)
        self._fill()

    def _fill(self, current: str | None = None) -> None:
        self.names.blockSignals(True)
        self.names.clear()
        for name in sorted(self.edited, key=lambda n: (n != "default", n)):
            item = QListWidgetItem(template_label(name))
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.names.addItem(item)
            if name == current:
                self.names.setCurrentItem(item)
        self.names.blockSignals(False)
        if self.names.currentItem() is None:
            self.names.setCurrentRow(0)
        self._switch()

    def current(self) -> str | None:
        item = self.names.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def _switch(self, *_args: object) -> None:
        name = self.current()
        t = self.edited.get(name or "")
        for w in (self.subject, self.body):
            w.blockSignals(True)
        self.subject.setText(t.subject if t else "")
        self.body.setPlainText(t.body if t else "")
        for w in (self.subject, self.body):
            w.blockSignals(False)
        self.reset.setEnabled(bool(name in BUILTIN and self.edited.get(name) != BUILTIN[name]))
        self.delete.setEnabled(bool(name and name not in BUILTIN))
        self._check()

    def _keep(self, *_args: object) -> None:
        name = self.current()
        if name:
            self.edited[name] = Template(name, self.subject.text(), self.body.toPlainText())
            self.reset.setEnabled(name in BUILTIN and self.edited[name] != BUILTIN[name])
        self._check()

    def _check(self) -> bool:
        bad = {n: t.problems() for n, t in self.edited.items() if t.problems() or not t.subject.strip()}
        if bad:
            name, problems = next(iter(bad.items()))
            why = ", ".join(problems) if problems else "no subject"
            self.problem.setText(f"{template_label(name)}: {why}. Fix it to save.")
        else:
            self.problem.setText("")
        self.box.button(QDialogButtonBox.StandardButton.Save).setEnabled(not bad)
        return not bad

    def _new(self) -> None:
        name, ok = QInputDialog.getText(self, "New template", "Name (for example: vip or reason:too_expensive)")
        name = name.strip()
        if ok and name and name not in self.edited:
            self.add(name)

    def add(self, name: str) -> None:
        self.edited[name] = Template(name, self.edited["default"].subject, self.edited["default"].body)
        self._fill(name)

    def _reset(self) -> None:
        name = self.current()
        if name in BUILTIN:
            self.edited[name] = BUILTIN[name]
            self._fill(name)

    def _delete(self) -> None:
        name = self.current()
        if name and name not in BUILTIN:
            del self.edited[name]
            self._fill()

    def templates(self) -> Templates:
        return Templates(list(self.edited.values()))
