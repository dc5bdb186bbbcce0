"""Malformed answers on demand (for tests): HTML error pages, cut-off JSON, missing fields, nulls, unknown values."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

KINDS = ("html", "truncated", "missing", "null", "unknown_enum", "wrong_type", "refused")
HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"


@dataclass(frozen=True)
class Mangle:
    """Spoil the next answer to a path starting with `path_prefix`; `field` is dotted, `*` for each list element."""

    kind: str
    path_prefix: str = "/v1/"
    field: str | None = None


class Mangler:
    """A queue of answers to spoil, consumed in order by the requests they match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Mangle] = []

    def add(self, mangle: Mangle) -> None:
        if mangle.kind not in KINDS:
            raise ValueError(f"unknown mangle kind {mangle.kind!r} (one of {', '.join(KINDS)})")
        if mangle.kind not in ("html", "truncated") and not mangle.field:
            raise ValueError(f"a {mangle.kind!r} mangle needs a field")
        with self._lock:
            self._pending.append(mangle)

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()

    def apply(self, path: str, status: int, payload: bytes, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            found = next((m for m in self._pending if path.startswith(m.path_prefix)), None)
            if found is None:
                return status, payload, headers
            self._pending.remove(found)
        if found.kind == "html":
            return 502, HTML_PAGE, {**headers, "Content-Type": "text/html"}
        if found.kind == "truncated":
            return status, payload[: len(payload) // 2], headers
        if found.kind == "refused":  # a 400 naming `field` as the parameter Stripe would not take
            error = {"type": "invalid_request_error", "message": f"Invalid {found.field}: no longer valid", "param": found.field}
            return 400, json.dumps({"error": error}).encode(), headers
        body = json.loads(payload)
        _spoil(body, found.field.split(".") if found.field else [], found.kind)
        return status, json.dumps(body).encode(), headers


def _spoil(node: Any, parts: list[str], kind: str) -> None:
    if not parts:
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        for item in node if isinstance(node, list) else []:
            _spoil(item, rest, kind)
        return
    if not isinstance(node, dict) or head not in node:
        return
    if rest:
        _spoil(node[head], rest, kind)
    elif kind == "missing":
        del node[head]
    elif kind == "null":
        node[head] = None
    elif kind == "unknown_enum":
        node[head] = "surprise_value_from_the_future"
    else:
        node[head] = {"unexpected": [1, "two"]}
