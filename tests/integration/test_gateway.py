"""The gateway against the sandbox: domain records and human errors."""

from __future__ import annotations

import pytest

from console.errors import AuthenticationFailed, NotFound, Offline, PermissionMissing
from console.sandbox.keys import ALL_PERMISSIONS
from console.services.overview import load_overview
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway, key_kind, key_mode
from tests.support.mrr_oracle import Oracle


def test_overview_from_the_synced_cache_matches_what_the_sdk_lists(shared_sandbox, shared_client, tmp_path):
    workspace = Workspace.connect(StripeGateway(shared_sandbox.key, shared_sandbox.url), tmp_path, "Acme (profile)")
    workspace.sync()
    ov = load_overview(workspace)
    workspace.close()
    subs = list(shared_client.v1.subscriptions.list({"limit": 100}).auto_paging_iter())
    pending = [s for s in subs if s.cancel_at_period_end or s.cancel_at]
    # a restricted key cannot read the account's name: the profile's name stands in for it
    assert ov.account.name == "Acme (profile)" and ov.account.id == "acct_sandbox000007" and not ov.account.livemode
    assert ov.live_subscriptions == len(subs)
    assert ov.pending_cancellations == len(pending)
    oracle = Oracle(shared_client, shared_sandbox.state.clock.now())  # net MRR computed independently
    expected: dict[str, int] = {}
    for s in pending:
        expected[s.currency] = expected.get(s.currency, 0) + oracle.mrr(s)
    assert ov.mrr_at_risk_by_currency.keys() == expected.keys()
    for currency, amount in expected.items():
        assert abs(ov.mrr_at_risk_by_currency[currency] - amount) <= len(pending)  # per-row rounding only
    assert ov.coupons_total == 8 and ov.portal_configurations == 2
    assert ov.default_portal == "Self-serve (default)"


def test_pending_rows_carry_survey_answers(shared_sandbox):
    gateway = StripeGateway(shared_sandbox.key, shared_sandbox.url)
    page, more, after = [], True, None
    while more:  # the pages a full sync reads
        found, more = gateway.subscription_page(created={"gte": 0}, starting_after=after)
        page += found
        after = found[-1].id if found else None
    pending = [s for s in page if s.pending_cancellation]
    assert pending
    assert all(s.customer_email and s.ends_at for s in pending)
    assert any(s.feedback == "too_expensive" for s in pending)
    assert all(s.cancel_reason == "cancellation_requested" for s in pending)


def test_permission_error_names_the_dashboard_permission(shared_sandbox):
    gateway = StripeGateway(shared_sandbox.make_key(ALL_PERMISSIONS - {"rak_coupon_write"}), shared_sandbox.url)
    with pytest.raises(PermissionMissing) as info:
        gateway.coupons()
    assert info.value.permission == "rak_coupon_read"
    assert "Coupons: Read" in str(info.value)


def test_unknown_key_and_unknown_id_and_offline(shared_sandbox):
    bad = "rk_test_" + "Q" * 30
    with pytest.raises(AuthenticationFailed) as info:
        StripeGateway(bad, shared_sandbox.url).account()
    assert bad not in str(info.value) and bad not in repr(info.value)
    with pytest.raises(NotFound):
        StripeGateway(shared_sandbox.key, shared_sandbox.url).subscription("sub_nope")
    with pytest.raises(Offline) as info:
        StripeGateway(shared_sandbox.key, "http://127.0.0.1:9", max_retries=0).account()
    assert "Could not reach Stripe" in str(info.value)


def test_gateway_repr_hides_the_key(shared_sandbox):
    gateway = StripeGateway(shared_sandbox.key, shared_sandbox.url)
    assert shared_sandbox.key not in repr(gateway)


@pytest.mark.parametrize(
    ("key", "kind", "mode"),
    [
        ("rk_test_abc", "restricted", "test"),
        ("rk_live_abc", "restricted", "live"),
        ("sk_test_x", "secret", "test"),
        ("pk_live_x", "publishable", "live"),
        ("hello", "unknown", None),
    ],
)
def test_key_kind_and_mode(key, kind, mode):
    assert key_kind(key) == kind and key_mode(key) == mode
