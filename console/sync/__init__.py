"""Sync: Stripe to the local cache. Pure Python (no Qt); progress goes through a callback."""

from .engine import sync
from .report import SyncReport

__all__ = ["SyncReport", "sync"]
