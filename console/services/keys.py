"""Connect, check, rotate and delete keys for profiles: verify first, store only what works."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.models import Account
from ..errors import ConsoleError
from ..secrets.keys import HOW_TO as HOW_TO  # re-exported: the window and the CLI reach keys through here
from ..secrets.keys import NEEDED as NEEDED
from ..secrets.keys import inspect_key as inspect_key  # re-exported: the connect dialog checks a pasted key
from ..secrets.keystore import KeyringUnavailable as KeyringUnavailable
from ..secrets.keystore import KeyStore
from ..store.soundness import SUFFIX as SOUND
from .permissions import Permission, check_permissions
from .profiles import Profile, ProfileError, Profiles

if TYPE_CHECKING:  # the SDK loads with a gateway, when a key is checked or used (not in the window's first paint)
    from ..stripe_gateway import StripeGateway


class KeyMissing(ConsoleError):
    """The profile has no key in the keyring (or the keyring is locked)."""


@dataclass
class Verified:
    """A key that answered: its account, and what it may do."""

    account: Account
    gateway: StripeGateway
    permissions: list[Permission]


def verify(raw_key: str, api_base: str | None, *, allow_secret: bool = False, name: str = "") -> tuple[str, Verified]:
    """Check the format, then ask Stripe which account it is and what it may do. Nothing is stored.

    The mode is the key's prefix, checked against the `livemode` of an answer when one has objects;
    `name` stands for the account's name when the key may not read it (see StripeGateway.account)."""
    from ..stripe_gateway import StripeGateway

    key, info = inspect_key(raw_key, allow_secret=allow_secret)
    gateway = StripeGateway(key, api_base, max_retries=1)
    account = gateway.account(name)
    permissions = check_permissions(gateway)
    answered = gateway.answers_livemode()
    if answered is not None and answered != info.livemode:
        raise ConsoleError("The key's prefix and the account's mode disagree.", "Check that you pasted the whole key.")
    return key, Verified(account, gateway, permissions)


class KeyService:
    """Profiles plus the key store; every change is verified against the API first."""

    def __init__(self, data_dir: Path, keystore: KeyStore | None = None) -> None:
        self.data_dir = data_dir
        self.profiles = Profiles(data_dir)
        self.keystore = keystore or KeyStore()

    def connect(
        self, name: str, raw_key: str, api_base: str | None = None, *, session_only: bool = False, allow_secret: bool = False
    ) -> tuple[Profile, Verified]:
        """Verify the key, then store it (keyring) or keep it for this session, and save the profile."""
        name = Profiles.check_name(name)
        key, verified = verify(raw_key, api_base, allow_secret=allow_secret, name=name)
        if session_only:
            self.keystore.keep_for_session(name, key)
        else:
            self.keystore.store(name, key)  # raises KeyringUnavailable on an insecure backend
        profile = Profile(
            name=name,
            account_id=verified.account.id,
            account_name=verified.account.name,
            livemode=verified.account.livemode,
            api_base=api_base,
            permissions={p.code: p.granted for p in verified.permissions},
            stored=not session_only,
        )
        return self.profiles.put(profile), verified

    def rotate(self, name: str, raw_key: str, *, allow_secret: bool = False) -> tuple[Profile, Verified]:
        """Replace a profile's key with a new one for the same account and mode."""
        profile = self.profiles.get(name)
        key, verified = verify(raw_key, profile.api_base, allow_secret=allow_secret, name=profile.account_name)
        if verified.account.id != profile.account_id or verified.account.livemode != profile.livemode:
            raise ProfileError(
                f"This key belongs to account {verified.account.id} ({verified.account.mode_label}), "
                f"not to {profile.account_name} ({profile.account_id}, {profile.mode_label}).",
                "Add it as a new profile instead.",
            )
        if profile.stored:
            self.keystore.store(name, key)
        else:
            self.keystore.keep_for_session(name, key)
        profile.permissions = {p.code: p.granted for p in verified.permissions}
        return self.profiles.put(profile), verified

    def rename(self, old: str, new: str) -> Profile:
        """Rename the profile and move its key to the new name (in the keyring, or in memory)."""
        profile = self.profiles.rename(old, new)
        key = self.keystore.get(old)
        if key is not None:
            if profile.stored:
                self.keystore.store(profile.name, key)
            else:
                self.keystore.keep_for_session(profile.name, key)
            self.keystore.delete(old)
        return profile

    def gateway(self, name: str) -> StripeGateway:
        from ..stripe_gateway import StripeGateway

        profile = self.profiles.get(name)
        key = self.keystore.get(name)
        if key is None:
            where = "was used for one session only" if not profile.stored else "is not in the keyring (or the keyring is locked)"
            raise KeyMissing(
                f"The key for {name!r} {where}.",
                f"Paste it again: `churn-console key set --profile {name!r}` or Connect in the window.",
            )
        return StripeGateway(key, profile.api_base)

    def check(self, name: str) -> list[Permission]:
        perms = check_permissions(self.gateway(name))
        profile = self.profiles.get(name)
        profile.permissions = {p.code: p.granted for p in perms}
        self.profiles.put(profile)
        return perms

    def delete(self, name: str, *, purge_cache: bool = False) -> Profile:
        """Forget the profile and its key; the cache only when asked; the journal never (it cannot be rebuilt)."""
        profile = self.profiles.get(name)
        self.keystore.delete(name)
        self.profiles.remove(name)
        if purge_cache and not any(
            p.account_id == profile.account_id and p.livemode == profile.livemode for p in self.profiles.items.values()
        ):
            mode = "live" if profile.livemode else "test"
            for suffix in ("", "-wal", "-shm", SOUND):
                (self.data_dir / f"{profile.account_id}-{mode}.sqlite3{suffix}").unlink(missing_ok=True)
        return profile
