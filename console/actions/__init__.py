"""Retention actions: save with a coupon, pause, revoke, undo; journaled before anything is sent."""

from ..domain.action import Consent
from .outcomes import SaveReplaced
from .service import ActionRefused, Actions

__all__ = ["ActionRefused", "Actions", "Consent", "SaveReplaced"]
