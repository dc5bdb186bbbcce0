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
    ) -> None:
        super().__init__(message)
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
        err["request_log_url"] = f"https://dashboard.stripe.com/test/logs/{request_id}"
        return {"error": err}


def missing(kind: str, obj_id: str, param: str = "id") -> ApiError:
    """404 resource_missing, worded as Stripe words it."""
    return ApiError(404, "invalid_request_error", f"No such {kind}: '{obj_id}'", param=param, code="resource_missing")


def invalid(message: str, param: str | None = None, code: str | None = None) -> ApiError:
    """400 invalid_request_error."""
    return ApiError(400, "invalid_request_error", message, param=param, code=code)


def unsupported(param: str) -> ApiError:
    """A real Stripe parameter that this sandbox does not model: say so rather than ignore it."""
    return ApiError(
        400,
        "invalid_request_error",
        f"The churn-console sandbox does not implement the parameter `{param}` on this endpoint.",
        param=param,
    )
