"""The console's own errors: what went wrong in words a support rep understands, and what to do."""

from __future__ import annotations

import re

# Anything shaped like a Stripe key, masked or not.
_KEY_SHAPE = re.compile(r"\b(sk|rk|pk)_(test|live)_[A-Za-z0-9*_]+")


def redact(text: str) -> str:
    """Replace anything shaped like a Stripe key with its kind and mode only."""
    return _KEY_SHAPE.sub(lambda m: f"{m.group(1)}_{m.group(2)}_…", text)


def sentence(text: str) -> str:
    """Text that reads as a sentence before the next one: Stripe's messages often end without a full stop."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?…:)" else text + "."


class ConsoleError(Exception):
    """Base class: `message` says what happened, `hint` what to do about it; `action_id` the journal's action
    it interrupted, when an action was being sent."""

    action_id: str | None = None

    def __init__(self, message: str, hint: str = "", *, request_id: str | None = None) -> None:
        self.message = redact(message)
        self.hint = redact(hint)
        self.request_id = request_id
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{sentence(self.message)} {self.hint}".strip()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class AuthenticationFailed(ConsoleError):
    """The key was refused (unknown, revoked or expired)."""


class PermissionMissing(ConsoleError):
    """A restricted key lacks a permission; `permission` names it."""

    def __init__(self, message: str, hint: str = "", *, permission: str | None = None, request_id: str | None = None) -> None:
        super().__init__(message, hint, request_id=request_id)
        self.permission = permission


class RateLimited(ConsoleError):
    """Stripe asked us to slow down."""


class Offline(ConsoleError):
    """Stripe (or the sandbox) could not be reached."""


class NotFound(ConsoleError):
    """The object does not exist in this account and mode."""


class Conflict(ConsoleError):
    """The request clashed with another (idempotency or concurrent change)."""


class InProgress(Conflict):
    """Stripe is still running an earlier request with the same idempotency key (409): its outcome is not known
    yet, so it is settled like an answer that never came (re-read at the next sync), never sent with a new key."""


class InvalidRequest(ConsoleError):
    """Stripe refused the parameters; `param` names the field."""

    def __init__(self, message: str, hint: str = "", *, param: str | None = None, request_id: str | None = None) -> None:
        super().__init__(message, hint, request_id=request_id)
        self.param = param


class UnexpectedResponse(ConsoleError):
    """Stripe's answer did not have the shape the console reads (a field missing, null or of another type)."""


class StripeUnavailable(ConsoleError):
    """Stripe answered with a server error."""
