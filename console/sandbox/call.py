"""What a handler receives: the state, the checked params and the request's identity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import unsupported
from .state import State


@dataclass
class Call:
    """One API request as a handler sees it."""

    state: State
    params: dict[str, Any]
    args: tuple[str, ...] = ()
    request_id: str = ""
    idempotency_key: str | None = None
    path: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def now(self) -> int:
        return self.state.clock.now()

    def only(self, *supported: str) -> None:
        """Refuse valid Stripe params that the sandbox does not model (never ignore them silently)."""
        for name in self.params:
            if name not in supported and name != "expand":
                raise unsupported(name)

    def emit(self, event_type: str, obj: dict[str, Any], previous: dict[str, Any] | None = None) -> None:
        self.state.emit(event_type, obj, previous, request_id=self.request_id, idempotency_key=self.idempotency_key)
