"""`/_sandbox/*`: controls for a sandbox running in another process (log, faults, keys)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .backend import Backend
from .errors import ApiError
from .keys import ACCOUNT_READ, ALL_PERMISSIONS

MINTABLE = ALL_PERMISSIONS | {ACCOUNT_READ}


def handle_admin(backend: Backend, method: str, path: str, raw: str) -> dict[str, Any]:
    """Serve one admin request; the caller has already checked the API key."""
    try:
        body = json.loads(raw) if method == "POST" and raw.strip() else {}  # GET and DELETE: their query is not JSON
    except ValueError as exc:
        raise ApiError(400, "invalid_request_error", f"The sandbox's admin endpoints take a JSON object: {exc}.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request_error", "The sandbox's admin endpoints take a JSON object.")
    if path == "/_sandbox/log" and method == "GET":
        with backend.log_lock:
            return {"entries": [asdict(e) for e in backend.log]}
    if path == "/_sandbox/log" and method == "DELETE":
        with backend.log_lock:
            backend.log.clear()
        return {"cleared": True}
    if path == "/_sandbox/faults" and method == "POST":
        try:
            backend.faults.configure(**{k: float(v) for k, v in body.items()})
        except (ValueError, TypeError) as exc:  # a value that is not a number, or a setting that does not exist
            raise ApiError(400, "invalid_request_error", str(exc)) from exc
        return asdict(backend.faults.config)
    if path == "/_sandbox/keys" and method == "POST":
        wanted = body.get("permissions", [])
        if not isinstance(wanted, list) or not set(wanted) <= MINTABLE:
            raise ApiError(400, "invalid_request_error", f"permissions are a list of: {', '.join(sorted(MINTABLE))}.")
        return {"key": backend.keys.make(frozenset(wanted))}  # a restricted key: never an admin or secret one
    raise ApiError(404, "invalid_request_error", f"Unrecognized sandbox admin URL ({method}: {path}).")
