"""What the sandbox's request threads share: its state, keys and faults, the request log and the requests in flight."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .faults import Faults
from .keys import KeyRing
from .mangle import Mangler
from .state import State


@dataclass
class LogEntry:
    """One request as the sandbox saw it (the key is never recorded)."""

    at: float
    method: str
    path: str
    params: dict[str, Any]
    status: int
    request_id: str
    idempotency_key: str | None = None
    replayed: bool = False
    fault: str | None = None


@dataclass
class Backend:
    """What the request threads share."""

    state: State
    keys: KeyRing
    faults: Faults
    base_url: str = ""
    log: list[LogEntry] = field(default_factory=list)
    log_lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0
    max_in_flight: int = 0
    mangler: Mangler = field(default_factory=Mangler)
    running: set[tuple[str, str]] = field(default_factory=set)  # (key, Idempotency-Key) of POSTs being served
    after_write: list[Callable[[], None]] = field(default_factory=list)  # called after each write that succeeded
    last_seen: float = field(default_factory=time.monotonic)  # when the last request came in
    _req: int = 0

    def enter(self) -> None:
        with self.log_lock:
            self.last_seen = time.monotonic()
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.log_lock:
            self.in_flight -= 1

    def claim(self, key: tuple[str, str]) -> bool:
        """Start serving a request with this idempotency key; False while another request with it runs."""
        with self.log_lock:
            if key in self.running:
                return False
            self.running.add(key)
            return True

    def release(self, key: tuple[str, str]) -> None:
        with self.log_lock:
            self.running.discard(key)

    def next_request_id(self) -> str:
        with self.log_lock:
            self._req += 1
            return f"req_sandbox{self._req:010d}"

    def record(self, entry: LogEntry) -> None:
        with self.log_lock:
            self.log.append(entry)
