"""The window: account, TEST/LIVE badge, overview figures read through the gateway."""

from __future__ import annotations

import stripe

from console.errors import Offline
from console.sandbox.app import Sandbox


def pending_ids(sb) -> set[str]:
    client = stripe.StripeClient(sb.key, base_addresses={"api": sb.url})
    return {
        s.id for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end or s.cancel_at
    }


def test_window_shows_account_mode_and_figures(open_window, demo):
    window = open_window(demo)
    assert window.account_label.text().strip() == "Acme profile"  # the key cannot read the account: the profile names it
    assert window.mode_badge.text() == "TEST MODE"
    assert window.overview.cards["pending"].value.text() == str(len(pending_ids(demo)))
    assert "$" in window.overview.cards["at_risk"].value.text()
    assert window.overview.banner.isHidden()
    assert demo.url in window.where_label.text()
    assert window.tabs.currentWidget() is window.queue


def test_unreachable_server_with_no_cache_says_so(qtbot, open_window, demo):
    url = demo.url
    demo.stop()
    window = open_window(demo, url=url)
    assert window.queue.offline.isVisible()
    assert "Offline since" in window.queue.offline_text.text()
    assert "no cached queue" in window.queue.offline_text.text()
    assert "Could not reach Stripe" in window.overview.banner_text.text()
    assert window.refresh_action.isEnabled()


def test_live_key_shows_the_live_badge(open_window):
    with Sandbox(seed=5, customers=10, live=True) as live:
        window = open_window(live)
        assert window.mode_badge.text() == "LIVE MODE"


def test_failure_signal_carries_a_console_error(qtbot, open_window, demo):
    url = demo.url
    demo.stop()
    window = open_window(demo, url=url, wait=False)
    with qtbot.waitSignal(window.sync_failed, timeout=30000) as blocker:
        pass
    assert isinstance(blocker.args[0], Offline)
