"""stripe_gateway/errors.py: each of the SDK's exceptions as the console's error with words that say what to do;
a malformed answer is Stripe's ("could not read"), a bug of ours is never reported as Stripe's."""

from __future__ import annotations

import pytest
import stripe

from console import errors
from console.stripe_gateway import convert
from console.stripe_gateway.errors import call, readable, translate

KEY = "rk_live_51HxYzAbCdEfGhIjKlMnOpQrStUvWxYz0123456789"


@pytest.mark.parametrize(
    "sdk_error, console_error, words",
    [
        (stripe.AuthenticationError(f"Invalid API Key provided: {KEY}"), errors.AuthenticationFailed, "does not recognise"),
        (stripe.AuthenticationError("Expired API Key provided"), errors.AuthenticationFailed, "rolled or deleted"),
        (
            stripe.PermissionError("The provided key does not have the required permissions ('rak_coupon_write')."),
            errors.PermissionMissing,
            "lacks Coupons: Write",
        ),
        (stripe.RateLimitError("Too many requests"), errors.RateLimited, "rate limiting"),
        (stripe.APIConnectionError("Connection refused"), errors.Offline, "Could not reach Stripe"),
        (
            stripe.IdempotencyError("Keys for idempotent requests can only be used with the same parameters"),
            errors.Conflict,
            "same parameters",
        ),
        (
            stripe.InvalidRequestError("No such subscription: 'sub_x'", "id", code="resource_missing", http_status=404),
            errors.NotFound,
            "No such subscription",
        ),
        (stripe.InvalidRequestError("Conflict", None, http_status=409), errors.Conflict, "Conflict"),
        (
            stripe.InvalidRequestError("Invalid integer: abc", "quantity", http_status=400),
            errors.InvalidRequest,
            "Invalid integer",
        ),
        (stripe.APIError("Invalid response body from API: <html>"), errors.UnexpectedResponse, "could not read"),
        (stripe.APIError("Something went wrong on Stripe's end."), errors.StripeUnavailable, "internal error"),
    ],  # fmt: skip
)
def test_each_sdk_error_becomes_a_console_error_that_never_carries_the_key(sdk_error, console_error, words):
    found = translate(sdk_error)
    assert type(found) is console_error and words in found.message and found.hint
    assert KEY not in found.message + found.hint


def test_the_permission_a_refusal_names_is_kept_and_an_invalid_param_is_said():
    refused = translate(stripe.PermissionError("... ('rak_invoice_read') ..."))
    assert refused.permission == "rak_invoice_read" and "Invoices: Read" in refused.hint
    assert translate(stripe.PermissionError("no code named")).permission is None
    assert translate(stripe.InvalidRequestError("bad", "cancel_at", http_status=400)).param == "cancel_at"


def test_call_raises_the_console_error_without_the_sdks_cause():
    def refuse():
        raise stripe.RateLimitError("slow down")

    with pytest.raises(errors.RateLimited) as raised:
        call(refuse)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_an_answer_convert_cannot_read_is_stripes_a_keyerror_of_our_own_is_ours():
    @readable
    def malformed():
        return convert.subscription({"id": "sub_1"})  # no customer: raised inside convert.py

    with pytest.raises(errors.UnexpectedResponse, match="Stripe sent an answer the console could not read"):
        malformed()

    @readable
    def our_bug():
        return {}["typo"]  # raised here, not while reading Stripe's answer

    with pytest.raises(KeyError):
        our_bug()

    @readable
    def pages():
        yield convert.page({"data": [], "has_more": "yes"})

    with pytest.raises(errors.UnexpectedResponse):
        list(pages())
