"""The Sandbox: a seeded Stripe-compatible account served over HTTP on loopback."""

from __future__ import annotations

import threading
from typing import Any

from . import lifecycle
from . import seed as seed_module
from .faults import FaultConfig, Faults
from .keys import ALL_PERMISSIONS, KeyRing
from .misc import new_clock
from .server import Backend, LogEntry, SandboxHTTPServer
from .state import Clock, State


class Sandbox:
    """Start with `with Sandbox(seed=7) as sb:`; talk to `sb.url` with `sb.key` through the stripe SDK."""

    def __init__(
        self,
        *,
        seed: int = 7,
        customers: int = 500,
        host: str = "127.0.0.1",
        port: int = 0,
        live: bool = False,
        start_time: int | None = None,
        faults: FaultConfig | None = None,
    ) -> None:
        self.state = State(seed=seed, livemode=live, clock=Clock(start_time))
        self.keys = KeyRing(livemode=live)
        self.key = self.keys.make(ALL_PERMISSIONS)
        self.secret_key = self.keys.make(secret_key=True)
        with self.state.lock:
            seed_module.seed(self.state, customers)
            self.clock_id = new_clock(self.state, "Sandbox timeline")["id"]
        self.faults = Faults(faults or FaultConfig(seed=seed))
        self._backend = Backend(self.state, self.keys, self.faults)
        self._httpd = SandboxHTTPServer((host, port), self._backend)
        self.url = f"http://{host}:{self._httpd.server_address[1]}"
        self._backend.base_url = self.url
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------
    def start(self) -> Sandbox:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (safe to call twice)."""
        if self._thread is None:
            self._httpd.server_close()
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # test helpers -------------------------------------------------------------
    def make_key(self, permissions: set[str] | frozenset[str] = ALL_PERMISSIONS) -> str:
        """A restricted key with exactly these permissions."""
        return self.keys.make(frozenset(permissions))

    def revoke_key(self, key: str) -> None:
        self.keys.revoke(key)

    def configure_faults(self, **changes: float) -> None:
        self.faults.configure(**changes)

    @property
    def log(self) -> list[LogEntry]:
        with self._backend.log_lock:
            return list(self._backend.log)

    def clear_log(self) -> None:
        with self._backend.log_lock:
            self._backend.log.clear()
            self._backend.max_in_flight = self._backend.in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being served at the same moment since the last clear_log()."""
        return self._backend.max_in_flight

    def advance(self, seconds: int) -> None:
        """Move sandbox time forward (as the test clock's advance does)."""
        with self.state.lock:
            self.state.clock.advance_to(self.state.clock.now() + seconds)
            lifecycle.run_until(self.state, self.state.clock.now())
