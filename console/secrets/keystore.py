"""Keys in the OS keyring (service `churn-console`, one entry per profile), or in memory for one session."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from types import ModuleType

from ..errors import ConsoleError

SERVICE = "churn-console"
log = logging.getLogger(__name__)
# Only the operating system's own secret stores count as secure (never a plaintext file or nothing).
SECURE_MODULES = (
    "keyring.backends.SecretService",
    "keyring.backends.libsecret",
    "keyring.backends.kwallet",
    "keyring.backends.macOS",
    "keyring.backends.Windows",
)
ADVICE = (
    "On Linux, install and unlock a Secret Service (GNOME Keyring or KWallet: "
    "`sudo apt-get install gnome-keyring`, then log in to a desktop session); macOS and Windows have one built in."
)
SESSION_ONLY = (
    'Meanwhile the key works for one session: in the window, Connect → Verify → "Use for this session only"; '
    "in a terminal, set STRIPE_API_KEY for the command (`read -s STRIPE_API_KEY; export STRIPE_API_KEY; churn-console sync`)."
)


def _keyring() -> ModuleType:
    """`keyring`, imported on first use: it and its backends' entry points cost 40 ms that the window's first frame
    need not wait for (the key is read on a worker, once the window is up)."""
    import keyring
    import keyring.errors  # noqa: F401 - the submodule the except clauses below name

    return keyring


class KeyringUnavailable(ConsoleError):
    """No secure keyring: the key cannot be stored (it can still be used for this session)."""


@dataclass
class BackendStatus:
    name: str
    secure: bool
    advice: str = ""


def backend_status() -> BackendStatus:
    """Which keyring `keyring` would use, and whether it is one of the OS's secret stores."""
    backend = _keyring().get_keyring()
    chained = getattr(backend, "backends", None) or [backend]  # a ChainerBackend wraps several
    names = [f"{type(b).__module__}.{type(b).__name__}" for b in chained]
    secure = bool(names) and all(name.startswith(SECURE_MODULES) for name in names)
    return BackendStatus(", ".join(names), secure, "" if secure else ADVICE)


@dataclass
class KeyStore:
    """Stores keys only in a secure keyring; `session` holds keys the user chose not to store."""

    service: str = SERVICE
    session: dict[str, str] = field(default_factory=dict, repr=False)

    def status(self) -> BackendStatus:
        return backend_status()

    def store(self, profile: str, key: str) -> None:
        status = self.status()
        if not status.secure:
            raise KeyringUnavailable(
                "The key was not stored: this system has no secure keyring.", f"{status.advice} {SESSION_ONLY}"
            )
        keyring = _keyring()
        try:
            keyring.set_password(self.service, profile, key)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The keyring refused to store the key ({type(exc).__name__}).",
                "Unlock the keyring, or use the key for this session only.",
            ) from None
        self.session.pop(profile, None)

    def keep_for_session(self, profile: str, key: str) -> None:
        self.session[profile] = key

    def get(self, profile: str) -> str | None:
        if profile in self.session:
            return self.session[profile]
        keyring = _keyring()
        try:
            found: str | None = keyring.get_password(self.service, profile)
            return found
        except keyring.errors.KeyringError as exc:
            log.warning("keyring lookup failed: %s", type(exc).__name__)
            return None

    def delete(self, profile: str) -> bool:
        """Remove the stored key; True when there was one."""
        had = self.session.pop(profile, None) is not None
        keyring = _keyring()
        try:
            keyring.delete_password(self.service, profile)
            return True
        except keyring.errors.PasswordDeleteError:
            return had
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The keyring refused to delete the key ({type(exc).__name__}).", "Unlock the keyring and try again."
            ) from None

    def __repr__(self) -> str:
        return f"KeyStore(service={self.service!r}, session_profiles={sorted(self.session)})"
