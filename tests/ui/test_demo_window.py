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
    assert "Offline since" in window.queue.offline.text.text()
    assert "no cached queue" in window.queue.offline.text.text()
    assert "Could not reach Stripe" in window.overview.banner_text.text()
    assert window.refresh_action.isEnabled()


def test_a_live_key_goes_to_another_server_only_when_named_and_the_badge_says_so(qtbot, open_window):
    """A live key is sent only to https://api.stripe.com; --allow-live-key-to names another server, and the red
    badge then names it for as long as the window is open."""
    from console.secrets.destination import allow_live_key_to

    with Sandbox(seed=5, customers=10, live=True) as live:
        refused = open_window(live, wait=False)
        with qtbot.waitSignal(refused.sync_failed, timeout=30000) as failed:
            pass
        assert "live key is sent only to https://api.stripe.com" in failed.args[0].message
        assert not [e for e in live.log]  # nothing reached the server
        allow_live_key_to(live.url)
        window = open_window(live)
        assert window.mode_badge.text() == f"LIVE KEY SENT TO {live.url}"


def test_failure_signal_carries_a_console_error(qtbot, open_window, demo):
    url = demo.url
    demo.stop()
    window = open_window(demo, url=url, wait=False)
    with qtbot.waitSignal(window.sync_failed, timeout=30000) as blocker:
        pass
    assert isinstance(blocker.args[0], Offline)


def test_the_window_says_when_stripe_api_key_overrides_a_stored_profile(qtbot, tmp_path, demo, monkeypatch):
    from console.services.connection import open_from_environment
    from console.services.keys import KeyService
    from console.ui.main_window import MainWindow

    KeyService(tmp_path).connect("Acme stored", demo.key, demo.url, session_only=True)
    monkeypatch.setenv("STRIPE_API_KEY", demo.key)
    window = MainWindow(lambda: open_from_environment(demo.url, data_dir=tmp_path), tmp_path)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.synced, timeout=30000):
        window.show()
    assert "key from STRIPE_API_KEY" in window.where_label.text()
    assert "overrides the stored profile 'Acme stored'" in window.where_label.text()
