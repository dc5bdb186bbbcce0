"""Render the screenshots the README and docs/ show from the real demo (run under Xvfb by `./dev shots`).

Usage: python packaging/screenshots.py OUT_DIR

Every tab at 1024×700 and at 1600×1000, in the light and the dark theme ({tab}-{size}-{theme}.png), then the
dialogs a user meets (consent, bulk consent, a team's "Mine" view and an e-mail to a customer, the portal review, the playbook, connect, welcome, shortcuts).
Each step waits for what it shows (a loaded tab, an open dialog) instead of a fixed delay where it can.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from console.domain.experiments import Variant
from console.domain.offers import CouponOffer
from console.domain.playbook import DEFAULT_RULES, PAUSE_2, Playbook, Rule
from console.secrets.keystore import KeyStore
from console.services import demo_server, desk
from console.services.connection import open_demo
from console.services.keys import KeyService
from console.services.workspace import PLAYBOOK
from console.ui import theme
from console.ui.dialogs.attribution_order import AttributionOrderDialog
from console.ui.dialogs.connect import ConnectDialog
from console.ui.dialogs.consent import ConsentDialog
from console.ui.dialogs.desk import OutreachDialog
from console.ui.dialogs.experiment import ExperimentDialog
from console.ui.dialogs.playbook import TEST, PlaybookDialog
from console.ui.help import ShortcutsDialog
from console.ui.main_window import MainWindow
from console.ui.portal.dialogs import DiffDialog
from console.ui.queue.filter_bar import VIEW_ALL, VIEW_MINE
from console.ui.queue.model import ROW_ROLE
from console.ui.welcome import WelcomeDialog

SIZES = ((1024, 700), (1600, 1000))
TABS = ("queue", "failed", "journal", "portal", "outcomes", "recovery", "overview")


class Shots:
    """Runs steps one after another on the event loop; a step calls `self.next()` (or `later`/`when`) when done."""

    def __init__(self, app: QApplication, window: MainWindow, out: Path) -> None:
        self.app, self.window, self.out = app, window, out
        self.steps: list[Callable[[], None]] = []
        self.failed: str | None = None

    def next(self) -> None:
        if self.steps:
            self.steps.pop(0)()
        else:
            self.window.close()
            self.app.quit()

    def later(self, ms: int, fn: Callable[[], None]) -> None:
        QTimer.singleShot(ms, fn)

    def when(self, ready: Callable[[], object], fn: Callable[[object], None], waited: int = 0) -> None:
        found = ready()
        if found:
            QTimer.singleShot(250, lambda: fn(found))  # painted once more after it appeared
        elif waited > 30_000:
            self.failed = f"timed out waiting at step {len(self.steps)}"
            self.app.quit()
        else:
            QTimer.singleShot(50, lambda: self.when(ready, fn, waited + 50))

    def grab(self, widget: QWidget, name: str) -> None:
        widget.grab().save(str(self.out / f"{name}.png"))

    def modal(self, kind: type) -> Callable[[], object]:
        return lambda: (w := QApplication.activeModalWidget()) is not None and isinstance(w, kind) and w.isVisible() and w


def demo_experiment(data: Path) -> None:
    """The demo's playbook runs one offer experiment on price objections (a discount against a pause), started
    twelve weeks ago, so the Outcomes tab's comparison has customers in it."""
    a = CouponOffer(coupon_id="RETAIN25-3M")
    started = (date.today() - timedelta(weeks=12)).isoformat()
    test = Rule(("too_expensive",), a, note="Price objection: a discount or a pause?", experiment="price-objection",
                variants=(Variant("A", a), Variant("B", PAUSE_2)), started=started)  # fmt: skip
    Playbook(rules=[test, *DEFAULT_RULES]).save(data / PLAYBOOK)


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    os.environ[theme.THEME_ENV] = "light"
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    data = Path(tempfile.mkdtemp(prefix="churn-console-shots-"))
    desk.DeskSettings(product_url="https://app.acme.example/account/billing").save(data)  # the e-mails' link
    demo_experiment(data)
    window = MainWindow(lambda: open_demo(data), data)
    window.context.set_operator("Dana (CS)")
    window.resize(*SIZES[1])
    window.show()
    s = Shots(app, window, out)
    queue = window.queue

    def rows():
        return [queue.proxy.index(i, 0).data(ROW_ROLE) for i in range(queue.proxy.rowCount())]

    def pick_customer() -> None:
        """A customer with a comment whose recommended offer is a coupon: the detail pane has something to say."""
        found = rows()
        at = next((i for i, r in enumerate(found) if window.recommendation(r).kind == "coupon" and r.comment), 0)
        queue.table.selectRow(at)

    def consent() -> None:
        window.tabs.setCurrentWidget(queue)
        pick_customer()

        def shoot(dialog) -> None:
            dialog.note.setText("Agreed on the phone, ticket T-4821")
            s.later(200, lambda: (s.grab(dialog, "consent"), dialog.accept()))

        window.controller.applied.connect(lambda _a: s.later(600, lambda: (s.grab(window, "saved"), s.next())))
        s.when(s.modal(ConsentDialog), shoot)
        window.queue.action_bar.primary.click()

    def bulk_consent() -> None:
        queue.table.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for i in range(1, 5):
            queue.table.selectionModel().select(queue.proxy.index(i, 0), flags)
        s.when(s.modal(ConsentDialog), lambda d: (s.grab(d, "bulk-consent"), d.reject(), s.later(100, s.next)))
        window.queue.action_bar.primary.click()

    def team() -> None:
        """A team at work: Dana's rows (one due today, one contacted, one waiting), and Sam's; then "Mine"."""
        workspace, found = window.workspace, rows()
        assert workspace is not None
        ids = [r.subscription_id for r in found]
        price = next(r.subscription_id for r in found if r.feedback == "too_expensive" and r.email)
        today = date.today()
        desk.take(workspace, "Dana (CS)", [*ids[:4], price])
        desk.take(workspace, "Sam (CS)", ids[5:8])
        desk.note(workspace, "Dana (CS)", ids[1], "Left a voicemail; calling back after their budget meeting", follow_up=today)
        desk.contacted(workspace, "Dana (CS)", ids[2], "call", follow_up=today + timedelta(days=3))
        desk.note(workspace, "Dana (CS)", ids[3], "Wants to think it over until Friday", state="waiting")
        desk.note(workspace, "Sam (CS)", ids[6], "Asked for a quote on the annual plan", state="waiting")

        def mine() -> None:
            queue.refreshed.disconnect(mine)
            queue.filters.show_view(VIEW_MINE)
            queue.table.selectRow(0)
            s.later(400, lambda: (s.grab(window, "desk-mine"), outreach(price)))

        queue.refreshed.connect(mine)
        queue.refresh()

    def outreach(sub_id: str) -> None:
        queue.filters.show_view(VIEW_ALL)
        queue.select_subscription(sub_id)
        s.when(s.modal(OutreachDialog), lambda d: (s.grab(d, "outreach-price"), d.reject(), s.later(100, s.next)))
        queue.desk.write()

    def card_link() -> None:
        """The e-mail Write to customer… offers on a failed payment: a card-update link from its templates."""
        window.resize(*SIZES[1])
        window.tabs.setCurrentWidget(window.failed_tab)
        page = window.failed_page
        page.table.selectRow(0)
        s.when(s.modal(OutreachDialog), lambda d: (s.grab(d, "outreach-card-link"), d.reject(), s.later(100, s.next)))
        s.later(300, page.desk.write)

    def details() -> None:
        """The detail pane explaining a tiered MRR (a discounted one when the demo has it), then the same pane
        showing a customer's hostile name and comment as typed."""
        window.resize(*SIZES[1])
        window.tabs.setCurrentWidget(queue)
        queue.filters.show_view(VIEW_ALL)
        found = rows()
        tiered = [i for i, r in enumerate(found) if r.plan.startswith(("Seats", "Volume"))]
        at = next((i for i in tiered if found[i].discount), tiered[0])
        queue.table.selectRow(at)

        def hostile() -> None:
            row = replace(
                found[at],
                customer_name="Ann <b>Boss</b>\u202e <img src=x>",
                email='=HYPERLINK("http://evil.example")@example.com',
                comment="<script>alert(1)</script> \x1b[31mred in a terminal\x1b[0m and <a href='x'>a link</a>",
            )
            queue.detail.show_row(row, [], queue.model.now)
            s.later(300, lambda: (s.grab(queue.detail, "detail-hostile-text"), queue.table.selectRow(0), s.next()))

        s.later(400, lambda: (s.grab(queue.detail, "detail-tiered-mrr"), hostile()))

    def tab(name: str, size: tuple[int, int], scheme: str) -> Callable[[], None]:
        def step() -> None:
            window.resize(*size)
            page = {"queue": queue, "failed": window.failed_tab, "journal": window.journal_page, "portal": window.portal_tab,
                    "outcomes": window.outcomes_tab, "recovery": window.recovery_tab, "overview": window.overview}[name]  # fmt: skip
            window.tabs.setCurrentWidget(page)
            if name == "queue":
                pick_customer()
            if name == "failed":  # the first row, its detail pane and timeline
                s.later(300, lambda: window.failed_page.table.selectRow(0))
            if name == "outcomes":
                window.analytics_page.preset.setCurrentIndex(2)
            ready = (lambda: window.portal_page.loaded) if name == "portal" else (lambda: True)
            if name == "recovery":
                ready = lambda: window.recovery_page.figures is not None  # noqa: E731 - read on a worker
            if name == "outcomes":
                ready = lambda: not window.analytics_page.busy and window.analytics_page.report is not None  # noqa: E731

            def shoot() -> None:
                s.grab(window, f"{name}-{size[0]}x{size[1]}-{scheme}")
                if name == "outcomes" and size == SIZES[1]:  # the experiment's comparison, below the charts
                    s.grab(window.analytics_page.experiments, f"outcomes-experiments-{scheme}")
                s.next()

            s.when(ready, lambda _r: s.later(400, shoot))

        return step

    def switch(scheme: str) -> Callable[[], None]:
        def step() -> None:
            os.environ[theme.THEME_ENV] = scheme
            theme.apply(app)
            s.later(300, s.next)

        return step

    def review() -> None:
        window.resize(*SIZES[1])
        window.tabs.setCurrentWidget(window.portal_tab)
        form = window.portal_page.form
        form.headline.setText("Acme: manage your plan, pause or switch")
        form.pause.setChecked(True)
        form.reasons["low_quality"].setChecked(False)
        s.when(s.modal(DiffDialog), lambda d: (s.grab(d, "portal-review"), d.reject(), s.later(100, discard)))
        window.portal_page.save.click()

    def discard() -> None:
        window.portal_page.discard.click()
        s.next()

    def custom_reason() -> None:
        """A reason of the team's own, added from the editor: on Stripe at once, ticked here, to review and save."""
        page = window.portal_page
        default = next(i for i, c in enumerate(page.configs) if c.is_default)  # the one whose customers can cancel
        page.list.setCurrentRow(default)

        def add() -> None:
            page.create_reason("Too many seats for our team")
            s.when(
                lambda: "Added the reason" in page.status.text(), lambda _t: (s.grab(window, "portal-custom-reason"), discard())
            )

        s.when(lambda: page.original is not None and page.original.is_default, lambda _c: add())

    def relaunch() -> None:
        """The window closed and opened again on the same data dir: the Overview loads from the cache and the sync."""
        window.close()
        again = MainWindow(lambda: open_demo(data), data)
        again.resize(*SIZES[1])
        s.window = again  # the one closed at the end
        again.overview_loaded.connect(lambda _ov: s.later(400, lambda: (s.grab(again, "overview-relaunch"), s.next())))
        again.show()
        again.tabs.setCurrentWidget(again.overview)

    def playbook() -> None:
        window.tabs.setCurrentWidget(queue)

        def shoot(editor) -> None:
            s.grab(editor, "playbook")
            cell = next(editor.table.cellWidget(i, TEST) for i in range(editor.table.rowCount())
                        if editor.table.cellWidget(i, TEST).property("experiment"))  # fmt: skip

            def order() -> None:  # then the recovery attribution's order; the editor closes once it is shot
                s.when(s.modal(AttributionOrderDialog), lambda d: (s.grab(d, "attribution-order"), d.reject(),
                                                                   s.later(100, editor.reject)))  # fmt: skip
                editor.attribution.change.click()

            s.when(s.modal(ExperimentDialog), lambda d: (s.grab(d, "experiment"), d.reject(), s.later(100, order)))
            cell.click()  # opens the experiment's own dialog

        s.when(s.modal(PlaybookDialog), shoot)
        window.edit_playbook()
        s.later(100, s.next)

    def connect() -> None:
        sandbox = demo_server.running(data)  # the data dir's demo account (services/demo_server.py): its URL and key
        assert sandbox is not None
        service = KeyService(Path(tempfile.mkdtemp(prefix="churn-console-shots-keys-")), KeyStore())
        dialog = ConnectDialog(service, window.runner, api_base=sandbox.url, parent=window)
        dialog.key.setText(sandbox.key)
        dialog.show()
        dialog.verify_button.click()
        s.when(lambda: dialog.permissions.rowCount(), lambda _n: (s.grab(dialog, "connect"), dialog.reject(), s.next()))

    def welcome() -> None:
        dialog = WelcomeDialog(window)
        dialog.show()

        def second() -> None:
            dialog.connect_button.click()
            s.later(300, lambda: (s.grab(dialog, "welcome-key"), dialog.reject(), s.next()))

        s.later(300, lambda: (s.grab(dialog, "welcome"), second()))

    def shortcuts() -> None:
        dialog = ShortcutsDialog(window)
        dialog.show()
        s.later(300, lambda: (s.grab(dialog, "shortcuts"), dialog.reject(), s.next()))

    s.steps += [consent, bulk_consent, team]
    for scheme in ("light", "dark"):
        s.steps.append(switch(scheme))
        s.steps += [tab(name, size, scheme) for size in SIZES for name in TABS]
    s.steps += [switch("light"), card_link, details, review, custom_reason, playbook, connect, welcome, shortcuts, relaunch]
    started = []
    window.overview_loaded.connect(lambda _ov: None if started else (started.append(1), s.later(300, s.next)))
    QTimer.singleShot(240_000, lambda: (setattr(s, "failed", "timed out"), app.quit()))
    app.exec()
    if s.failed or s.steps:
        print(f"screenshots: {s.failed or 'not every step ran'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    code = main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots"))
    sys.stdout.flush()
    os._exit(code)  # the PNGs are written: skip tearing down the demo's widgets and threads at interpreter exit
