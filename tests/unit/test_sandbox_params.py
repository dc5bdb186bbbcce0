"""The sandbox's form decoding matches the SDK's encoding; validation follows the SDK's TypedDicts."""

from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stripe._encode import _api_encode

from console.sandbox.params import ParamError, decode_form, load, validate

UPDATE = load("stripe.params._subscription_update_params.SubscriptionUpdateParams")
COUPON = load("stripe.params._coupon_create_params.CouponCreateParams")


def encode(params):
    return urlencode(list(_api_encode(params)))


def test_round_trip_of_nested_lists_and_dicts():
    params = {"discounts": [{"coupon": "A"}, {"discount": "di_1"}], "metadata": {"x": "y"}, "cancel_at_period_end": False}
    assert validate(UPDATE, decode_form(encode(params))) == params


def test_empty_string_clears():
    assert validate(UPDATE, decode_form(encode({"pause_collection": "", "cancel_at": ""}))) == {
        "pause_collection": "",
        "cancel_at": "",
    }


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"nope": "1"}, "nope"),
        ({"pause_collection": {"behavior": "nap"}}, "pause_collection[behavior]"),
        ({"cancel_at_period_end": "maybe"}, "cancel_at_period_end"),
        ({"discounts": [{"coupon": "A", "extra": "1"}]}, "discounts[0][extra]"),
    ],
)
def test_refusals_name_the_param(params, param):
    with pytest.raises(ParamError) as info:
        validate(UPDATE, decode_form(encode(params)))
    assert info.value.param == param


def test_coupon_numbers_are_coerced():
    assert validate(COUPON, decode_form(encode({"percent_off": 25.5, "duration": "repeating", "duration_in_months": 3}))) == {
        "percent_off": 25.5,
        "duration": "repeating",
        "duration_in_months": 3,
    }


@given(st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=6))
def test_decode_never_crashes_and_validate_only_raises_param_errors(raw):
    body = urlencode(raw)
    decoded = decode_form(body)
    try:
        validate(UPDATE, decoded)
    except ParamError as exc:
        assert exc.param
