"""Sync: Stripe to the local cache. Pure Python (no Qt); progress goes through a callback."""

from .engine import SyncReport, sync

__all__ = ["SyncReport", "sync"]
