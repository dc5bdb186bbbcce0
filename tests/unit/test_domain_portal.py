"""domain/portal.py and domain/portal_shape.py: a customer portal configuration read from Stripe, checked, sent
back as only what changed, and kept as code."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from console.domain.portal import FORMAT, PortalConfig
from console.domain.portal_shape import check_stripe_shape

# Shaped as Stripe's API reference shows a billing_portal.configuration object (its fields as the SDK types them).
STRIPE_OBJECT = {
    "id": "bpc_1", "object": "billing_portal.configuration", "active": True, "application": None,
    "business_profile": {"headline": "Acme support", "privacy_policy_url": "https://acme.test/privacy",
                         "terms_of_service_url": "https://acme.test/terms"},
    "created": 1_700_000_000, "default_return_url": None, "is_default": True, "livemode": False,
    "login_page": {"enabled": False, "url": None}, "metadata": {"team": "cs"}, "name": None, "updated": 1_700_000_500,
    "features": {
        "customer_update": {"allowed_updates": ["email", "address"], "enabled": True},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": True},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": True, "options": ["too_expensive", "unused"],
                                    "feedback_options": [{"id": "fo_1", "description": "Budget"}]},
            "enabled": True, "mode": "at_period_end", "proration_behavior": "none",
        },
        "subscription_pause": {"enabled": False},
        "subscription_update": {"default_allowed_updates": ["price"], "enabled": True, "proration_behavior": "create_prorations",
                                "products": [{"product": "prod_1", "prices": ["price_a", "price_b"]}]},
    },
}  # fmt: skip


def test_a_stripe_configuration_is_read_field_by_field():
    c = PortalConfig.from_stripe(STRIPE_OBJECT)
    assert (c.id, c.is_default, c.active, c.updated) == ("bpc_1", True, True, 1_700_000_500)
    assert c.name == "" and c.headline == "Acme support" and c.default_return_url == ""
    assert c.customer_update_fields == ["email", "address"] and c.reasons == ["too_expensive", "unused"]
    assert c.feedback_options == ["fo_1"]  # expanded or not, the id
    assert c.plan_products == [("prod_1", ["price_a", "price_b"])] and c.plan_proration == "create_prorations"
    assert c.pause is False and c.pause_options == [("month", 1)]  # Stripe's default when none are given
    assert c.problems() == {}


def test_an_update_sends_only_what_changed_whole_feature_blocks_and_deletes_removed_metadata():
    c = PortalConfig.from_stripe(STRIPE_OBJECT)
    assert replace(c).update_params(c) == {}
    edited = replace(c, headline="Talk to us first", invoice_history=False, metadata={"owner": "ana"})
    sent = edited.update_params(c)
    assert sent["business_profile"] == {"headline": "Talk to us first"}
    assert sent["features"] == {"invoice_history": {"enabled": False}}
    assert sent["metadata"] == {"team": "", "owner": "ana"}  # "" deletes a key on Stripe
    assert set(sent) == {"business_profile", "features", "metadata"}


def test_create_leaves_out_empty_texts_and_clears_lists_with_an_empty_string():
    params = PortalConfig(headline="Hi", invoice_history=True).create_params()
    assert params["business_profile"] == {"headline": "Hi"} and "name" not in params and "metadata" not in params
    assert params["features"]["customer_update"]["allowed_updates"] == ""  # Stripe's way to send an empty list
    assert params["features"]["subscription_pause"]["duration"] == {
        "type": "interval_options", "interval_options": [{"interval": "month", "interval_count": 1}],
    }  # fmt: skip


@pytest.mark.parametrize(
    "change, field",
    [
        ({"privacy_policy_url": "http://acme.test"}, "privacy_policy_url"),
        ({"default_return_url": "https://acme .test"}, "default_return_url"),
        ({"cancel_proration": "create_prorations"}, "cancel_proration"),  # only for immediate cancellations
        ({"reasons_enabled": True, "reasons": [], "feedback_options": []}, "reasons"),
        ({"feedback_options": ["budget"]}, "feedback_options"),
        ({"reasons": ["too_expensive", "too_expensive"]}, "reasons"),
        ({"customer_update": True, "customer_update_fields": []}, "customer_update_fields"),
        ({"pause": True, "pause_options": [("fortnight", 1)]}, "pause_options"),
        ({"plan_switching": True, "plan_products": []}, "plan_products"),
        ({"plan_products": [("prod_1", [])]}, "plan_products"),
        ({"metadata": {"k" * 41: "v"}}, "metadata"),
        ({"headline": "x" * 61}, "headline"),
    ],
)
def test_what_stripe_would_refuse_is_named_by_field(change, field):
    assert field in replace(PortalConfig.from_stripe(STRIPE_OBJECT), **change).problems()


def test_config_as_code_round_trips_and_reads_stripes_own_json():
    c = PortalConfig.from_stripe(STRIPE_OBJECT)
    back = PortalConfig.from_json(c.to_json())
    assert back.diff(c) == [] and back.id == "bpc_1"
    from_stripe_body = PortalConfig.from_json(c.to_stripe_json())
    assert from_stripe_body.diff(c) == [] and from_stripe_body.id is None  # a body to create, not an object
    assert json.loads(c.to_json())["format"] == FORMAT


@pytest.mark.parametrize(
    "text, words",
    [
        ('{"format": "other"}', "not a churn-console portal configuration"),
        (json.dumps({"format": FORMAT, "configuration": {"colour": "red"}}), "unknown fields: colour"),
        (json.dumps({"format": FORMAT, "configuration": {"reasons": "too_expensive"}}), "reasons must be a list of text"),
        (json.dumps({"format": FORMAT, "configuration": {"pause_options": [["month", "2"]]}}), "pause_options must be"),
        (json.dumps({"format": FORMAT, "configuration": {}, "id": 7}), "id must be a string"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_a_broken_import_is_refused_naming_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        PortalConfig.from_json(text)


def test_stripe_json_with_a_field_of_the_wrong_type_is_refused_before_it_is_read_letter_by_letter():
    check_stripe_shape(STRIPE_OBJECT)
    with pytest.raises(ValueError, match="unknown fields: colour"):
        check_stripe_shape({**STRIPE_OBJECT, "colour": "red"})
    bad = json.loads(json.dumps(STRIPE_OBJECT))
    bad["features"]["subscription_update"]["products"][0]["prices"] = "price_a"
    with pytest.raises(ValueError, match=r"features.subscription_update.products\[\].prices must be list"):
        check_stripe_shape(bad)
    cleared = json.loads(json.dumps(STRIPE_OBJECT))
    cleared["features"]["customer_update"]["allowed_updates"] = ""  # "" unsets a list, as Stripe takes it
    check_stripe_shape(cleared)
