"""The sandbox's endpoints: path, handler, restricted-key permission and the SDK params class."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import catalog, feedback, misc, pausing, payments, portal, subscriptions
from .call import Call
from .keys import ACCOUNT_READ

_P = "stripe.params."
_ID = r"([A-Za-z0-9_\-]+)"
_FO = "billing._feedback_option_{}_params.FeedbackOption"


@dataclass(frozen=True)
class Route:
    """One endpoint."""

    method: str
    pattern: re.Pattern[str]
    handler: Callable[[Call], dict[str, Any]]
    permission: str
    params: str
    mutates: bool


def _r(method: str, path: str, handler: Callable[[Call], dict[str, Any]], permission: str, params: str) -> Route:
    regex = re.compile("^" + path.replace("{id}", _ID) + "$")
    return Route(method, regex, handler, permission, _P + params, method in ("POST", "DELETE"))


ROUTES: list[Route] = [
    _r(
        "GET",
        "/v1/subscriptions",
        subscriptions.list_,
        "rak_subscription_read",
        "_subscription_list_params.SubscriptionListParams",
    ),
    _r(
        "POST",
        "/v1/subscriptions",
        subscriptions.create,
        "rak_subscription_write",
        "_subscription_create_params.SubscriptionCreateParams",
    ),
    _r(
        "GET",
        "/v1/subscriptions/{id}",
        subscriptions.retrieve,
        "rak_subscription_read",
        "_subscription_retrieve_params.SubscriptionRetrieveParams",
    ),
    _r(
        "POST",
        "/v1/subscriptions/{id}",
        subscriptions.update,
        "rak_subscription_write",
        "_subscription_update_params.SubscriptionUpdateParams",
    ),
    _r(
        "DELETE",
        "/v1/subscriptions/{id}",
        subscriptions.cancel,
        "rak_subscription_write",
        "_subscription_cancel_params.SubscriptionCancelParams",
    ),
    _r(
        "POST",
        "/v1/subscriptions/{id}/pause",
        pausing.pause,
        "rak_subscription_write",
        "_subscription_pause_params.SubscriptionPauseParams",
    ),
    _r(
        "POST",
        "/v1/subscriptions/{id}/resume",
        pausing.resume,
        "rak_subscription_write",
        "_subscription_resume_params.SubscriptionResumeParams",
    ),
    _r(
        "DELETE",
        "/v1/subscriptions/{id}/discount",
        subscriptions.delete_discount,
        "rak_subscription_write",
        "_subscription_delete_discount_params.SubscriptionDeleteDiscountParams",
    ),
    _r("GET", "/v1/customers", catalog.list_customers, "rak_customer_read", "_customer_list_params.CustomerListParams"),
    _r("POST", "/v1/customers", catalog.create_customer, "rak_customer_write", "_customer_create_params.CustomerCreateParams"),
    _r(
        "POST",
        "/v1/customers/{id}",
        catalog.update_customer,
        "rak_customer_write",
        "_customer_update_params.CustomerUpdateParams",
    ),
    _r(
        "DELETE",
        "/v1/customers/{id}",
        catalog.delete_customer,
        "rak_customer_write",
        "_customer_delete_params.CustomerDeleteParams",
    ),
    _r(
        "GET",
        "/v1/customers/{id}",
        catalog.retrieve_customer,
        "rak_customer_read",
        "_customer_retrieve_params.CustomerRetrieveParams",
    ),
    _r("GET", "/v1/coupons", catalog.list_coupons, "rak_coupon_read", "_coupon_list_params.CouponListParams"),
    _r("POST", "/v1/coupons", catalog.create_coupon, "rak_coupon_write", "_coupon_create_params.CouponCreateParams"),
    _r("GET", "/v1/coupons/{id}", catalog.retrieve_coupon, "rak_coupon_read", "_coupon_retrieve_params.CouponRetrieveParams"),
    _r("DELETE", "/v1/coupons/{id}", catalog.delete_coupon, "rak_coupon_write", "_coupon_delete_params.CouponDeleteParams"),
    _r("GET", "/v1/products", catalog.list_products, "rak_product_read", "_product_list_params.ProductListParams"),
    _r(
        "GET",
        "/v1/products/{id}",
        catalog.retrieve_product,
        "rak_product_read",
        "_product_retrieve_params.ProductRetrieveParams",
    ),
    _r("GET", "/v1/prices", catalog.list_prices, "rak_price_read", "_price_list_params.PriceListParams"),
    _r("GET", "/v1/prices/{id}", catalog.retrieve_price, "rak_price_read", "_price_retrieve_params.PriceRetrieveParams"),
    _r(
        "GET",
        "/v1/billing_portal/configurations",
        portal.list_configurations,
        "rak_billing_portal_read",
        "billing_portal._configuration_list_params.ConfigurationListParams",
    ),
    _r(
        "POST",
        "/v1/billing_portal/configurations",
        portal.create_configuration,
        "rak_billing_portal_write",
        "billing_portal._configuration_create_params.ConfigurationCreateParams",
    ),
    _r(
        "GET",
        "/v1/billing_portal/configurations/{id}",
        portal.retrieve_configuration,
        "rak_billing_portal_read",
        "billing_portal._configuration_retrieve_params.ConfigurationRetrieveParams",
    ),
    _r(
        "POST",
        "/v1/billing_portal/configurations/{id}",
        portal.update_configuration,
        "rak_billing_portal_write",
        "billing_portal._configuration_update_params.ConfigurationUpdateParams",
    ),
    _r(
        "POST",
        "/v1/billing_portal/sessions",
        portal.create_session,
        "rak_billing_portal_write",
        "billing_portal._session_create_params.SessionCreateParams",
    ),
    # Custom cancellation reasons (Feedback Options API). Stripe's permission name for them is not
    # documented: the sandbox asks for the customer portal's, the stricter of the plausible ones.
    _r("GET", "/v1/billing/feedback_options", feedback.list_, "rak_billing_portal_read", _FO.format("list") + "ListParams"),
    _r(
        "POST", "/v1/billing/feedback_options", feedback.create, "rak_billing_portal_write", _FO.format("create") + "CreateParams"
    ),
    _r(
        "GET",
        "/v1/billing/feedback_options/{id}",
        feedback.retrieve,
        "rak_billing_portal_read",
        _FO.format("retrieve") + "RetrieveParams",
    ),
    _r(
        "POST",
        "/v1/billing/feedback_options/{id}",
        feedback.update,
        "rak_billing_portal_write",
        _FO.format("update") + "UpdateParams",
    ),
    _r(
        "POST",
        "/v1/billing/feedback_options/{id}/deactivate",
        feedback.deactivate,
        "rak_billing_portal_write",
        "billing._feedback_option_deactivate_params.FeedbackOptionDeactivateParams",
    ),
    _r("GET", "/v1/events", misc.list_events, "rak_event_read", "_event_list_params.EventListParams"),
    _r("GET", "/v1/events/{id}", misc.retrieve_event, "rak_event_read", "_event_retrieve_params.EventRetrieveParams"),
    _r("GET", "/v1/invoices", misc.list_invoices, "rak_invoice_read", "_invoice_list_params.InvoiceListParams"),
    _r(
        "GET",
        "/v1/invoices/{id}",
        payments.retrieve_invoice,
        "rak_invoice_read",
        "_invoice_retrieve_params.InvoiceRetrieveParams",
    ),
    _r("POST", "/v1/invoices/{id}", payments.update_invoice, "rak_invoice_write", "_invoice_update_params.InvoiceUpdateParams"),
    _r("POST", "/v1/invoices/{id}/pay", payments.pay_invoice, "rak_invoice_write", "_invoice_pay_params.InvoicePayParams"),
    _r(
        "POST",
        "/v1/invoices/{id}/mark_uncollectible",
        payments.mark_uncollectible,
        "rak_invoice_write",
        "_invoice_mark_uncollectible_params.InvoiceMarkUncollectibleParams",
    ),
    _r(
        "GET",
        "/v1/invoice_payments",
        payments.list_invoice_payments,
        "rak_invoice_read",
        "_invoice_payment_list_params.InvoicePaymentListParams",
    ),
    _r(
        "GET",
        "/v1/payment_intents/{id}",
        payments.retrieve_payment_intent,
        "rak_payment_intent_read",
        "_payment_intent_retrieve_params.PaymentIntentRetrieveParams",
    ),
    _r(
        "GET",
        "/v1/payment_methods/{id}",
        payments.retrieve_payment_method,
        "rak_payment_method_read",
        "_payment_method_retrieve_params.PaymentMethodRetrieveParams",
    ),
    _r(
        "POST",
        "/v1/payment_methods/{id}/attach",
        payments.attach_payment_method,
        "rak_payment_method_write",
        "_payment_method_attach_params.PaymentMethodAttachParams",
    ),
    # a customer's cards: Stripe's permission for this list is not documented; the stricter guess, PaymentMethods
    _r(
        "GET",
        "/v1/customers/{id}/payment_methods",
        payments.list_customer_payment_methods,
        "rak_payment_method_read",
        "_customer_payment_method_list_params.CustomerPaymentMethodListParams",
    ),
    # Restricted keys may not read the account: Stripe answers 403 naming rak_accounts_kyc_id_numbers_read
    # (stripe-node issue 2246; dj-stripe PR 1131). Secret keys read it.
    _r(
        "GET",
        "/v1/account",
        misc.retrieve_account,
        ACCOUNT_READ,
        "_account_retrieve_current_params.AccountRetrieveCurrentParams",
    ),
    _r(
        "GET",
        "/v1/test_helpers/test_clocks",
        misc.list_clocks,
        "rak_test_clock_read",
        "test_helpers._test_clock_list_params.TestClockListParams",
    ),
    _r(
        "POST",
        "/v1/test_helpers/test_clocks",
        misc.create_clock,
        "rak_test_clock_write",
        "test_helpers._test_clock_create_params.TestClockCreateParams",
    ),
    _r(
        "GET",
        "/v1/test_helpers/test_clocks/{id}",
        misc.retrieve_clock,
        "rak_test_clock_read",
        "test_helpers._test_clock_retrieve_params.TestClockRetrieveParams",
    ),
    _r(
        "POST",
        "/v1/test_helpers/test_clocks/{id}/advance",
        misc.advance_clock,
        "rak_test_clock_write",
        "test_helpers._test_clock_advance_params.TestClockAdvanceParams",
    ),
]


def match(method: str, path: str) -> tuple[Route, tuple[str, ...]] | None:
    """The route for a request, with the ids captured from its path."""
    for route in ROUTES:
        if route.method == method and (m := route.pattern.match(path)):
            return route, m.groups()
    return None
