"""API keys the sandbox accepts, and the permissions each restricted key carries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

# Every permission the sandbox's routes check (Stripe's `rak_<resource>_<read|write>`).
# A write permission implies the matching read, as in the Dashboard.
ALL_PERMISSIONS = frozenset(
    {
        "rak_subscription_write",
        "rak_customer_read",
        "rak_coupon_write",
        "rak_product_read",
        "rak_price_read",
        "rak_billing_portal_write",
        "rak_event_read",
        "rak_invoice_write",
        "rak_payment_intent_read",
        "rak_payment_method_write",
        "rak_test_clock_write",
    }
)


# The permission Stripe names when a restricted key asks for GET /v1/account (stripe-node issue 2246).
# Not in ALL_PERMISSIONS: ordinary restricted keys cannot read the account.
ACCOUNT_READ = "rak_accounts_kyc_id_numbers_read"


@dataclass(frozen=True)
class ApiKey:
    """A key and what it may do; `permissions is None` means a secret key (everything)."""

    secret: str
    permissions: frozenset[str] | None
    revoked: bool = False
    admin: bool = False  # the sandbox's own controls (/_sandbox/*): only its admin key, never a Stripe-shaped one

    def allows(self, permission: str) -> bool:
        if not permission or self.permissions is None:
            return True
        if permission in self.permissions:
            return True
        return permission.endswith("_read") and permission[: -len("_read")] + "_write" in self.permissions

    @property
    def masked(self) -> str:
        return f"{self.secret[:8]}{'*' * 12}{self.secret[-4:]}"


class KeyRing:
    """The keys of one sandbox account."""

    def __init__(self, livemode: bool = False) -> None:
        self.mode = "live" if livemode else "test"
        self._keys: dict[str, ApiKey] = {}

    def make(self, permissions: frozenset[str] | set[str] | None = ALL_PERMISSIONS, *, secret_key: bool = False) -> str:
        """Issue a key: restricted (`rk_`) with `permissions`, or a secret key (`sk_`)."""
        prefix = "sk" if secret_key else "rk"
        value = f"{prefix}_{self.mode}_{secrets.token_urlsafe(36).replace('-', 'A').replace('_', 'b')}"
        self._keys[value] = ApiKey(value, None if secret_key else frozenset(permissions or ()))
        return value

    def make_admin(self) -> str:
        """The key for `/_sandbox/*` (log, faults, minting keys). It cannot call the Stripe API, and no key the
        sandbox mints through its admin endpoint is one."""
        value = f"sbx_admin_{secrets.token_urlsafe(32)}"
        self._keys[value] = ApiKey(value, frozenset(), admin=True)
        return value

    def revoke(self, value: str) -> None:
        key = self._keys[value]
        self._keys[value] = ApiKey(key.secret, key.permissions, revoked=True, admin=key.admin)

    def is_revoked(self, value: str) -> bool:
        key = self._keys.get(value)
        return key is not None and key.revoked

    def find(self, value: str) -> ApiKey | None:
        key = self._keys.get(value)
        return None if key is None or key.revoked else key
