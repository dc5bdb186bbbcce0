"""The save desk in the Queue tab: Take, Release, Note… and Write to customer… beside the offers. Each runs a
services/desk.py use case off the GUI thread; the queue then reads the owners and states back from the cache."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar, cast

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QPushButton, QWidget

from ...domain.outreach import Letter
from ...errors import ConsoleError
from ...services import desk
from ...services.changes import Done
from ...services.desk import DeskResult
from ...services.workspace import Workspace
from ..ask import ask
from ..dialogs.desk import NoteDialog, OutreachDialog
from ..plain import escape

if TYPE_CHECKING:
    from .surface import DeskRow, DeskSurface


T = TypeVar("T")
DESK_KEYS = {"take": "Ctrl+T", "release": "Ctrl+Shift+T", "note": "Ctrl+N", "write": "Ctrl+E"}


def desk_actions(desk: DeskController) -> tuple[tuple[str, str, str, str, Callable[[], None]], ...]:
    """(key, button text with its mnemonic, shortcut, tooltip, slot) of each desk action."""
    return (
        ("take", "&Take", DESK_KEYS["take"], "Make these rows yours: every console shows you as owner after its next sync", desk.take),
        ("release", "Re&lease", DESK_KEYS["release"], "Give these rows back to the team", desk.release),
        ("note", "&Note…", DESK_KEYS["note"], "The latest note, the next follow-up date and where the row stands", desk.note),
        ("write", "&Write to customer…", DESK_KEYS["write"], "An e-mail from the team's templates, with a link that still works", desk.write),
    )  # fmt: skip


class DeskController(QObject):
    def __init__(self, page: DeskSurface) -> None:
        super().__init__(cast(QObject, page))  # the page itself (a QWidget): it owns its controllers
        self.page, self.context, self.bar = page, page.context, page.action_bar
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl  # the desktop's mail client (tests record it)
        self.ask: Callable[[str, str], bool] = self._ask
        self.buttons: dict[str, QPushButton] = {}
        row = self.bar.row
        for key, text, keys, tip, slot in desk_actions(self):
            button = QPushButton(text)  # with its mnemonic (Alt+the underlined letter)
            button.setObjectName(f"desk_{key}")
            button.setToolTip(f"{tip} ({keys})")
            button.clicked.connect(slot)
            row.insertWidget(row.count() - 1, button)  # before the stretch
            self.buttons[key] = button
            # the same, by key, while the queue is on screen (listed in Help → Keyboard shortcuts)
            shortcut = QShortcut(QKeySequence(keys), cast(QWidget, page), lambda b=button: b.click() if b.isEnabled() else None)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        page.selection_changed.connect(lambda _rows: self.fit())
        page.refreshed.connect(self.follow_name)  # the consent dialog may have set the name meanwhile
        self.follow_name()
        self.fit()

    def me(self) -> str:
        return self.context.operator()

    def follow_name(self) -> None:
        """ "Mine" is the rows of the name in Preferences (read here, not on every selection: a keystroke's path)."""
        self.page.filters.set_me(self.me())

    def fit(self) -> None:
        rows = self.page.selected_rows()
        workspace = self.context.workspace
        online = workspace is not None and workspace.online and self.context.session.why_actions_off() is None
        for key, button in self.buttons.items():
            one = key in ("note", "write")
            button.setEnabled(online and (len(rows) == 1 if one else bool(rows)))

    # the buttons -------------------------------------------------------------------------------
    def take(self) -> None:
        rows, me = self.page.selected_rows(), self.me()
        now = datetime.now(UTC)
        theirs = [r for r in rows if r.desk.owner_now(now) not in ("", me)]
        force = False
        if theirs:
            names = "\n".join(f"• {_who(r)}: {r.desk.claimed_words()}" for r in theirs[:10])
            more = f"\n…and {len(theirs) - 10} more" if len(theirs) > 10 else ""
            if not self.ask(
                "Take rows someone else owns?", f"{names}{more}\n\nThey will see you as owner after their next sync."
            ):
                return
            force = True
        ids = [r.subscription_id for r in rows]
        self._run(lambda ws: desk.take(ws, me, ids, force=force), self._taken)

    def release(self) -> None:
        ids = [r.subscription_id for r in self.page.selected_rows()]
        self._run(lambda ws: desk.release(ws, self.me(), ids), lambda results: self._said([r.words for r in results]))

    def note(self) -> None:
        row = self._one()
        if row is None:
            return
        dialog = NoteDialog(_who(row), row.desk.note, self.page.window())
        if not dialog.exec():
            return
        text, follow_up, state = dialog.values()
        self._run(
            lambda ws: desk.note(ws, self.me(), row.subscription_id, text, follow_up=follow_up, state=state),
            lambda result: self._said([result.words]),
        )

    def write(self, template: str | None = None) -> None:
        row, workspace = self._one(), self.context.workspace
        if row is None or workspace is None:
            return
        try:
            names = desk.load_templates(workspace.data_dir).names(failed=self.page.failed_payments)
        except ConsoleError as exc:
            self._failed(exc)
            return
        me, page = self.me(), self.page
        self.context.runner.submit_side(
            lambda: page.letter(workspace, me, row.subscription_id, template),
            lambda letter: self._show_letter(row, letter, names),
            self._failed,
        )

    # helpers ------------------------------------------------------------------------------------
    def _show_letter(self, row: DeskRow, letter: Letter, names: list[str]) -> None:
        dialog = OutreachDialog(letter, names, self.page.window())
        self.dialog = dialog  # for tests and for the template switch below
        workspace, me = self.context.workspace, self.me()
        if workspace is None:
            return
        dialog.template.currentIndexChanged.connect(
            lambda _i: self.context.runner.submit_side(
                lambda: self.page.letter(workspace, me, row.subscription_id, dialog.template.currentData()),
                dialog.show_letter,
                self._failed,
            )
        )
        if not dialog.exec() or dialog.choice is None:
            return
        sent = dialog.letter
        if dialog.choice == OutreachDialog.OPEN:
            if not self.open_url(QUrl(sent.mailto())):
                self.bar.say("<b>No mail app opened the e-mail.</b> Use Copy text instead; nothing was recorded.", error=True)
                return
        else:
            QGuiApplication.clipboard().setText(sent.text())
        self._run(
            lambda ws: desk.record_sent(ws, me, row.subscription_id, sent),
            lambda r: self._said([f"{_who(row)}: e-mail recorded as a contact attempt"]),
        )

    def _one(self) -> DeskRow | None:
        rows = self.page.selected_rows()
        return rows[0] if len(rows) == 1 else None

    def _run(self, op: Callable[[Workspace], Done[T]], done: Callable[[T], None]) -> None:
        workspace = self.context.workspace
        if workspace is None or not workspace.online:
            self.bar.say("Stripe is not reachable: the desk is read-only until the next successful sync.", error=True)
            return
        self.bar.say("Sending…", progress=True)
        self.context.ops.run(lambda: op(workspace), done, self._failed)

    def _taken(self, results: Sequence[DeskResult | ConsoleError]) -> None:
        words, refused = [], False
        for result in results:
            if isinstance(result, ConsoleError):
                words.append(f"{result.message} {result.hint}")
                refused = True
            else:
                words.append(result.words)
                refused = refused or bool(result.lost_to)
        self._said(words, error=refused)

    def _said(self, words: list[str], *, error: bool = False) -> None:
        shown = "<br>".join(escape(w) for w in words[:5])
        more = f"<br>…and {len(words) - 5} more" if len(words) > 5 else ""
        self.bar.say(shown + more, error=error)

    def _failed(self, error: ConsoleError) -> None:
        self.bar.say(f"<b>{escape(error.message)}</b> {escape(error.hint)}", error=True)

    def _ask(self, title: str, text: str) -> bool:
        return ask(self.page.window(), title, text)


def _who(row: DeskRow) -> str:
    return row.customer_name or row.email or row.customer_id
