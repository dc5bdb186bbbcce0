"""The contract checker itself must catch wrong shapes, or the contract tests prove nothing."""

import json
from importlib import resources

from stripe._coupon import Coupon
from stripe._subscription import Subscription

from tests.support.sdk_types import shape_problems

SHAPES = json.loads(resources.files("console.sandbox").joinpath("shapes.json").read_text("utf-8"))


def test_stripe_example_objects_fit():
    assert shape_problems(SHAPES["coupon"], Coupon) == []
    assert shape_problems(SHAPES["subscription"], Subscription) == []


def test_wrong_type_is_caught():
    bad = dict(SHAPES["coupon"], percent_off="25", valid="yes")
    found = shape_problems(bad, Coupon)
    assert any("percent_off" in p for p in found) and any("valid" in p for p in found)


def test_undeclared_key_is_caught():
    assert shape_problems(dict(SHAPES["coupon"], surprise=1), Coupon) == [".surprise: not declared by stripe.Coupon"]


def test_nested_shapes_and_enums_are_checked():
    sub = json.loads(json.dumps(SHAPES["subscription"]))
    sub["items"]["data"][0]["quantity"] = "two"
    sub["status"] = 5
    found = shape_problems(sub, Subscription)
    assert any("quantity" in p for p in found)
    assert any(".status" in p for p in found)
