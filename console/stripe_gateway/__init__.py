"""The one place that imports `stripe`: clients, conversions and error mapping."""

from .client import API_VERSION, key_kind, key_mode, make_client
from .gateway import StripeGateway

__all__ = ["API_VERSION", "StripeGateway", "key_kind", "key_mode", "make_client"]
