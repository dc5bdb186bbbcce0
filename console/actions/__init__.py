"""Retention actions: save with a coupon, pause, revoke, undo; journaled before anything is sent."""

from .service import ActionRefused, Actions, Consent

__all__ = ["ActionRefused", "Actions", "Consent"]
