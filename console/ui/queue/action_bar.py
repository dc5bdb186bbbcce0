"""The action bar above the queue: the one-click recommended offer, other offers, portal link."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QMenu, QPushButton, QSizePolicy, QToolButton, QWidget

from ...domain.models import Coupon
from ...domain.offers import ContactOffer, CouponOffer, Offer, PauseOffer, RevokeOffer, retention_coupon, terms_of, why_not
from ...domain.portal import PortalConfig
from ..said_bar import SaidBar

PAUSE_SHORTCUTS = {1: "Ctrl+1", 2: "Ctrl+2", 3: "Ctrl+3"}


class ElidingButton(QPushButton):
    """A button whose text gives way (ends in "…", whole in its tooltip) when the row is narrower than it, so the
    queue's buttons fit a 1024 px screen whatever the offer's words; text() is always the whole text."""

    MIN_CHARS = 18  # "Save: 25% off for…": enough to know which offer it is

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._full = text
        self._tip = ""
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def setToolTip(self, tip: str) -> None:  # noqa: N802 (Qt's name)
        self._tip = tip
        self._elide()

    def toolTip(self) -> str:  # noqa: N802
        return self._tip

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        self._full = text
        self._elide()
        self.updateGeometry()

    def text(self) -> str:
        return self._full

    def _padding(self) -> int:
        return super().sizeHint().width() - self.fontMetrics().horizontalAdvance(super().text())

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + self._padding(), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        shortest = self.fontMetrics().horizontalAdvance(self._full[: self.MIN_CHARS] + "…")
        return QSize(min(self.sizeHint().width(), shortest + self._padding()), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = max(self.width() - self._padding(), 0)
        shown = self._full
        if self.width() < self.sizeHint().width():
            short = self._full.split("  (")[0]  # the shortcut's hint goes first ("  (Ctrl+Enter)": in the tooltip)
            fm = self.fontMetrics()
            shown = short if fm.horizontalAdvance(short) <= room else fm.elidedText(short, Qt.TextElideMode.ElideRight, room)
        QPushButton.setText(self, shown)
        whole = self._full if shown != self._full else ""
        QPushButton.setToolTip(self, "\n".join(t for t in (whole, self._tip) if t))


class ActionBar(SaidBar):
    """Emits `offer_chosen(Offer | None)` (None = each row's recommendation), `custom_coupon`, `pause_until`, `portal_link`."""

    offer_chosen = Signal(object)
    custom_coupon = Signal()
    pause_until = Signal()
    portal_link = Signal(object)  # a portal configuration id, or None for the default
    undo_last = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = self.row  # the save desk's buttons join it (queue/desk_controller.py)
        self.primary = ElidingButton("Save")
        self.primary.setObjectName("saveRecommended")
        self.primary.setProperty("class", "primary")
        self.primary.clicked.connect(lambda: self.offer_chosen.emit(None))
        # Not the button's own shortcut: Qt drops that each time the button's text changes (every selection).
        self.save_shortcuts = []
        for keys in ("Ctrl+Return", "Ctrl+Enter"):  # the main Enter key and the keypad's
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(self._save_by_keyboard)
            self.save_shortcuts.append(shortcut)
        # A push button with a menu, not an instant-popup tool button: Fusion leaves its arrow room beside the text
        # (the tool button's arrow sat in its corner, over the last letter)
        self.more = QPushButton("Other offers")
        self.more.setObjectName("moreOffers")
        self.menu = QMenu(self.more)
        self.menu.setToolTipsVisible(True)  # a disabled coupon says why on hover too
        self.menu.setToolTipsVisible(True)  # a disabled offer says why
        self.more.setMenu(self.menu)
        self.link = QToolButton()
        self.link.setObjectName("portalLink")
        self.link.setText("Copy portal link")
        self.link.setShortcut(QKeySequence("Ctrl+L"))
        self.link.setToolTip("A one-time customer portal link, where the customer can renew or update their card (Ctrl+L)")
        self.link.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.link.clicked.connect(lambda: self.portal_link.emit(None))
        self.link_menu = QMenu(self.link)
        self.link.setMenu(self.link_menu)
        self.undo = QPushButton("Undo  (Ctrl+Z)")
        self.undo.setObjectName("undoLast")
        self.undo.setToolTip("Put the last save back as it was: the cancellation, and no discount or pause")
        self.undo.clicked.connect(lambda: self.undo_last.emit())
        self.undo.hide()
        undo_key = QShortcut(QKeySequence.StandardKey.Undo, self)
        undo_key.setContext(Qt.ShortcutContext.WindowShortcut)
        undo_key.activated.connect(lambda: self.undo.click() if self.undo.isVisible() and self.undo.isEnabled() else None)
        row.addWidget(self.primary)
        row.addWidget(self.more)
        row.addWidget(self.link)
        row.addWidget(self.undo)
        self.finish()
        self.shortcuts: list[QAction] = []
        self._pause_blocker: str | None = "Select a customer"
        self.set_coupons([])
        self.set_target(None, 0, enabled=False, reason="Select a customer")

    def _save_by_keyboard(self) -> None:
        if self.primary.isEnabled() and self.primary.isVisible():
            self.primary.click()

    def _choose(self, offer: Offer) -> None:
        self.offer_chosen.emit(offer)

    def set_coupons(self, coupons: list[Coupon]) -> None:
        """Rebuild the menu: valid coupons with their terms, a new one, pauses, revoke only, contact."""
        for action in self.shortcuts:  # before clear(), which deletes them
            self.removeAction(action)
        self.menu.clear()
        head = self.menu.addAction("Coupons")
        head.setEnabled(False)
        self.coupon_actions: dict[str, QAction] = {}
        self._coupon_text: dict[str, str] = {}
        for coupon in sorted((c for c in coupons if retention_coupon(c)), key=lambda c: c.id):  # never 100% forever
            text = f"{terms_of(coupon)}   ({coupon.id})"
            action = self.menu.addAction(text, partial(self._choose, CouponOffer(coupon_id=coupon.id)))
            self.coupon_actions[coupon.id] = action
            self._coupon_text[coupon.id] = text
        self.coupons = {c.id: c for c in coupons}
        new = self.menu.addAction("New coupon…", lambda: self.custom_coupon.emit())
        new.setShortcut(QKeySequence("Ctrl+K"))
        self.menu.addSeparator()
        for months, keys in PAUSE_SHORTCUTS.items():
            action = self.menu.addAction(
                f"Pause {months} month{'s' if months > 1 else ''}",
                partial(self._choose, PauseOffer(pause_months=months)),
            )
            action.setShortcut(QKeySequence(keys))
        self.menu.addAction("Pause until a date…", lambda: self.pause_until.emit())
        self.real_pause = self.menu.addAction(
            "Pause the subscription (no invoices until resumed)",
            lambda: self.offer_chosen.emit(PauseOffer(pause_mode="subscription")),
        )
        self.real_pause.setObjectName("realPause")
        self.allow_real_pause(self._pause_blocker)
        self.menu.addSeparator()
        revoke = self.menu.addAction(
            "Revoke only (the customer changed their mind)", lambda: self.offer_chosen.emit(RevokeOffer())
        )
        revoke.setShortcut(QKeySequence("Ctrl+R"))
        self.menu.addAction("Record a contact (the save desk; billing unchanged)", lambda: self.offer_chosen.emit(ContactOffer()))
        # the menu's shortcuts work while it is closed too
        self.shortcuts = [a for a in self.menu.actions() if not a.shortcut().isEmpty()]
        for action in self.shortcuts:
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)

    def set_configurations(self, configs: list[PortalConfig]) -> None:
        """The portal link's menu: the account's active configurations (the button uses the default)."""
        self.link_menu.clear()
        for config in configs:
            if config.active:
                name = config.name or config.id or ""
                label = f"{name}  (default)" if config.is_default and "default" not in name.lower() else name
                self.link_menu.addAction(label, partial(self.portal_link.emit, config.id))

    def set_target(self, offer_text: str | None, count: int, *, enabled: bool, reason: str = "") -> None:
        """What the primary button does for the current selection (one row or many)."""
        if count > 1:
            self.primary.setText(f"Apply recommended offers to {count} selected  (Ctrl+Enter)")
        elif offer_text:
            self.primary.setText(f"Save: {offer_text}  (Ctrl+Enter)")
        else:
            self.primary.setText("Save  (Ctrl+Enter)")
        for widget in (self.primary, self.more, self.link):
            widget.setEnabled(enabled)
            widget.setToolTip(reason if not enabled else "")
        self.link.setEnabled(enabled and count == 1)
        for action in self.shortcuts:
            action.setEnabled(enabled)

    def fit_to(self, currency: str | None, *, coupons_allowed: bool) -> None:
        """Coupons that cannot apply to the selected customer (another currency; or the key may not use
        coupons) are disabled, saying why, before any consent step."""
        for coupon_id, action in self.coupon_actions.items():
            why = why_not(CouponOffer(coupon_id=coupon_id), currency, self.coupons, coupons_allowed=coupons_allowed)
            action.setEnabled(why is None and self.more.isEnabled())
            action.setToolTip(why or "")
            # a disabled entry says why in its own text: a menu's tooltips show only on a hover most never make
            action.setText(self._coupon_text[coupon_id] + (f"  —  {why}" if why else ""))

    def allow_real_pause(self, blocker: str | None) -> None:
        """Stripe's real pause (status paused) where it allows one; else disabled, saying why (None = allowed)."""
        self._pause_blocker = blocker
        self.real_pause.setEnabled(blocker is None and self.more.isEnabled())
        self.real_pause.setToolTip(
            blocker or "Status becomes paused: no invoices and no access until you resume it (undo resumes it)."
        )

    def limit(self, *, coupons: str | None, portal: str | None) -> None:
        """Disable what the key may not do, saying which permission to add (None = allowed)."""
        for action in self.menu.actions():
            data = action.text()
            if "off" in data or data.startswith("New coupon"):
                action.setEnabled(coupons is None and action.isEnabled())
                action.setToolTip(coupons or "")
        if coupons is not None:
            self.primary.setToolTip(coupons if "off" in self.primary.text() else self.primary.toolTip())
        if portal is not None:
            self.link.setEnabled(False)
            self.link.setToolTip(portal)
