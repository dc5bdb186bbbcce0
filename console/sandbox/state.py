"""The sandbox's in-memory Stripe account: objects, clock, ids, events and idempotency."""

from __future__ import annotations

import copy
import json
import random
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import orjson

from .table import Table
from .versions import API_VERSION as API_VERSION  # re-exported: the server and tests read it here
from .versions import OLDER_API_VERSION as OLDER_API_VERSION

EVENT_WINDOW_SECONDS = 30 * 86400  # Stripe keeps events for 30 days.
VERSION_ITEMS_HOLD_PERIODS = "2025-03-31"  # from this version on, periods are on the items (changelog above)

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
    "invoice_payment": "inpay",
    "payment_method": "pm",
    "payment_intent": "pi",
    "test_helpers.test_clock": "clock",
    "billing.feedback_option": "fo",
}
# The kinds a large account has millions of: kept compressed (table.py) but for what a request changed.
BULK_KINDS = ("customer", "subscription", "invoice", "discount", "event", "payment_method")


# Fields looked up by value (a customer's invoices and subscriptions), indexed so as not to read them all.
def _customer_of(obj: dict[str, Any]) -> Any:
    return obj.get("customer")


def invoice_subscription(invoice: dict[str, Any]) -> Any:
    """The subscription an invoice bills (`parent.subscription_details.subscription`; None for others)."""
    return ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription")


_INDEXED: dict[str, dict[str, Callable[[dict[str, Any]], Any]]] = {
    "invoice": {"customer": _customer_of, "subscription": invoice_subscription},
    "subscription": {"customer": _customer_of},
}
_ALPHABET = string.ascii_letters + string.digits
_ID_BYTES = bytes(ord(_ALPHABET[b % len(_ALPHABET)]) for b in range(256))  # a random byte to an id character


def template(kind: str) -> dict[str, Any]:
    """A fresh copy of Stripe's own example object for `kind` (from openapi fixtures3.json), with the parts
    its builder always sets left null (`_REPLACED`): a large seed parsed them millions of times for nothing."""
    out: dict[str, Any] = orjson.loads(_templates()[kind])
    return out


_TEMPLATES: dict[str, bytes] = {}
# Fields every builder of the kind sets (objects.subscription, subscription_item, invoices.invoice, emit).
_REPLACED = {
    "subscription": ("items", "pending_update", "billing_schedules", "billing_cycle_anchor_config"),
    "subscription_item": ("price", "plan"),
    "invoice": ("lines",),
    "event": ("data",),
}


def example(kind: str) -> dict[str, Any]:
    """Stripe's own example object for `kind`, whole (what tests build Stripe's answers from)."""
    _templates()
    out: dict[str, Any] = orjson.loads(_EXAMPLES[kind])
    return out


_EXAMPLES: dict[str, bytes] = {}


def _templates() -> dict[str, bytes]:
    if not _TEMPLATES:
        text = resources.files("console.sandbox").joinpath("shapes.json").read_text("utf-8")
        shapes = json.loads(text)
        _EXAMPLES.update({kind: orjson.dumps(obj) for kind, obj in shapes.items()})
        shapes["invoice_line"] = shapes["invoice"]["lines"]["data"][0]  # an invoice's line item, on its own
        for kind, fields in _REPLACED.items():
            shapes[kind].update(dict.fromkeys(fields))
        _TEMPLATES.update({kind: orjson.dumps(obj) for kind, obj in shapes.items()})
    return _TEMPLATES


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    """A deep, independent copy of an object (plain JSON data: dicts, lists, strings, numbers), by orjson: four
    times `copy.deepcopy`'s speed, which a large seed spent a fifth of its start on."""
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(obj))
        return copied
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
    endpoint: str = ""  # "POST /v1/…": a key is for the endpoint it was first used on


@dataclass
class State:
    """Everything the sandbox holds. Guard every read and write with `lock`."""

    seed: int = 7
    livemode: bool = False
    clock: Clock = field(default_factory=Clock)
    lock: threading.RLock = field(default_factory=threading.RLock)
    objects: dict[str, Table] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotentResult] = field(default_factory=dict)
    account: dict[str, Any] = field(default_factory=dict)
    event_api_version: str = API_VERSION  # OLDER_API_VERSION: events rendered as an older account's
    compact: bool = True  # False: every object stays a dict (the old storage, for bench_sandbox_start.py)
    _seq: int = 0

    def __post_init__(self) -> None:
        self.events = self.table("event")
        self.rng = random.Random(self.seed)
        self._id_rng = random.Random(self.seed * 7919 + 1)

    # persistence (the demo keeps its account between runs) -------------------------
    def dump(self) -> dict[str, Any]:
        return {
            "version": 1,
            "seed": self.seed,
            "livemode": self.livemode,
            "clock_offset": self.clock.offset,
            "objects": {kind: table.plain() for kind, table in self.objects.items() if kind != "event"},
            "events": list(self.events.plain().values()),
            "account": self.account,
            "seq": self._seq,
            "rng": _jsonable(self.rng.getstate()),
            "id_rng": _jsonable(self._id_rng.getstate()),
        }

    @classmethod
    def load(cls, data: dict[str, Any]) -> State:
        state = cls(seed=data["seed"], livemode=data["livemode"])
        state.clock.offset = data["clock_offset"]
        for kind, objs in data["objects"].items():
            state.table(kind).update(objs)
        for event in data["events"]:
            state.events[event["id"]] = event
        state.account = data["account"]
        state._seq = data["seq"]
        state.rng.setstate(_tupled(data["rng"]))
        state._id_rng.setstate(_tupled(data["id_rng"]))
        state.freeze()
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
    def table(self, kind: str) -> Table:
        table = self.objects.get(kind)
        if table is None:
            example = _templates().get(kind, b"")
            table = self.objects[kind] = Table(kind, example, _INDEXED.get(kind))
        return table

    def add(self, obj: dict[str, Any]) -> dict[str, Any]:
        obj.setdefault("_seq", self.next_seq())
        self.table(obj["object"])[obj["id"]] = obj
        return obj

    def remove(self, kind: str, obj_id: str) -> None:
        del self.table(kind)[obj_id]

    def ordered(self, kind: str) -> list[dict[str, Any]]:
        """Every object of `kind`, newest first (as lists return them), to read: for the small kinds
        (prices, options) and searches; a page of a large list reads its table's order by index."""
        table = self.table(kind)
        return [table.newest(i) for i in range(table.count())]

    def get(self, kind: str, obj_id: str) -> dict[str, Any] | None:
        """An object to change (it stays live; `peek` to read only)."""
        return self.table(kind).get(obj_id)

    def peek(self, kind: str, obj_id: str) -> dict[str, Any] | None:
        return self.table(kind).peek(obj_id)

    def freeze(self, *, wait: bool = True) -> None:
        """Compress the large kinds' live objects (after the seed, every thousand customers, and a load)."""
        if not self.compact:
            return
        for kind in BULK_KINDS:
            self.table(kind).freeze(wait=wait)

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
        """Record an event; the answer is the event as stored (to read: it is compressed already)."""
        event = template("event")
        current = self.event_api_version >= VERSION_ITEMS_HOLD_PERIODS
        event.update(
            id=self.new_id("event"),
            api_version=self.event_api_version,
            created=self.clock.now() if created is None else created,
            livemode=self.livemode,
            type=event_type,
            pending_webhooks=0,
            request={"id": request_id, "idempotency_key": idempotency_key},
            # the object as it is now: serialised below before anything changes it (an older version's
            # shape is made on a copy)
            data={"object": public(obj) if current else in_version(snapshot(obj), self.event_api_version)},
        )
        event.pop("account", None)
        if previous is not None:
            event["data"]["previous_attributes"] = previous
        event["_seq"] = self.next_seq()
        if self.compact:
            self.events.put_frozen(event)
        else:
            self.events[event["id"]] = event = clone(event)
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
    if version >= VERSION_ITEMS_HOLD_PERIODS or obj.get("object") != "subscription":
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
