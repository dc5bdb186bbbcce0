"""Translate the stripe SDK's exceptions into the console's errors with a human message."""

from __future__ import annotations

import functools
import inspect
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import stripe

from ..domain import permissions
from ..errors import (
    AuthenticationFailed,
    Conflict,
    ConsoleError,
    InProgress,
    InvalidRequest,
    NotFound,
    Offline,
    PermissionMissing,
    RateLimited,
    StripeUnavailable,
    UnexpectedResponse,
)

log = logging.getLogger(__name__)
_PERMISSION = re.compile(r"'(rak_[a-z_]+)'")
T = TypeVar("T")


def translate(exc: stripe.StripeError) -> ConsoleError:
    """The console error for an SDK exception (messages never carry the key)."""
    rid = getattr(exc, "request_id", None)
    message = exc.user_message or str(exc) or type(exc).__name__
    if isinstance(exc, stripe.AuthenticationError):
        expired = "Expired" in message
        return AuthenticationFailed(
            "Stripe refused this API key: it has been rolled or deleted."
            if expired
            else "Stripe does not recognise this API key.",
            "Create a new restricted key in the Dashboard (Developers → API keys) and connect it again.",
            request_id=rid,
        )
    if isinstance(exc, stripe.PermissionError):
        found = _PERMISSION.search(message)
        perm = found.group(1) if found else None
        label = permissions.label(perm) if perm else "the missing permission"
        return PermissionMissing(
            f"This restricted key is not allowed to do that (it lacks {label}).",
            f"In the Dashboard, edit the key and set {label}, then check the key again.",
            permission=perm,
            request_id=rid,
        )
    if isinstance(exc, stripe.RateLimitError) and _code(exc) == "lock_timeout":  # a 429 too, not the rate limit's
        return RateLimited(
            "Another request is changing this same object at Stripe right now (another console, or Stripe itself).",
            "Nothing was changed by this one. Try again in a moment; the next sync shows the object as it is now.",
            request_id=rid,
        )
    if isinstance(exc, stripe.RateLimitError):
        return RateLimited("Stripe is rate limiting this account right now.", "Wait a few seconds and try again.", request_id=rid)
    if isinstance(exc, stripe.APIConnectionError):
        return Offline("Could not reach Stripe.", "Check the network connection; cached data stays available.", request_id=rid)
    # stripe-python makes a v1 409 a plain APIError (only 400/404 become IdempotencyError: _api_requestor
    # specific_v1_api_error), after retrying it itself: either shape is a request still running, not a fault
    if isinstance(exc, (stripe.IdempotencyError, stripe.APIError)) and exc.http_status == 409:
        return InProgress(
            "Stripe is still working on this same request, sent a moment ago.",
            "Nothing more was sent; the next sync shows whether it landed. Do not send it again.",
            request_id=rid,
        )
    if isinstance(exc, stripe.IdempotencyError):
        return Conflict(message, "This action was already sent with other values; reload and try again.", request_id=rid)
    if isinstance(exc, stripe.InvalidRequestError):
        if exc.http_status == 404 or exc.code == "resource_missing":
            return NotFound(message, "Check the id, and that the key is for the same account and mode.", request_id=rid)
        if exc.http_status == 409:
            return Conflict(message, "Someone changed this at the same moment; reload and try again.", request_id=rid)
        field = f" ({exc.param})" if exc.param else ""
        return InvalidRequest(
            message,
            f"Stripe refused the request as sent{field}; nothing changed. Correct the value and try again, or see the log.",
            param=exc.param,
            request_id=rid,
        )
    if isinstance(exc, stripe.APIError) and message.startswith("Invalid response body"):
        return unexpected(ValueError("not JSON"))  # the SDK could not parse the answer at all
    if isinstance(exc, stripe.APIError):
        return StripeUnavailable("Stripe had an internal error.", "Try again in a moment.", request_id=rid)
    return ConsoleError(message, request_id=rid)


def _code(exc: stripe.StripeError) -> str | None:
    """The error's `code`: the SDK leaves `exc.code` unset on a 429 (_api_requestor builds RateLimitError without it),
    but keeps the body's error object."""
    return exc.code or getattr(exc.error, "code", None)


@contextmanager
def translated() -> Iterator[None]:
    """`with translated(): ...` re-raises SDK errors as console errors (the SDK's cause is dropped)."""
    try:
        yield
    except stripe.StripeError as exc:
        raise translate(exc) from None


def call(fn: Callable[[], T]) -> T:
    """Run one SDK call with errors translated."""
    with translated():
        return fn()


UNREADABLE = (KeyError, TypeError, AttributeError, ValueError, IndexError, ArithmeticError, OSError)


_SDK_DIR = os.path.dirname(stripe.__file__)
_MISUSE = "is a dict method"  # the SDK's word for `.get()` on one of its objects: always our bug


def _while_reading(exc: BaseException) -> bool:
    """Raised in convert.py reading an answer, or inside the SDK decoding it (a field missing, null or
    retyped): Stripe's answer is malformed. Raised anywhere else, or by using an SDK object as a dict, it is
    a bug in the console and must not be reported as Stripe's."""
    from . import convert

    if _MISUSE in str(exc):
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return False
    where = tb.tb_frame.f_code.co_filename
    return where == convert.__file__ or where.startswith(_SDK_DIR + os.sep)


def unexpected(exc: BaseException) -> UnexpectedResponse:
    detail = f"missing {exc}" if isinstance(exc, KeyError) else type(exc).__name__
    return UnexpectedResponse(
        f"Stripe sent an answer the console could not read ({detail}); nothing was changed locally.",
        "Try again in a moment; if it keeps happening, check status.stripe.com or the log file.",
    )


def readable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a gateway method: an answer of an unexpected shape becomes UnexpectedResponse, never a KeyError."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generate(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from fn(*args, **kwargs)
            except UNREADABLE as exc:
                if not _while_reading(exc):
                    raise
                log.warning("unreadable answer from Stripe in %s: %r", fn.__name__, exc)
                raise unexpected(exc) from None

        return generate

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UNREADABLE as exc:
            if not _while_reading(exc):
                raise
            log.warning("unreadable answer from Stripe in %s: %r", fn.__name__, exc)
            raise unexpected(exc) from None

    return wrapper
