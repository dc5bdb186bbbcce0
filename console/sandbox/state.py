"""The sandbox's in-memory Stripe account: objects, clock, ids, events and idempotency."""

from __future__ import annotations

import copy
import json
import random
import string
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson

EVENT_WINDOW_SECONDS = 30 * 86400  # Stripe keeps events for 30 days.
API_VERSION = "2026-10-28.endive"
# An event's data.object is rendered in the API version the account had when it happened
# (docs: "Versioning", event.api_version). Before 2025-03-31.basil the billing period was on the
# subscription, not on its items (changelog "Deprecate subscription current period start and end").
OLDER_API_VERSION = "2025-02-24.acacia"

_ID_PREFIX = {
    "customer": "cus",
    "subscription": "sub",
    "subscription_item": "si",
    "product": "prod",
    "price": "price",
    "coupon": "",
    "discount": "di",
    "billing_portal.configuration": "bpc",
    "billing_portal.session": "bps",
    "event": "evt",
    "invoice": "in",
    "test_helpers.test_clock": "clock",
    "billing.feedback_option": "fo",
}
_ALPHABET = string.ascii_letters + string.digits
_ID_BYTES = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(256))  # a random byte to an id character


def template(kind: str) -> dict[str, Any]:
    """A fresh copy of Stripe's own example object for `kind` (from openapi fixtures3.json)."""
    return orjson.loads(_templates()[kind])


_TEMPLATES: dict[str, bytes] = {}


def _templates() -> dict[str, bytes]:
    if not _TEMPLATES:
        text = resources.files("console.sandbox").joinpath("shapes.json").read_text("utf-8")
        _TEMPLATES.update({kind: orjson.dumps(obj) for kind, obj in json.loads(text).items()})
    return _TEMPLATES


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep, independent copy of an object (plain JSON data: dicts, lists, strings, numbers), by orjson: four
    times `copy.deepcopy`'s speed, which a large seed spent a fifth of its start on."""
    try:
        return orjson.loads(orjson.dumps(obj))
    except TypeError:  # something that is not JSON data (not in Stripe's objects): copied as it is
        return copy.deepcopy(obj)


class Clock:
    """Sandbox time: wall time plus an offset that the test clock API moves forward."""

    def __init__(self, start: int | None = None) -> None:
        self.offset = 0 if start is None else start - int(time.time())

    def now(self) -> int:
        return int(time.time()) + self.offset

    def advance_to(self, ts: int) -> None:
        self.offset += max(0, ts - self.now())


@dataclass
class IdempotentResult:
    """A stored response for one Idempotency-Key."""

    fingerprint: str
    status: int
    body: bytes


@dataclass
class State:
    """Everything the sandbox holds. Guard every read and write with `lock`."""

    seed: int = 7
    livemode: bool = False
    clock: Clock = field(default_factory=Clock)
    lock: threading.RLock = field(default_factory=threading.RLock)
    objects: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    idempotency: dict[tuple[str, str], IdempotentResult] = field(default_factory=dict)
    account: dict[str, Any] = field(default_factory=dict)
    event_api_version: str = API_VERSION  # OLDER_API_VERSION: events rendered as an older account's
    _seq: int = 0

    def __post_init__(self) -> None:
        self._orders: dict[str, tuple[list[dict[str, Any]], list[int], dict[str, int]]] = {}
        self.rng = random.Random(self.seed)
        self._id_rng = random.Random(self.seed * 7919 + 1)

    # persistence (the demo keeps its account between runs) -------------------------
    def dump(self) -> dict[str, Any]:
        return {
            "version": 1,
            "seed": self.seed,
            "livemode": self.livemode,
            "clock_offset": self.clock.offset,
            "objects": self.objects,
            "events": self.events,
            "account": self.account,
            "seq": self._seq,
            "rng": _jsonable(self.rng.getstate()),
            "id_rng": _jsonable(self._id_rng.getstate()),
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> State:
        state = cls(seed=data["seed"], livemode=data["livemode"])
        state.clock.offset = data["clock_offset"]
        state.objects = data["objects"]
        state.events = data["events"]
        state.account = data["account"]
        state._seq = data["seq"]
        state.rng.setstate(_tupled(data["rng"]))
        state._id_rng.setstate(_tupled(data["id_rng"]))
        return state

    # ids and order -----------------------------------------------------------
    def new_id(self, kind: str) -> str:
        body = self._id_rng.randbytes(24).translate(_ID_BYTES).decode("ascii")  # a seed makes millions of ids
        prefix = _ID_PREFIX.get(kind, "obj")
        return f"{prefix}_{body}" if prefix else body[:8].upper()

    def next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # objects -----------------------------------------------------------------
    def table(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.objects.setdefault(kind, {})

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj.setdefault("_seq", self.next_seq())
        self.table(obj["object"])[obj["id"]] = obj
        self._orders.pop(obj["object"], None)
        return obj

    def remove(self, kind: str, obj_id: str) -> None:
        del self.table(kind)[obj_id]
        self._orders.pop(kind, None)

    def ordered(self, kind: str) -> list[dict[str, Any]]:
        """Objects of `kind`, newest first (as lists return them), cached until one is added or removed."""
        return self._order(kind)[0]

    def created_keys(self, kind: str) -> list[int]:
        """-created of ordered(kind), ascending: for binary search by created range."""
        return self._order(kind)[1]

    def positions(self, kind: str) -> dict[str, int]:
        """Each object's place in ordered(kind): where a `starting_after` cursor continues, without a scan."""
        return self._order(kind)[2]

    def _order(self, kind: str) -> tuple[list[dict[str, Any]], list[int], dict[str, int]]:
        order = self._orders.get(kind)
        if order is None:
            every = self.events if kind == "event" else self.table(kind).values()  # events are a list of their own
            objs = sorted(every, key=lambda o: (o.get("created", 0), o.get("_seq", 0)), reverse=True)
            order = (objs, [-o.get("created", 0) for o in objs], {o["id"]: i for i, o in enumerate(objs)})
            self._orders[kind] = order
        return order

    def get(self, kind: str, obj_id: str) -> dict[str, Any] | None:
        return self.table(kind).get(obj_id)

    # events ------------------------------------------------------------------
    def emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        previous: dict[str, Any] | None = None,
        *,
        created: int | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        event = template("event")
        event.update(
            id=self.new_id("event"),
            api_version=self.event_api_version,
            created=self.clock.now() if created is None else created,
            livemode=self.livemode,
            type=event_type,
            pending_webhooks=0,
            request={"id": request_id, "idempotency_key": idempotency_key},
            data={"object": in_version(snapshot(obj), self.event_api_version)},
        )
        event.pop("account", None)
        if previous is not None:
            event["data"]["previous_attributes"] = previous
        event["_seq"] = self.next_seq()
        self.events.append(event)
        self._orders.pop("event", None)
        return event


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """A shallow copy without the sandbox's private `_` keys (only top-level keys are private).

    For responses, which are serialised at once; expansion copies what it changes below the top.
    """
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def snapshot(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep, independent copy without private keys (for events: the object changes later)."""
    return clone(public(obj))


def in_version(obj: dict[str, Any], version: str) -> dict[str, Any]:
    """An object as an account on `version` would see it in an event (only the differences the console
    reads: before 2025-03-31 the billing period was on the subscription, not on its items)."""
    if version >= "2025-03-31" or obj.get("object") != "subscription":
        return obj
    items = (obj.get("items") or {}).get("data") or []
    starts = [i.pop("current_period_start", None) for i in items]
    ends = [i.pop("current_period_end", None) for i in items]
    obj["current_period_start"] = min((s for s in starts if s is not None), default=None)
    obj["current_period_end"] = min((e for e in ends if e is not None), default=None)
    return obj


def diff(before: Any, after: Any) -> dict[str, Any]:
    """Stripe's `previous_attributes`: old values of what changed, nested dicts diffed."""
    out: dict[str, Any] = {}
    for key in set(before) | set(after):
        if key.startswith("_"):
            continue
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and old.get("object") != "list":
            out[key] = diff(old, new)
        else:
            out[key] = copy.deepcopy(old)
    return out


def _jsonable(value: Any) -> Any:
    return [_jsonable(v) for v in value] if isinstance(value, (tuple, list)) else value


def _tupled(value: Any) -> Any:
    return tuple(_tupled(v) for v in value) if isinstance(value, list) else value
