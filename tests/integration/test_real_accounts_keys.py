"""Restricted keys cannot read /v1/account (stripe-node issue 2246, dj-stripe PR 1131): the console works without it."""

from __future__ import annotations

import pytest
import stripe

from console.sandbox.keys import ACCOUNT_READ, ALL_PERMISSIONS
from console.services.keys import verify
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from console.stripe_gateway.convert import account_from_refusal
from tests.integration.conftest import client_for


def test_sandbox_refuses_the_account_to_a_restricted_key_as_stripe_node_2246_reports(shared_sandbox):
    with pytest.raises(stripe.PermissionError) as info:
        client_for(shared_sandbox).v1.accounts.retrieve_current()
    assert info.value.http_status == 403
    message = info.value.user_message or ""
    assert f"on account '{shared_sandbox.state.account['id']}'" in message
    assert "rak_accounts_kyc_id_numbers_read" in message
    # a secret key reads it, and so does a restricted key minted with that permission
    assert client_for(shared_sandbox, shared_sandbox.secret_key).v1.accounts.retrieve_current().id
    allowed = shared_sandbox.make_key(ALL_PERMISSIONS | {ACCOUNT_READ})
    assert client_for(shared_sandbox, allowed).v1.accounts.retrieve_current().id


def test_account_id_from_the_refusal_and_the_profile_name_for_display(shared_sandbox):
    gateway = StripeGateway(shared_sandbox.key, shared_sandbox.url)
    account = gateway.account("Acme live")
    assert account.id == shared_sandbox.state.account["id"]
    assert account.name == "Acme live" and not account.readable and not account.livemode
    readable = StripeGateway(shared_sandbox.secret_key, shared_sandbox.url).account("ignored")
    assert readable.readable and readable.name == "Acme Analytics" and readable.id == account.id


def test_a_refusal_that_names_no_account_gets_a_stable_local_id():
    """The 2019 wording names no account (singer-io/tap-stripe issue 38)."""
    old = (
        "The provided key  does not have the required permissions for this endpoint on account.  "
        "This is a restricted API key, but the required permissions are not available for use by restricted keys."
    )
    account = account_from_refusal(old, False, "Acme", fallback_id="acct_local_x")
    assert account.id == "acct_local_x" and account.name == "Acme"


def test_the_eight_permissions_and_no_account_permission_verify_sync_and_act(sandbox, tmp_path):
    """Verify (permissions checked, no KYC permission asked for), sync, and save a customer."""
    from console.actions import Consent
    from console.domain.offers import RevokeOffer

    key = sandbox.make_key(ALL_PERMISSIONS)
    _, verified = verify(key, sandbox.url, name="Acme")
    assert all(p.granted for p in verified.permissions)
    assert not any("kyc" in p.code for p in verified.permissions)
    assert verified.account.id == sandbox.state.account["id"] and verified.account.name == "Acme"
    workspace = Workspace.connect(verified.gateway, tmp_path, "Acme")
    report = workspace.sync()
    assert report.subscriptions > 0 and not report.skipped
    row = workspace.queue()[0]
    action = workspace.actions("Dana").apply(row.subscription_id, RevokeOffer(), Consent("call"))
    assert action.state == "applied"
    assert sandbox.state.get("subscription", row.subscription_id)["cancel_at_period_end"] is False
    # nothing the console sent asked for the account
    assert not [e for e in sandbox.log if e.path == "/v1/account" and e.status == 200]
    workspace.close()
