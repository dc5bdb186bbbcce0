"""Sandbox behaviour through the real SDK: paging, idempotency, errors, auth and permissions."""

from __future__ import annotations

import pytest
import stripe

from console.sandbox.keys import ALL_PERMISSIONS
from tests.integration.conftest import client_for


def all_ids(client, limit: int, **params) -> list[str]:
    return [s.id for s in client.v1.subscriptions.list({"limit": limit, **params}).auto_paging_iter()]


def test_paging_by_three_yields_the_ids_of_one_page_of_a_hundred(shared_client):
    by_100 = shared_client.v1.subscriptions.list({"limit": 100, "status": "all"})
    assert not by_100.has_more or len(by_100.data) == 100
    first_hundred = [s.id for s in by_100.data]
    by_3 = all_ids(shared_client, 3, status="all")[: len(first_hundred)]
    assert by_3 == first_hundred
    assert len(set(by_3)) == len(by_3)


def test_ending_before_walks_backwards(shared_client):
    ids = all_ids(shared_client, 100)
    page = shared_client.v1.subscriptions.list({"limit": 3, "ending_before": ids[10]})
    assert [s.id for s in page.data] == ids[7:10]
    assert page.has_more


def test_created_ranges_split_a_list_into_disjoint_parts(shared_client):
    subs = list(shared_client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter())
    cut = sorted(s.created for s in subs)[len(subs) // 2]
    older = all_ids(shared_client, 100, status="all", created={"lt": cut})
    newer = all_ids(shared_client, 100, status="all", created={"gte": cut})
    assert set(older).isdisjoint(newer)
    assert sorted(older + newer) == sorted(s.id for s in subs)


def test_status_filters(shared_client):
    default = list(shared_client.v1.subscriptions.list({"limit": 100}).auto_paging_iter())
    ended = list(shared_client.v1.subscriptions.list({"limit": 100, "status": "ended"}).auto_paging_iter())
    everything = all_ids(shared_client, 100, status="all")
    assert default and ended
    assert all(s.status != "canceled" for s in default)
    assert all(s.status == "canceled" for s in ended)
    assert sorted(everything) == sorted([s.id for s in default] + [s.id for s in ended])


def test_expand_customer_inlines_customers(shared_client):
    page = shared_client.v1.subscriptions.list({"limit": 10, "expand": ["data.customer"]})
    assert all(isinstance(s.customer, stripe.Customer) and s.customer.email for s in page.data)
    plain = shared_client.v1.subscriptions.list({"limit": 10})
    assert all(isinstance(s.customer, str) for s in plain.data)


def test_unknown_expand_is_refused(shared_client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        shared_client.v1.subscriptions.list({"limit": 1, "expand": ["data.status"]})
    assert info.value.param == "expand"


def test_idempotent_replay_returns_the_first_response(sandbox, client):
    sub = next(s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end)
    params = {"cancel_at_period_end": False, "discounts": [{"coupon": "HALF-1M"}]}
    first = client.v1.subscriptions.update(sub.id, params, {"idempotency_key": "save-1"})
    second = client.v1.subscriptions.update(sub.id, params, {"idempotency_key": "save-1"})
    assert first.to_dict() == second.to_dict()
    assert second.last_response.headers.get("Idempotent-Replayed") == "true"
    assert len(client.v1.subscriptions.retrieve(sub.id).discounts) == len(first.discounts)
    entries = [e for e in sandbox.log if e.idempotency_key == "save-1"]
    assert [e.replayed for e in entries] == [False, True]
    coupon = client.v1.coupons.retrieve("HALF-1M")
    assert coupon.times_redeemed == 1  # unused in the seed: applied once, not twice


def test_same_idempotency_key_with_other_params_is_a_conflict(sandbox, client):
    sub = next(s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end)
    client.v1.subscriptions.update(sub.id, {"metadata": {"a": "1"}}, {"idempotency_key": "k-2"})
    with pytest.raises(stripe.IdempotencyError) as info:
        client.v1.subscriptions.update(sub.id, {"metadata": {"a": "2"}}, {"idempotency_key": "k-2"})
    assert info.value.http_status == 400
    assert info.value.json_body["error"]["type"] == "idempotency_error"
    assert client.v1.subscriptions.retrieve(sub.id).metadata["a"] == "1"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"bogus": "1"}, "bogus"),
        ({"status": "sleeping"}, "status"),
        ({"limit": "many"}, "limit"),
        ({"created": {"sometime": 1}}, "created[sometime]"),
    ],
)
def test_bad_list_params_are_refused_with_param(shared_client, params, param):
    with pytest.raises(stripe.InvalidRequestError) as info:
        shared_client.v1.subscriptions.list(params)
    err = info.value
    assert err.http_status == 400
    assert err.param == param
    assert err.json_body["error"]["type"] == "invalid_request_error"


def test_bad_enum_on_a_mutation_changes_nothing(sandbox, client):
    sub = client.v1.subscriptions.list({"limit": 1}).data[0]
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.update(sub.id, {"pause_collection": {"behavior": "nap"}})
    assert info.value.param == "pause_collection[behavior]"
    assert client.v1.subscriptions.retrieve(sub.id).pause_collection is None


def test_limit_over_100_is_refused(shared_client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        shared_client.v1.subscriptions.list({"limit": 101})
    assert info.value.param == "limit"


def test_missing_key_is_401(shared_sandbox):
    import requests

    resp = requests.get(f"{shared_sandbox.url}/v1/subscriptions", timeout=5)
    assert resp.status_code == 401
    assert resp.json()["error"]["type"] == "invalid_request_error"
    assert "did not provide an API key" in resp.json()["error"]["message"]


def test_wrong_key_is_401_without_echoing_the_key(shared_sandbox):
    key = "rk_test_" + "x" * 40
    with pytest.raises(stripe.AuthenticationError) as info:
        client_for(shared_sandbox, key).v1.subscriptions.list({"limit": 1})
    assert info.value.http_status == 401
    assert key not in str(info.value)


def test_revoked_key_is_401_expired(sandbox):
    key = sandbox.make_key()
    client_for(sandbox, key).v1.coupons.list()
    sandbox.revoke_key(key)
    with pytest.raises(stripe.AuthenticationError) as info:
        client_for(sandbox, key).v1.coupons.list()
    assert info.value.json_body["error"]["code"] == "api_key_expired"
    assert "Expired API Key" in info.value.user_message


def test_unknown_route_is_404(shared_sandbox):
    import requests

    resp = requests.get(f"{shared_sandbox.url}/v1/charges", headers={"Authorization": f"Bearer {shared_sandbox.key}"}, timeout=5)
    assert resp.status_code == 404
    assert "Unrecognized request URL" in resp.json()["error"]["message"]


@pytest.mark.parametrize("permission", sorted(ALL_PERMISSIONS - {"rak_test_clock_write"}))
def test_missing_permission_is_403_naming_it_before_params_are_checked(shared_sandbox, permission):
    key = shared_sandbox.make_key(ALL_PERMISSIONS - {permission})
    client = client_for(shared_sandbox, key)
    calls = {
        "rak_subscription_write": lambda: client.v1.subscriptions.update("sub_x", {"bogus": "1"}),
        "rak_customer_read": lambda: client.v1.customers.list({"bogus": "1"}),
        "rak_coupon_write": lambda: client.v1.coupons.create({"bogus": "1"}),
        "rak_product_read": lambda: client.v1.products.list({"bogus": "1"}),
        "rak_price_read": lambda: client.v1.prices.list({"bogus": "1"}),
        "rak_billing_portal_write": lambda: client.v1.billing_portal.configurations.create({"bogus": "1"}),
        "rak_event_read": lambda: client.v1.events.list({"bogus": "1"}),
        "rak_invoice_write": lambda: client.v1.invoices.pay("in_x", {"bogus": "1"}),
        "rak_payment_intent_read": lambda: client.v1.payment_intents.retrieve("pi_x", {"bogus": "1"}),
        "rak_payment_method_write": lambda: client.v1.payment_methods.attach("pm_card_visa", {"bogus": "1"}),
    }
    with pytest.raises(stripe.PermissionError) as info:
        calls[permission]()
    assert info.value.http_status == 403
    assert permission in info.value.user_message
    assert key not in info.value.user_message


def test_write_permission_implies_read(shared_sandbox):
    client = client_for(shared_sandbox, shared_sandbox.make_key({"rak_coupon_write"}))
    assert client.v1.coupons.list().data
    with pytest.raises(stripe.PermissionError):
        client.v1.subscriptions.list()


def test_coupon_rules(sandbox, client):
    cases = [
        ({"duration": "once"}, "percent_off"),
        ({"percent_off": 120, "duration": "once"}, "percent_off"),
        ({"amount_off": 500, "duration": "once"}, "currency"),
        ({"percent_off": 10, "duration": "repeating"}, "duration_in_months"),
        ({"percent_off": 10, "duration": "forever", "duration_in_months": 3}, "duration_in_months"),
    ]
    before = len(client.v1.coupons.list({"limit": 100}).data)
    for params, param in cases:
        with pytest.raises(stripe.InvalidRequestError) as info:
            client.v1.coupons.create(params)
        assert info.value.param == param, params
    assert len(client.v1.coupons.list({"limit": 100}).data) == before


def test_amount_coupon_in_another_currency_cannot_be_applied(sandbox, client):
    sub = next(s for s in client.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.currency == "usd")
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.subscriptions.update(sub.id, {"discounts": [{"coupon": "EUR15-2M"}]})
    assert info.value.param == "discounts[0][coupon]"


def test_portal_session_url_opens_a_page(sandbox, client):
    import requests

    sub = client.v1.subscriptions.list({"limit": 1}).data[0]
    session = client.v1.billing_portal.sessions.create(
        {
            "customer": sub.customer,
            "flow_data": {
                "type": "subscription_cancel",
                "subscription_cancel": {
                    "subscription": sub.id,
                    "retention": {"type": "coupon_offer", "coupon_offer": {"coupon": "RETAIN25-3M"}},
                },
            },
        }
    )
    assert session.flow.subscription_cancel.retention.coupon_offer.coupon == "RETAIN25-3M"
    page = requests.get(session.url, timeout=5)
    assert page.status_code == 200 and "Customer portal" in page.text


def test_portal_rejects_prorations_with_period_end_cancellation(sandbox, client):
    with pytest.raises(stripe.InvalidRequestError) as info:
        client.v1.billing_portal.configurations.create(
            {
                "features": {
                    "subscription_cancel": {"enabled": True, "mode": "at_period_end", "proration_behavior": "create_prorations"}
                }
            }
        )
    assert info.value.param == "features[subscription_cancel][proration_behavior]"
