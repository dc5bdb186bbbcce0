"""Runs the action bar's offers: consent, then the action off the GUI thread, then the queue reloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from ..domain import permissions
from ..domain.action import Action, Consent
from ..domain.desk import CONTACT_CODE
from ..domain.models import Coupon
from ..domain.money import format_money, format_totals, totals
from ..domain.offers import Offer, action_words, why_not
from ..domain.queue import QueueRow
from ..errors import ConsoleError
from ..services import operations
from ..services.changes import AFTER_ACTION, Done
from ..services.operations import RowResult
from ..services.workspace import Workspace
from .context import PageContext
from .dialogs.bulk import BulkDialog
from .dialogs.consent import ask_consent
from .dialogs.offer_forms import CouponDialog, PauseDialog
from .plain import escape

T = TypeVar("T")

if TYPE_CHECKING:
    from .queue.surface import QueueSurface


def describe_error(error: ConsoleError) -> str:
    problems = getattr(error, "problems", {}) or {}
    extra = "".join(f"<br>• {escape(k)}: {escape(v)}" for k, v in problems.items())
    return f"<b>{escape(error.message)}</b> {escape(error.hint)}{extra}"


class ActionsController(QObject):
    """Owns nothing but the flow; the journal and Stripe are reached through the workspace."""

    applied = Signal(object)  # Action
    failed = Signal(object)  # ConsoleError

    def __init__(self, context: PageContext, page: QueueSurface) -> None:
        super().__init__(cast(QObject, page))  # the page itself (a QWidget): it owns its controllers
        self.context, self.page = context, page
        self.bar = page.action_bar
        self.bar.offer_chosen.connect(self.offer_chosen)
        self.bar.custom_coupon.connect(self.custom_coupon)
        self.bar.pause_until.connect(self.pause_until)
        self.bar.portal_link.connect(self.copy_portal_link)
        self.bar.undo_last.connect(self._undo_last)  # the Undo button and Ctrl+Z: the last save, or the last batch
        self.bar.status.linkActivated.connect(self._link)
        self.last_action: Action | None = None
        self.last_batch: list[str] = []  # the actions of the last bulk save, while its Undo stands
        self.confirm: Callable[[str, str], bool] = self._confirm  # a question with Yes / Cancel (tests answer it)

    # helpers --------------------------------------------------------------------------------
    @property
    def window(self) -> QWidget:
        """The dialogs' parent: the window the queue page sits in."""
        return self.page.window()

    def _online(self) -> Workspace | None:
        workspace = self.context.workspace
        if workspace is None or not workspace.online:
            self.bar.say("Stripe is not reachable: actions are disabled until the next successful sync.", error=True)
            return None
        return workspace

    def fit_bar(self, rows: list[QueueRow], online: bool, reason: str) -> None:
        """The action bar for this selection: what Save does, and which offers apply, each refusal said."""
        page, bar = self.page, self.bar
        bar.selection_is([r.subscription_id for r in rows])
        offer = page.recommendation(rows[0]).describe(self._coupons()) if len(rows) == 1 else None
        bar.set_target(
            offer, len(rows), enabled=online and bool(rows), reason=reason or ("Select a customer" if not rows else "")
        )
        bar.allow_real_pause(
            rows[0].pause_blocker if len(rows) == 1 else "Select one customer: a real pause is per subscription."
        )
        allowed = self.context.granted("rak_coupon_write")
        bar.limit(
            coupons=None if allowed else permissions.lacks("rak_coupon_write"),
            portal=None if self.context.granted("rak_billing_portal_write") else permissions.lacks("rak_billing_portal_write"),
        )
        bar.fit_to(rows[0].currency if len(rows) == 1 else None, coupons_allowed=allowed)
        if len(rows) == 1 and (
            why := why_not(page.recommendation(rows[0]), rows[0].currency, bar.coupons, coupons_allowed=allowed)
        ):
            bar.primary.setEnabled(False)
            bar.primary.setToolTip(why)

    def _rows(self) -> list[QueueRow]:
        return self.page.selected_rows()

    def _coupons(self) -> dict[str, Coupon]:
        return {c.id: c for c in self.context.coupons()}

    def _ask_consent(
        self, summary: str, customers: list[tuple[str, str, str]] | None = None, *, contact: bool = False
    ) -> tuple[Consent, str] | None:
        return ask_consent(self.context, self.window, summary, customers, contact=contact)

    def _operator(self) -> str:
        """The name Preferences holds, by the one rule (services/operator.py)."""
        return self.context.operator()

    def _act(self, op: Callable[[], Done[T]], done: Callable[[T], None]) -> None:
        """An action's operation: its answer said here, what it changed announced (a failure is journaled too)."""
        self.context.ops.run(op, done, self._failed, if_failed=AFTER_ACTION)

    def _confirm(self, title: str, text: str) -> bool:
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.window
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # a customer's name may be in it
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Yes

    # offers ----------------------------------------------------------------------------------
    def offer_chosen(self, offer: Offer | None) -> None:
        rows = self._rows()
        if not rows:
            return
        if len(rows) > 1:
            self.bulk(rows, offer)
            return
        row = rows[0]
        offer = offer or self.page.recommendation(row)
        self.apply(row, offer)

    def apply(self, row: QueueRow, offer: Offer) -> None:
        who = escape(row.customer_name or row.email or row.customer_id)
        if why := why_not(offer, row.currency, self._coupons(), coupons_allowed=self.context.granted("rak_coupon_write")):
            self.bar.say(f"<b>{escape(why)}</b> Nothing was sent.", error=True)  # before the consent step
            return
        summary = (
            f"{escape(offer.describe(self._coupons()))} for <b>{who}</b> — "  # a coupon's id is the account's text
            f"{escape(format_money(row.mrr_minor, row.currency))}/month at stake"
        )
        if offer.kind == "contact":  # nothing changes in Stripe, but the journal says how and what was said
            summary = f"Record a contact with <b>{who}</b>: how you reached them, and what was agreed or said"
        workspace = self.context.workspace
        second = bool(offer.kind == "coupon" and workspace and (why := workspace.second_discount(row.subscription_id)))
        if second and not self.confirm("A second discount?", f"{why}\n\nGive {offer.describe(self._coupons())} anyway?"):
            return  # warned before a second discount (the playbook's guardrail); nothing was sent
        asked = self._ask_consent(summary, contact=offer.kind == "contact")
        if asked is None:
            return
        consent, operator = asked
        workspace = self._online()
        if workspace is None:
            return
        words = offer.describe(self._coupons())  # in words now: a new coupon's id is Stripe's, and random
        self.bar.say(f"Sending {escape(words)} for {who}…", progress=True)
        sub_id = row.subscription_id
        self._act(
            lambda: operations.apply_offer(workspace, operator, sub_id, offer, consent, second_discount=second),
            lambda a: self._applied(a, words),
        )

    def custom_coupon(self) -> None:
        self._offer_from_dialog(lambda row: CouponDialog(row.currency, self.window))

    def pause_until(self) -> None:
        self._offer_from_dialog(lambda row: PauseDialog(self.window))

    def _offer_from_dialog(self, make: Callable[[QueueRow], CouponDialog | PauseDialog]) -> None:
        """For one selected row: ask for the offer's details in a dialog, then apply it."""
        rows = self._rows()
        if len(rows) != 1:
            return
        dialog = make(rows[0])
        if dialog.exec():
            self.apply(rows[0], dialog.offer())

    def bulk(self, rows: list[QueueRow], offer: Offer | None) -> None:
        coupons = self._coupons()
        items = [(r.subscription_id, offer or self.page.recommendation(r)) for r in rows]
        label = offer.describe(coupons) if offer else "Each customer's recommended offer"
        at_stake = format_totals(totals((r.mrr_minor, r.currency) for r in rows))
        listed = [
            (r.display_name, o.describe(coupons), format_money(r.mrr_minor, r.currency))
            for r, (_, o) in zip(rows, items, strict=True)
        ]
        asked = self._ask_consent(f"{escape(label)} for <b>{len(rows)} customers</b> — {escape(at_stake)}/month at stake", listed)
        if asked is None:
            return
        consent, operator = asked
        workspace = self._online()
        if workspace is None:
            return
        dialog = BulkDialog(
            self.window, self.context.ops, workspace, operator, items, consent, {r.subscription_id: r for r in rows}
        )
        dialog.batch_done.connect(self._batch_done)
        dialog.open()
        dialog.start()

    def undo(self, action_id: str) -> None:
        workspace, operator = self._online(), self._operator()
        if workspace is None:
            return
        self.bar.say("Undoing…", progress=True)
        self._act(lambda: operations.undo(workspace, operator, action_id), self._undone)

    def retry(self, action_id: str) -> None:
        """Journal → Retry: the same request with the same idempotency key."""
        workspace, operator = self._online(), self._operator()
        if workspace is not None:
            self._act(lambda: operations.retry(workspace, operator, action_id), self._applied)

    def recover_journal(self) -> None:
        """Journal → Recover its actions: merge a damaged journal copy back."""
        workspace = self.context.workspace
        if workspace is not None:
            self.context.ops.run(
                lambda: operations.recover_journal(workspace),
                lambda merged: self.context.say(f"Merged {merged} actions back from the damaged journal copy."),
            )

    def copy_portal_link(self, configuration: str | None = None) -> None:
        rows = self._rows()
        workspace = self._online() if len(rows) == 1 else None
        if workspace is None:
            return
        row, operator = rows[0], self._operator()
        self.context.ops.run(
            lambda: operations.portal_link(workspace, operator, row.customer_id, configuration),
            lambda url: self._copied(url, row),
            self._failed,
        )

    # results -----------------------------------------------------------------------------------
    def _applied(self, action: Action, words: str | None = None) -> None:
        who = escape(action.customer_name or action.customer_id)
        if action.failed_desk:  # Journal → Retry of a failed payment's charge or pause: not a save, no Undo here
            what = escape(action_words(action.kind, action.offer_code))
            if action.state == "declined":
                self.bar.say(f"<b>Declined:</b> {escape(action.error or '')}. Nothing was collected from {who}.", error=True)
            else:
                self.bar.say(f"{what}: {who}.")
            self.applied.emit(action)
            return
        self.last_action, self.last_batch = action, []
        if action.offer_code == CONTACT_CODE:
            self.bar.say(f"Recorded a contact with {who}.")
        else:
            what = escape(words or action_words(action.kind, action.offer_code, self._coupons()).lower())
            self.bar.say(f"Saved {who}: {what}. <a href='undo:{action.id}'>Undo</a>")
            self.bar.undo.show()
        self.applied.emit(action)

    def _undo_last(self) -> None:
        if self.last_batch:
            self.undo_batch()
        elif self.last_action is not None:
            self.undo(self.last_action.id)

    def _batch_done(self, results: list[RowResult]) -> None:
        """The status line after a bulk save: the batch's summary, with an Undo for the whole batch."""
        applied = [r.action.id for r in results if r.outcome == "applied" and r.action is not None]
        refused = sum(r.outcome == "refused" for r in results)
        failed = sum(r.outcome == "failed" for r in results)
        others = ", ".join(f"{n} {what}" for n, what in ((refused, "refused"), (failed, "failed")) if n)
        text = f"Saved {len(applied)} of {len(results)} customers" + (f" ({others})" if others else "") + "."
        self.last_batch = applied
        self.bar.say(f"{text} <a href='undo-batch:'>Undo all {len(applied)}</a>" if applied else text, error=not applied)
        if applied:
            self.bar.undo.show()

    def undo_batch(self) -> None:
        """Undo every save of the last bulk save (its status line's "Undo all")."""
        workspace, operator, ids = self._online(), self._operator(), list(self.last_batch)
        if workspace is None or not ids:
            return
        self._act(lambda: operations.undo_many(workspace, operator, ids), self._batch_undone)

    def _batch_undone(self, results: list[Action | ConsoleError]) -> None:
        self.last_batch = []
        self.bar.undo.hide()
        done = [r for r in results if isinstance(r, Action)]
        refused = [r for r in results if not isinstance(r, Action)]
        text = f"Undone: {len(done)} customer{'s' if len(done) != 1 else ''} set to cancel again."
        if refused:
            text += f" {len(refused)} could not be undone: {escape(refused[0].message)}"
        self.bar.say(text, error=bool(refused))
        if done:
            self.applied.emit(done[-1])

    def _undone(self, action: Action) -> None:
        self.bar.undo.hide()
        self.last_action = None
        who = escape(action.customer_name or action.customer_id)
        if action.failed_desk:  # Journal → Undo of a failed payment's pause
            self.bar.say(f"Undone: {who}'s subscription resumed. The invoice stays uncollectible (Stripe cannot reopen it).")
        else:
            self.bar.say(f"Undone: {who} is set to cancel again.")
        self.applied.emit(action)

    def _failed(self, error: ConsoleError) -> None:
        self.bar.say(describe_error(error), error=True)
        self.failed.emit(error)

    def _copied(self, url: str, row: QueueRow) -> None:
        QGuiApplication.clipboard().setText(url)
        self.bar.say(f"Portal link for {escape(row.customer_name or row.customer_id)} copied (one-time, expires soon).")

    def _link(self, href: str) -> None:
        if href.startswith("undo-batch:"):
            self.undo_batch()
        elif href.startswith("undo:"):
            self.undo(href[5:])
