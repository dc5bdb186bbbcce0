"""What a pasted key is, checked before any request: restricted keys are the supported kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain import permissions
from ..errors import ConsoleError

KEY_SHAPE = re.compile(r"(rk|sk|pk)_(test|live)_[A-Za-z0-9]{16,247}")

NEEDED = tuple((p.code, p.label, p.enables) for p in permissions.NEEDED)  # (code, label, what it enables)
HOW_TO = (
    "In the Stripe Dashboard open Developers → API keys → Create restricted key, name it "
    '"churn-console", set ' + ", ".join(label for _, label, _ in NEEDED) + ", and paste the rk_… key here."
)


class KeyRejected(ConsoleError):
    """The key was refused before anything was sent."""


@dataclass(frozen=True)
class KeyInfo:
    kind: str  # restricted, secret
    mode: str  # test, live

    @property
    def livemode(self) -> bool:
        return self.mode == "live"


def inspect_key(raw: str, *, allow_secret: bool = False) -> tuple[str, KeyInfo]:
    """The cleaned key and what it is; raises KeyRejected with what to do instead."""
    key = raw.strip().strip("'\"").strip()
    if not key:
        raise KeyRejected("Paste a restricted API key (it starts with rk_test_ or rk_live_).", HOW_TO)
    match = KEY_SHAPE.fullmatch(key)
    if match is None:
        if key.startswith(("whsec_", "acct_", "sub_", "cus_")):
            raise KeyRejected("That is a Stripe id or a webhook secret, not an API key.", HOW_TO)
        raise KeyRejected(
            "This does not look like a Stripe API key (they start with rk_test_ or rk_live_ and have no spaces).", HOW_TO
        )
    prefix, mode = match.group(1), match.group(2)
    if prefix == "pk":
        raise KeyRejected("This is a publishable key (pk_…): it is meant for browsers and cannot read subscriptions.", HOW_TO)
    if prefix == "sk" and not allow_secret:
        raise KeyRejected(
            "This is a secret key (sk_…): it can do anything in the account, including refunds and payouts. "
            "The console needs only a few permissions, so it asks for a restricted key "
            "(to use this one anyway: --allow-secret-key, or the checkbox when connecting).",
            HOW_TO,
        )
    return key, KeyInfo("restricted" if prefix == "rk" else "secret", mode)
