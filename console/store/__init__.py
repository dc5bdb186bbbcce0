"""The local SQLite cache (rebuildable from Stripe) and the action journal (not rebuildable)."""

from .cache import Cache
from .schema import SCHEMA_VERSION, open_database

__all__ = ["SCHEMA_VERSION", "Cache", "open_database"]
