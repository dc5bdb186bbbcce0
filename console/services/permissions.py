"""Which of the permissions the console needs a key has, and what each one enables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain import permissions

if TYPE_CHECKING:
    from ..stripe_gateway import StripeGateway


@dataclass(frozen=True)
class Permission:
    code: str
    label: str
    enables: str
    granted: bool


def check_permissions(gateway: StripeGateway) -> list[Permission]:
    """One harmless request per permission (see StripeGateway.probe). Auth and network errors propagate."""
    return [Permission(p.code, p.label, p.enables, gateway.probe(p.code)) for p in permissions.NEEDED]


def table(perms: list[Permission]) -> str:
    width = max(len(p.label) for p in perms)
    lines = [f"{'Permission'.ljust(width)}  Granted  Enables", f"{'─' * width}  ───────  {'─' * 40}"]
    lines += [f"{p.label.ljust(width)}  {'yes' if p.granted else 'NO ':<7}  {p.enables}" for p in perms]
    missing = [p.label for p in perms if not p.granted]
    if missing:
        lines += [
            "",
            f"Missing: {', '.join(missing)}. Add them to the key in the Dashboard (Developers → API keys), then check again.",
        ]
    return "\n".join(lines)
