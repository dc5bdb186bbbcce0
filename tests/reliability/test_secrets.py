"""Secrets and personal data: crash reports and INFO logs hold no key, no e-mail address, no customer name."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QTimer

from console import logs
from console.actions.service import Consent
from console.domain.offers import CouponOffer
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from console.ui.crash_dialog import CrashNotifier
from tests.integration.conftest import client_for

KEY = "rk_test_51Hx" + "Q" * 90
EMAIL = "olivia.martin@example.com"


@pytest.mark.qt_no_exception_capture
def test_a_crash_in_the_window_writes_a_redacted_report_and_shows_a_dialog(qtbot, tmp_path, process_hooks):
    notifier = CrashNotifier(tmp_path)

    def slot_that_fails():
        raise RuntimeError(f"boom while reading {EMAIL} with key {KEY}")

    QTimer.singleShot(0, slot_that_fails)
    qtbot.waitUntil(lambda: notifier.last is not None and notifier.last.isVisible(), timeout=5000)
    reports = list(tmp_path.glob("crash-*.log"))
    assert len(reports) == 1
    text = reports[0].read_text()
    assert "Traceback" in text and "slot_that_fails" in text and "RuntimeError" in text
    assert KEY not in text and EMAIL not in text and "rk_test_…" in text and "<email>" in text
    shown = notifier.last.text() + notifier.last.informativeText()
    assert str(reports[0]) in shown and KEY not in shown and EMAIL not in shown
    notifier.last.close()


def test_a_crash_in_a_worker_thread_is_reported_too(qtbot, tmp_path, process_hooks):
    notifier = CrashNotifier(tmp_path)
    thread = threading.Thread(target=lambda: 1 / 0)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: notifier.last is not None, timeout=5000)
    assert "ZeroDivisionError" in next(tmp_path.glob("crash-*.log")).read_text()
    notifier.last.close()


def test_info_logs_of_a_whole_session_name_no_customer(tmp_path, process_hooks):
    path = logs.setup(tmp_path / "logs", level=logging.DEBUG)  # process_hooks removes the handler afterwards
    with Sandbox(seed=13, customers=80) as sb:
        client = client_for(sb)
        customers = list(client.v1.customers.list({"limit": 100}).auto_paging_iter())
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "data")
        ws.sync(full=True)
        row = ws.queue()[0]
        ws.lifetime_value(row.customer_id)
        actions = ws.actions("Dana")
        saved = actions.apply(row.subscription_id, CouponOffer(coupon_id="HALF-1M"), Consent("call", f"spoke to {row.email}"))
        actions.undo(saved.id)
        logging.getLogger("console.test").info("customer wrote from %s", row.email)  # a careless line elsewhere
        ws.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text()
    assert "customer wrote from <email>" in text  # the filter caught it
    info = [line for line in text.splitlines() if " DEBUG " not in line]
    for customer in customers:
        for line in info:
            assert customer.email not in line, line
            assert not customer.name or customer.name not in line, line
    assert sb.key not in text
