"""The Sandbox: a seeded Stripe-compatible account served over HTTP on loopback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import cards, lifecycle
from . import seed as seed_module
from .backend import Backend, LogEntry
from .faults import FaultConfig, Faults
from .keys import ALL_PERMISSIONS, KeyRing
from .mangle import Mangle
from .misc import new_clock
from .server import SandboxHTTPServer
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
        state_file: Path | None = None,
        event_api_version: str | None = None,
        invoice_history: int = seed_module.INVOICE_HISTORY,
    ) -> None:
        self.state_file = state_file
        restored = self._restore(state_file)
        self.state = restored or State(seed=seed, livemode=live, clock=Clock(start_time))
        if event_api_version:
            self.state.event_api_version = event_api_version
        self.keys = KeyRing(livemode=self.state.livemode)
        self.key = self.keys.make(ALL_PERMISSIONS)
        self.secret_key = self.keys.make(secret_key=True)
        self.admin_key = self.keys.make_admin()
        with self.state.lock:
            if restored is None:
                seed_module.seed(self.state, customers, invoice_history)
                self.clock_id = new_clock(self.state, "Sandbox timeline")["id"]
            else:
                self.clock_id = next(iter(self.state.table("test_helpers.test_clock")))
                lifecycle.run_until(self.state, self.state.clock.now())
            self.state.freeze()
        self.faults = Faults(faults or FaultConfig(seed=seed))
        self._backend = Backend(self.state, self.keys, self.faults)
        self._httpd = SandboxHTTPServer((host, port), self._backend)
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self._httpd.server_address[1]}"
        self._backend.base_url = self.url
        self._thread: threading.Thread | None = None

    # lifecycle ---------------------------------------------------------------
    def start(self) -> Sandbox:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sandbox-http", daemon=True)
        self._thread.start()
        return self

    @staticmethod
    def _restore(path: Path | None) -> State | None:
        """The saved account, or None (a missing or unreadable file starts a fresh seed)."""
        if path is None or not path.exists():
            return None
        try:
            return State.load(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            path.replace(path.with_suffix(".broken.json"))
            return None

    def save(self) -> None:
        """Write the account to `state_file` (atomically), so the demo keeps what was done in it."""
        if self.state_file is None:
            return
        with self.state.lock:
            text = json.dumps(self.state.dump())
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(text, "utf-8")
        tmp.replace(self.state_file)

    def stop(self) -> None:
        """Stop serving and save the account if it has a state file (safe to call twice)."""
        self.save()
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

    def on_write(self, notify: Callable[[], None]) -> None:
        """Call `notify` after every request that changed the account (the demo server saves then)."""
        self._backend.after_write.append(notify)

    def idle_for(self) -> float:
        """Seconds since the last request came in."""
        return time.monotonic() - self._backend.last_seen

    def clear_log(self) -> None:
        with self._backend.log_lock:
            self._backend.log.clear()
            self._backend.max_in_flight = self._backend.in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests that were being served at the same moment since the last clear_log()."""
        return self._backend.max_in_flight

    def mangle_next(self, kind: str, path_prefix: str = "/v1/", field: str | None = None) -> None:
        """Spoil the next answer to a matching path (see sandbox/mangle.py): for tests of malformed responses."""
        self._backend.mangler.add(Mangle(kind, path_prefix, field))

    def clear_mangles(self) -> None:
        """Forget the spoiled answers not met yet."""
        self._backend.mangler.clear()

    @property
    def in_flight(self) -> int:
        """Requests being served right now."""
        return self._backend.in_flight

    def advance(self, seconds: int) -> None:
        """Move sandbox time forward (as the test clock's advance does)."""
        with self.state.lock:
            self.state.clock.advance_to(self.state.clock.now() + seconds)
            lifecycle.run_until(self.state, self.state.clock.now())

    def card_updated(self, pm_id: str, years: int = 3) -> None:
        """The card updater gives a card a new expiry `years` ahead, now (sandbox/cards.card_updater)."""
        with self.state.lock:
            pm = self.state.get("payment_method", pm_id)
            assert pm is not None, pm_id
            year, month = time.gmtime(self.state.clock.now())[:2]
            cards.card_updater(self.state, pm, self.state.clock.now(), (year + years, month))
