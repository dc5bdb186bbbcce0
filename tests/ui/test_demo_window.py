"""The demo window: account, TEST badge and overview figures read through the gateway."""

from __future__ import annotations

import pytest
import stripe

from console.errors import Offline
from console.sandbox.app import Sandbox
from console.services.connection import Connection
from console.stripe_gateway import StripeGateway
from console.ui.main_window import MainWindow


@pytest.fixture
def demo():
    with Sandbox(seed=5, customers=80) as sb:
        yield sb


def test_window_shows_account_mode_and_figures(qtbot, demo):
    window = MainWindow(lambda: Connection(StripeGateway(demo.key, demo.url), f"Demo sandbox at {demo.url}"))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.overview_loaded, timeout=20000) as blocker:
        window.show()
    ov = blocker.args[0]
    client = stripe.StripeClient(demo.key, base_addresses={"api": demo.url})
    pending = [
        s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end or s.cancel_at
    ]
    assert window.account_label.text().strip() == "Acme Analytics"
    assert window.mode_badge.text() == "TEST MODE"
    assert window.overview.cards["pending"].value.text() == str(len(pending)) == str(ov.pending_cancellations)
    assert "$" in window.overview.cards["at_risk"].value.text()
    assert window.overview.banner.isHidden()
    assert demo.url in window.where_label.text()


def test_refresh_with_f5_reads_again(qtbot, demo):
    window = MainWindow(lambda: Connection(StripeGateway(demo.key, demo.url), "demo"))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.overview_loaded, timeout=20000):
        window.show()
    client = stripe.StripeClient(demo.key, base_addresses={"api": demo.url})
    sub = next(
        s
        for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter()
        if not s.cancel_at_period_end and not s.cancel_at
    )
    client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
    before = int(window.overview.cards["pending"].value.text())
    with qtbot.waitSignal(window.overview_loaded, timeout=20000):
        window.refresh_action.trigger()
    assert int(window.overview.cards["pending"].value.text()) == before + 1


def test_unreachable_server_shows_a_banner_with_retry(qtbot, demo):
    url = demo.url
    demo.stop()
    window = MainWindow(lambda: Connection(StripeGateway(demo.key, url, max_retries=0), "gone"))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.load_failed, timeout=20000) as blocker:
        window.show()
    assert isinstance(blocker.args[0], Offline)
    assert window.overview.banner.isVisible()
    assert "Could not reach Stripe" in window.overview.banner_text.text()
    assert window.refresh_action.isEnabled()


def test_live_key_shows_the_live_badge(qtbot):
    with Sandbox(seed=5, customers=10, live=True) as live:
        window = MainWindow(lambda: Connection(StripeGateway(live.key, live.url), "live"))
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.overview_loaded, timeout=20000):
            window.show()
        assert window.mode_badge.text() == "LIVE MODE"
