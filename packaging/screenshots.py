"""Render the README's screenshots from the real demo (run under Xvfb by `./dev shots`).

Usage: python packaging/screenshots.py OUT_DIR
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.secrets.keystore import KeyStore
from console.services.connection import open_demo
from console.services.keys import KeyService
from console.ui import theme
from console.ui.dialogs.connect import ConnectDialog
from console.ui.dialogs.consent import OPERATOR_KEY, ConsentDialog
from console.ui.help import ShortcutsDialog
from console.ui.main_window import MainWindow
from console.ui.queue.model import ROW_ROLE
from console.ui.welcome import WelcomeDialog


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    os.environ[theme.THEME_ENV] = "light"  # the README's screenshots, whatever the machine's theme
    app = QApplication(sys.argv[:1])
    theme.apply(app)
    data = Path(tempfile.mkdtemp(prefix="churn-console-shots-"))
    window = MainWindow(lambda: open_demo(data), data)
    window.settings.setValue(OPERATOR_KEY, "Dana (CS)")
    window.resize(1400, 860)
    window.show()
    steps: list = []

    def queue_shot() -> None:
        rows = [window.queue.proxy.index(i, 0).data(ROW_ROLE) for i in range(window.queue.proxy.rowCount())]
        pick = next((i for i, r in enumerate(rows) if window.recommendation(r).kind == "coupon" and r.comment), 0)
        window.queue.table.selectRow(pick)
        QTimer.singleShot(700, lambda: (window.grab().save(str(out / "queue.png")), next_step()))

    def consent_shot() -> None:
        def grab_dialog() -> None:
            dialog = QApplication.activeModalWidget()
            if isinstance(dialog, ConsentDialog):
                dialog.note.setText("Agreed on the phone, ticket T-4821")
                QTimer.singleShot(300, lambda: (dialog.grab().save(str(out / "consent.png")), dialog.accept()))
            else:
                QTimer.singleShot(50, grab_dialog)

        window.controller.applied.connect(
            lambda _a: QTimer.singleShot(500, lambda: (window.grab().save(str(out / "saved.png")), next_step()))
        )
        QTimer.singleShot(0, grab_dialog)
        window.queue.action_bar.primary.click()

    def journal_shot() -> None:
        window.tabs.setCurrentWidget(window.journal_page)
        QTimer.singleShot(400, lambda: (window.grab().save(str(out / "journal.png")), next_step()))

    def overview_shot() -> None:
        window.tabs.setCurrentWidget(window.overview)
        QTimer.singleShot(400, lambda: (window.grab().save(str(out / "overview.png")), next_step()))

    def outcomes_shot() -> None:
        window.tabs.setCurrentWidget(window.analytics_page)
        window.analytics_page.preset.setCurrentIndex(2)
        QTimer.singleShot(600, lambda: (window.grab().save(str(out / "outcomes.png")), next_step()))

    def portal_shot() -> None:
        window.tabs.setCurrentWidget(window.portal_page)

        def wait() -> None:
            if window.portal_page.loaded:
                window.portal_page.list.setCurrentRow(1)
                QTimer.singleShot(400, lambda: (window.grab().save(str(out / "portal.png")), next_step()))
            else:
                QTimer.singleShot(100, wait)

        wait()

    def connect_shot() -> None:
        sandbox = window.connection.sandbox
        service = KeyService(Path(tempfile.mkdtemp(prefix="churn-console-shots-keys-")), KeyStore())
        dialog = ConnectDialog(service, window.runner, api_base=sandbox.url, parent=window)
        dialog.key.setText(sandbox.key)
        dialog.show()
        dialog.verify_button.click()

        def wait() -> None:
            if dialog.permissions.rowCount():
                QTimer.singleShot(300, lambda: (dialog.grab().save(str(out / "connect.png")), dialog.reject(), next_step()))
            else:
                QTimer.singleShot(100, wait)

        wait()

    def welcome_shots() -> None:
        dialog = WelcomeDialog(window)
        dialog.show()

        def second() -> None:
            dialog.connect_button.click()
            QTimer.singleShot(300, lambda: (dialog.grab().save(str(out / "welcome-key.png")), dialog.reject(), next_step()))

        QTimer.singleShot(300, lambda: (dialog.grab().save(str(out / "welcome.png")), second()))

    def shortcuts_shot() -> None:
        dialog = ShortcutsDialog(window)
        dialog.show()
        QTimer.singleShot(300, lambda: (dialog.grab().save(str(out / "shortcuts.png")), dialog.reject(), next_step()))

    def dark_shot() -> None:
        os.environ[theme.THEME_ENV] = "dark"
        theme.apply(app)
        window.tabs.setCurrentWidget(window.queue)

        def back_to_light() -> None:
            window.grab().save(str(out / "queue-dark.png"))
            os.environ[theme.THEME_ENV] = "light"
            theme.apply(app)
            next_step()

        QTimer.singleShot(600, back_to_light)

    steps.extend(
        [
            queue_shot,
            consent_shot,
            journal_shot,
            overview_shot,
            outcomes_shot,
            portal_shot,
            connect_shot,
            welcome_shots,
            shortcuts_shot,
            dark_shot,
            lambda: (window.close(), app.quit()),
        ]
    )

    def next_step() -> None:
        steps.pop(0)()

    window.overview_loaded.connect(lambda _ov: QTimer.singleShot(300, next_step) if len(steps) == 11 else None)
    QTimer.singleShot(90_000, app.quit)
    app.exec()
    return 0 if len(steps) == 0 else 1


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "resources/screenshots")))
