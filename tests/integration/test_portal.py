"""Portal configurations through the service, the CLI and the real SDK against the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest

from console.domain.portal import PortalConfig
from console.services.portal import ChangedOnStripe, PortalInvalid, PortalService
from console.stripe_gateway import StripeGateway

REASONS = ["too_expensive", "missing_features", "switched_service", "unused", "too_complex", "other"]


def wanted_config(client) -> PortalConfig:
    """The configuration issue #6 asks for."""
    product = next(p for p in client.v1.products.list({"limit": 10}).data if p.name == "Team")
    prices = [p.id for p in client.v1.prices.list({"product": product.id, "limit": 10}).data if p.currency == "usd"][:2]
    return PortalConfig(
        name="Retention first",
        headline="Manage your subscription",
        privacy_policy_url="https://acme.example/privacy",
        terms_of_service_url="https://acme.example/terms",
        customer_update=True,
        customer_update_fields=["email", "address", "phone"],
        payment_method_update=True,
        cancel=True,
        cancel_mode="at_period_end",
        reasons_enabled=True,
        reasons=list(REASONS),
        plan_switching=True,
        plan_updates=["price", "quantity"],
        plan_products=[(product.id, prices)],
        plan_proration="create_prorations",
        invoice_history=True,
    )


def assert_is_wanted(obj, wanted: PortalConfig) -> None:
    f = obj.features
    assert obj.business_profile.headline == "Manage your subscription"
    assert obj.business_profile.privacy_policy_url == "https://acme.example/privacy"
    assert obj.business_profile.terms_of_service_url == "https://acme.example/terms"
    assert f.customer_update.enabled and sorted(f.customer_update.allowed_updates) == ["address", "email", "phone"]
    assert f.payment_method_update.enabled
    assert f.subscription_cancel.enabled and f.subscription_cancel.mode == "at_period_end"
    assert f.subscription_cancel.cancellation_reason.enabled and f.subscription_cancel.cancellation_reason.options == REASONS
    update = f.subscription_update
    assert (
        update.enabled
        and update.default_allowed_updates == ["price", "quantity"]
        and update.proration_behavior == "create_prorations"
    )
    assert [(p.product, p.prices) for p in update.products] == wanted.plan_products
    assert f.invoice_history.enabled
    assert PortalConfig.from_stripe(obj.to_dict()).diff(wanted) == []


@pytest.fixture
def service(sandbox):
    return PortalService(StripeGateway(sandbox.key, sandbox.url, max_retries=0))


def test_create_the_asked_configuration_and_read_it_back(sandbox, client, service):
    wanted = wanted_config(client)
    created = service.create(wanted)
    obj = client.v1.billing_portal.configurations.retrieve(created.id)
    assert_is_wanted(obj, wanted)
    assert obj.name == "Retention first"


def test_portal_apply_on_the_command_line(sandbox, client, tmp_path):
    wanted = wanted_config(client)
    path = tmp_path / "portal.json"
    path.write_text(wanted.to_json())
    env = {**os.environ, "STRIPE_API_KEY": sandbox.key}
    base = [
        sys.executable,
        "-m",
        "console",
        "--data-dir",
        str(tmp_path / "data"),
        "--api-base",
        sandbox.url,
        "portal",
        "apply",
        str(path),
    ]
    dry = subprocess.run(base, capture_output=True, text=True, env=env, timeout=60)
    assert dry.returncode == 0 and "Would create" in dry.stdout and "Nothing sent" in dry.stdout
    assert not [e for e in sandbox.log if e.method == "POST" and e.path == "/v1/billing_portal/configurations"]
    done = subprocess.run([*base, "--yes"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    new_id = done.stdout.split()[1]  # "Created bpc_… (the fields it sets)."
    assert done.stdout.startswith("Created bpc_") and "Would" not in done.stdout
    assert_is_wanted(client.v1.billing_portal.configurations.retrieve(new_id), wanted)


def test_stripes_shape_applied_to_a_named_configuration_with_to(sandbox, client, service, tmp_path):
    """An export in Stripe's shape names no configuration: without --to, apply would create one (and says how to
    name one); with --to bpc_… it is applied onto that configuration, here with no change."""
    target = service.list()[0]
    path = tmp_path / "stripe.json"
    path.write_text(target.to_stripe_json())  # as `portal export --format stripe` and the window's Export write it
    env = {**os.environ, "STRIPE_API_KEY": sandbox.key}
    base = [sys.executable, "-m", "console", "--data-dir", str(tmp_path / "data"), "--api-base", sandbox.url, "portal", "apply"]
    plain = subprocess.run([*base, str(path)], capture_output=True, text=True, env=env, timeout=60)
    assert plain.returncode == 0 and "Would create a new configuration" in plain.stdout and "--to bpc_" in plain.stdout
    onto = subprocess.run([*base, str(path), "--to", target.id], capture_output=True, text=True, env=env, timeout=60)
    assert onto.returncode == 0, onto.stderr
    assert f"No changes: {target.id} already matches the file." in onto.stdout
    assert not [e for e in sandbox.log if e.method == "POST" and e.path.startswith("/v1/billing_portal/configurations")]


def test_export_then_import_is_identical_with_an_empty_diff(sandbox, client, service):
    for config in service.list():
        text = service.export(config.id)
        wanted, plan = service.plan(text)
        assert plan.action == "nothing" and plan.diff == []
        assert wanted.editable() == config.editable()
        assert PortalConfig.from_json(wanted.to_json()).to_json() == text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"privacy_policy_url": "http://acme.example/privacy"}, "privacy_policy_url"),
        ({"terms_of_service_url": "not a url"}, "terms_of_service_url"),
        ({"default_return_url": "ftp://acme.example"}, "default_return_url"),
        ({"headline": "x" * 61}, "headline"),
        ({"cancel_mode": "at_period_end", "cancel_proration": "create_prorations"}, "cancel_proration"),
        ({"reasons_enabled": True, "reasons": []}, "reasons"),
        ({"reasons": ["bored"]}, "reasons"),
        ({"customer_update": True, "customer_update_fields": []}, "customer_update_fields"),
        ({"plan_switching": True, "plan_products": []}, "plan_products"),
        ({"plan_products": [(f"prod_{i}", ["price_x"]) for i in range(11)]}, "plan_products"),
        ({"plan_switching": True, "plan_updates": []}, "plan_updates"),
        ({"pause": True, "pause_options": []}, "pause_options"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
    ],
)
def test_invalid_fields_are_refused_at_the_field_and_nothing_is_sent(sandbox, client, service, change, field):
    base = wanted_config(client)
    bad = replace(base, **change)
    before = len(sandbox.log)
    with pytest.raises(PortalInvalid) as info:
        service.create(bad)
    assert field in info.value.problems
    assert len(sandbox.log) == before


def test_a_concurrent_change_is_detected_before_overwriting(sandbox, client, service):
    original = next(c for c in service.list() if c.is_default)
    client.v1.billing_portal.configurations.update(original.id, {"business_profile": {"headline": "Changed by a colleague"}})
    mine = replace(original, headline="My headline")
    with pytest.raises(ChangedOnStripe) as info:
        service.save(original, mine)
    assert info.value.remote.headline == "Changed by a colleague"
    assert client.v1.billing_portal.configurations.retrieve(original.id).business_profile.headline == "Changed by a colleague"
    # after reviewing, saving on top of the newer version works and sends only the change
    saved = service.save(info.value.remote, replace(info.value.remote, headline="My headline"))
    assert saved.headline == "My headline"
    last = [e for e in sandbox.log if e.method == "POST" and e.path == f"/v1/billing_portal/configurations/{original.id}"][-1]
    assert last.params == {"business_profile": {"headline": "My headline"}}


def test_clone_deactivate_and_reactivate(sandbox, client, service):
    default = next(c for c in service.list() if c.is_default)
    clone = service.create(replace(default, name="Copy of default", id=None))
    assert clone.id != default.id and not clone.is_default and clone.diff(replace(default, name="Copy of default")) == []
    assert service.set_active(clone.id, False).active is False
    assert client.v1.billing_portal.configurations.retrieve(clone.id).active is False
    assert service.set_active(clone.id, True).active is True


def test_try_it_links(sandbox, client, service):
    sub = next(s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end)
    config = next(c for c in service.list() if not c.is_default)
    url = service.session_url(sub.customer, config.id)
    session = next(s for s in sandbox.state.table("billing_portal.session").values() if url.endswith(s["_secret"]))
    assert session["configuration"] == config.id
    url = service.session_url(sub.customer, config.id, retention_coupon="RETAIN25-3M", subscription=sub.id)
    session = next(s for s in sandbox.state.table("billing_portal.session").values() if url.endswith(s["_secret"]))
    assert session["flow"]["subscription_cancel"]["retention"]["coupon_offer"]["coupon"] == "RETAIN25-3M"
