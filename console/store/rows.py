"""Domain records to and from SQLite rows (times as UTC epoch seconds, lists as JSON)."""

from __future__ import annotations

import dataclasses
import json
import operator
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

from ..domain import desk, pausing
from ..domain.models import ENDED_STATUSES, Coupon, Item, PortalConfigSummary, Subscription
from ..domain.mrr import Valuation
from ..domain.queue import QueueRow


def epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def utc(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


SUBSCRIPTION_COLUMNS = (
    "id", "customer_id", "customer_name", "customer_email", "status", "currency", "created", "cancel_at_period_end",
    "cancel_at", "canceled_at", "ended_at", "feedback", "comment", "cancel_reason", "period_end", "mrr_minor", "plan",
    "items", "discount_ids", "coupon_ids", "paused", "pause_resumes_at", "metadata", "pending", "ends_at", "synced_at",
    "customer_deleted", "mrr_list_minor", "mrr_usage", "discount_ends", "trial_end", "feedback_option", "feedback_text",
    "billing_mode", "schedule_id", "collection_method", "paused_at",
)  # fmt: skip


_SUB_FIELDS = tuple(f.name for f in dataclasses.fields(Subscription))
_MRR = _SUB_FIELDS.index("mrr")
_VALUES = operator.attrgetter(*_SUB_FIELDS)  # every field at once, in C
_PUT = tuple(getattr(Subscription, name).__set__ for name in _SUB_FIELDS)  # the slots' own setters


def with_mrr(sub: Subscription, mrr: int) -> Subscription:
    """`dataclasses.replace(sub, mrr=mrr)` without its per-call field checks and without a frozen dataclass's
    __init__ (one object.__setattr__ per field): each slot is set through its descriptor (a sixth of an upsert)."""
    new = object.__new__(Subscription)
    for put, value in zip(_PUT, _VALUES(sub), strict=True):
        put(new, value)
    _PUT[_MRR](new, mrr)
    return new


def _encode(value: Any) -> str:
    """Compact JSON by orjson (a sixth of the upsert's time with the standard encoder); rows written before it
    hold the standard library's spaced form, and both read back alike (readers parse, never compare the text)."""
    return orjson.dumps(value).decode()


def _encode_sorted(value: dict[str, str]) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


_ITEM_DEFAULTS = tuple(
    (f.name, f.default) for f in dataclasses.fields(Item) if f.default is not dataclasses.MISSING
)  # item_id, billing_scheme, tiers_mode, transform_*, usage_type, unit_amount_decimal
_ITEM_OPTIONAL = operator.attrgetter(*(name for name, _ in _ITEM_DEFAULTS))
_ITEM_DEFAULT_VALUES = tuple(default for _, default in _ITEM_DEFAULTS)


def _item_values(i: Item) -> dict[str, Any]:
    """An item as its row stores it: the fields every item has, then only those that differ from Item's
    defaults (a plain per-unit price leaves out seven; the reader's Item(**...) puts the defaults back).
    A fifth of a subscription's row, so of what a million-subscription upsert writes. (A dict display: twice
    as fast as dict(zip(...)).)"""
    end = i.current_period_end
    out: dict[str, Any] = {
        "price_id": i.price_id,
        "product_id": i.product_id,
        "nickname": i.nickname,
        "unit_amount": i.unit_amount,
        "currency": i.currency,
        "interval": i.interval,
        "interval_count": i.interval_count,
        "quantity": i.quantity,
        "current_period_end": None if end is None else int(end.timestamp()),
    }
    optional = _ITEM_OPTIONAL(i)
    if optional != _ITEM_DEFAULT_VALUES:  # a plain per-unit price: nothing more to say
        for (name, default), value in zip(_ITEM_DEFAULTS, optional, strict=True):
            if value != default:
                out[name] = value
    return out


_HEAD = operator.attrgetter("id", "customer_id", "customer_name", "customer_email", "status", "currency")
_REASON = operator.attrgetter("feedback", "comment", "cancel_reason")
_TAIL = operator.attrgetter("feedback_option", "feedback_text", "billing_mode", "schedule_id", "collection_method")


def subscription_values(sub: Subscription, synced_at: int, valuation: Valuation) -> tuple[Any, ...]:
    """The row's values in SUBSCRIPTION_COLUMNS order (what the upsert binds: no dict in between); MRR as
    `valuation` found it. Fields read in groups by attrgetter and times converted inline: a million of these
    are a fifth of a large account's upsert."""
    items = [_item_values(i) for i in sub.items]
    ends = [i["current_period_end"] for i in items if i["current_period_end"] is not None]
    period_end = min(ends) if ends else None
    ended = sub.status in ENDED_STATUSES
    cancel_at = sub.cancel_at
    pending = not ended and (sub.cancel_at_period_end or cancel_at is not None)
    ends_at = (cancel_at.timestamp() if cancel_at is not None else period_end) if pending else None
    canceled_at, ended_at, resumes, trial_end, paused_at = (
        sub.canceled_at, sub.ended_at, sub.pause_resumes_at, sub.trial_end, sub.paused_at
    )  # fmt: skip
    return (
        *_HEAD(sub),
        int(sub.created.timestamp()),
        int(sub.cancel_at_period_end),
        None if cancel_at is None else int(cancel_at.timestamp()),
        None if canceled_at is None else int(canceled_at.timestamp()),
        None if ended_at is None else int(ended_at.timestamp()),
        *_REASON(sub),
        period_end,
        valuation.net_minor,
        sub.plan,
        _encode(items),
        _encode(list(sub.discount_ids)) if sub.discount_ids else "[]",
        _encode(list(sub.coupon_ids)) if sub.coupon_ids else "[]",
        int(sub.paused),
        None if resumes is None else int(resumes.timestamp()),
        _encode_sorted(sub.metadata) if sub.metadata else "{}",
        int(pending),
        None if ends_at is None else int(ends_at),
        synced_at,
        int(sub.customer_deleted),
        valuation.list_minor,
        int(valuation.usage_based),
        _encode([epoch(e) for e in sub.discount_ends]) if sub.discount_ends else "[]",
        None if trial_end is None else int(trial_end.timestamp()),
        *_TAIL(sub),
        None if paused_at is None else int(paused_at.timestamp()),
    )


def subscription_from_row(row: dict[str, Any]) -> Subscription:
    items = tuple(Item(**{**i, "current_period_end": utc(i["current_period_end"])}) for i in json.loads(row["items"]))
    return Subscription(
        id=row["id"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        customer_email=row["customer_email"],
        status=row["status"],
        currency=row["currency"],
        created=utc(row["created"]),  # type: ignore[arg-type]
        items=items,
        cancel_at_period_end=bool(row["cancel_at_period_end"]),
        cancel_at=utc(row["cancel_at"]),
        canceled_at=utc(row["canceled_at"]),
        ended_at=utc(row["ended_at"]),
        feedback=row["feedback"],
        comment=row["comment"],
        cancel_reason=row["cancel_reason"],
        discount_ids=tuple(json.loads(row["discount_ids"])),
        coupon_ids=tuple(json.loads(row["coupon_ids"])),
        paused=bool(row["paused"]),
        pause_resumes_at=utc(row["pause_resumes_at"]),
        metadata=json.loads(row["metadata"]),
        customer_deleted=bool(row["customer_deleted"]),
        discount_ends=tuple(utc(e) for e in json.loads(row["discount_ends"])),
        mrr=row["mrr_minor"],
        trial_end=utc(row["trial_end"]),
        feedback_option=row["feedback_option"],
        feedback_text=row["feedback_text"],
        billing_mode=row["billing_mode"],
        schedule_id=row["schedule_id"],
        collection_method=row["collection_method"],
        paused_at=utc(row["paused_at"]),
    )


def _shared(text: str | None) -> str | None:
    """One object for each of the few distinct values a column holds (plans, statuses, reasons, the words
    of a pause's blocker): a 200,000-row queue then holds each once, not once a row."""
    return None if text is None else sys.intern(text)


QUEUE_COLUMNS = (
    "id, customer_id, customer_name, customer_email, plan, mrr_minor, currency, ends_at, canceled_at, feedback, comment,"
    " created, status, coupon_ids, json_extract(items, '$[0].interval') AS interval, customer_deleted, mrr_usage,"
    " feedback_option, feedback_text, billing_mode, schedule_id, collection_method, paused,"
    " CASE WHEN instr(metadata, 'churn_console_desk_') THEN metadata END AS desk_meta"
)  # what a queue row needs, the first item's interval read by SQLite (not the whole items JSON in Python)


def queue_row(row: Any, livemode: bool) -> QueueRow:  # an sqlite3.Row (or a dict) of QUEUE_COLUMNS
    """A queue row from a row selected with QUEUE_COLUMNS."""
    coupons = json.loads(row["coupon_ids"]) if row["coupon_ids"] != "[]" else None
    return QueueRow(
        subscription_id=row["id"],
        customer_id=row["customer_id"],
        customer_name=row["customer_name"],
        email=row["customer_email"],
        plan=sys.intern(row["plan"]),
        mrr_minor=row["mrr_minor"],
        currency=sys.intern(row["currency"]),
        ends_at=utc(row["ends_at"]),  # type: ignore[arg-type]
        requested_at=utc(row["canceled_at"]),
        feedback=_shared(row["feedback"]),
        comment=row["comment"],
        created=utc(row["created"]),  # type: ignore[arg-type]
        status=sys.intern(row["status"]),
        discount=", ".join(coupons) if coupons else None,
        livemode=livemode,
        interval=sys.intern(row["interval"] or "month"),
        customer_deleted=bool(row["customer_deleted"]),
        usage_based=bool(row["mrr_usage"]),
        feedback_option=_shared(row["feedback_option"]),
        feedback_text=_shared(row["feedback_text"]),
        desk=desk.read(json.loads(row["desk_meta"])) if row["desk_meta"] else desk.NO_DESK,
        pause_blocker=_shared(
            pausing.blocker(
                status=row["status"],
                billing_mode=row["billing_mode"],
                schedule_id=row["schedule_id"],
                collection_method=row["collection_method"],
                collection_paused=bool(row["paused"]),
            )
        ),
    )


def coupon_row(c: Coupon) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "percent_off": c.percent_off,
        "amount_off": c.amount_off,
        "currency": c.currency,
        "duration": c.duration,
        "duration_in_months": c.duration_in_months,
        "valid": int(c.valid),
        "times_redeemed": c.times_redeemed,
        "max_redemptions": c.max_redemptions,
    }


def config_row(c: PortalConfigSummary) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "is_default": int(c.is_default),
        "active": int(c.active),
        "updated": epoch(c.updated),
        "features_on": json.dumps(list(c.features_on)),
    }


def coupon_from_row(row: dict[str, Any]) -> Coupon:
    return Coupon(
        id=row["id"],
        name=row["name"],
        percent_off=row["percent_off"],
        amount_off=row["amount_off"],
        currency=row["currency"],
        duration=row["duration"],
        duration_in_months=row["duration_in_months"],
        valid=bool(row["valid"]),
        times_redeemed=row["times_redeemed"],
        max_redemptions=row["max_redemptions"],
    )


def config_from_row(row: dict[str, Any]) -> PortalConfigSummary:
    return PortalConfigSummary(
        id=row["id"],
        name=row["name"],
        is_default=bool(row["is_default"]),
        active=bool(row["active"]),
        updated=utc(row["updated"]),  # type: ignore[arg-type]
        features_on=tuple(json.loads(row["features_on"])),
    )
