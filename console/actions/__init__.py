"""Retention actions: save with a coupon, pause, revoke, undo; journaled before anything is sent."""

from .outcomes import SaveReplaced
from .service import ActionRefused, Actions, Consent

__all__ = ["ActionRefused", "Actions", "Consent", "SaveReplaced"]
