"""Stripe's error envelope, raised by handlers and rendered by the server."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error response: HTTP status plus Stripe's `{"error": {...}}` body."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        should_retry: bool | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.extra = extra or {}  # a card error's decline_code, advice_code, payment_intent…
        self.status = status
        self.type = type_
        self.message = message
        self.param = param
        self.code = code
        self.should_retry = should_retry

    def body(self, request_id: str) -> dict[str, Any]:
        err: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            err["code"] = self.code
            err["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            err["param"] = self.param
        for key, value in self.extra.items():
            err.setdefault(key, value)
        err["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": err}


def missing(kind: str, obj_id: str, param: str = "id") -> ApiError:
    """404 resource_missing, worded as Stripe words it."""
    return ApiError(404, "invalid_request_error", f"No such {kind}: '{obj_id}'", param=param, code="resource_missing")


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """400 invalid_request_error; a missing parameter carries Stripe's code for it (parameter_missing)."""
    return ApiError(400, "invalid_request_error", message, param=param, code=code or param_code(message))


def param_code(message: str) -> str | None:
    """Stripe's `code` for a parameter error by its wording: `parameter_missing` for "Missing required param: …"
    (a real Stripe log: 202-ecommerce/stripe_official issue 84; docs.stripe.com/error-codes#parameter-missing),
    `parameter_unknown` for "Received unknown parameter: …"; None where no parameter is wrong."""
    if message.startswith("Missing required param"):
        return "parameter_missing"
    if message.startswith("Received unknown parameter"):
        return "parameter_unknown"
    return None


def unsupported(param: str) -> ApiError:
    """A real Stripe parameter that this sandbox does not model: say so rather than ignore it."""
    return ApiError(
        400,
        "invalid_request_error",
        f"The churn-console sandbox does not implement the parameter `{param}` on this endpoint.",
        param=param,
    )


def in_progress(key: str) -> ApiError:
    """409: a request with this idempotency key is still running. Stripe documents 409 Conflict for "the request
    conflicts with another request (perhaps due to using the same idempotent key)" (docs.stripe.com/api/errors),
    saves no result for it and says it can be retried (docs.stripe.com/api/idempotent_requests); stripe-python
    retries a 409 on its own (_http_client._should_retry). The type is idempotency_error, as for the key's other
    refusals (the stricter reading: the SDK raises IdempotencyError, which the console must tell apart)."""
    return ApiError(
        409,
        "idempotency_error",
        "There is currently another in-progress request using this Idempotent Key (that probably means you submitted "
        f"twice, and the other request is still going through): {key}. Please try again later.",
    )
