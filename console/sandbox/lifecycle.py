"""What happens as sandbox time passes: renewals, invoices, ended cancellations, resumed pauses."""

from __future__ import annotations

import copy
from typing import Any

from . import charges, invoices, objects
from .state import State, diff
from .subscriptions import ENDED, end_subscription


def run_until(state: State, now: int) -> int:
    """Bring every subscription up to `now` (Smart Retries first, then renewals and ends); returns how many state
    changes happened."""
    changes = charges.run_retries(state, now)
    table = state.table("subscription")
    for found in sorted((sub for _, sub in table.scan() if _due(sub, now)), key=lambda s: s["_seq"]):
        changes += _advance(state, table[found["id"]], now)
    return changes


def _due(sub: dict[str, Any], now: int) -> bool:
    """Whether `_advance` has anything to do (read from a peek: only these are made live to change)."""
    if sub["status"] in ENDED or sub["status"] == "paused":
        return False
    end = objects.period_end(sub)
    horizon = min(now, end)
    pause, cancel_at = sub["pause_collection"], sub["cancel_at"]
    resumes = pause["resumes_at"] if pause else None
    return end <= now or (cancel_at is not None and cancel_at <= horizon) or (resumes is not None and resumes <= horizon)


def _advance(state: State, sub: dict[str, Any], now: int) -> int:
    changes = 0
    # A paused subscription (status `paused`) "will not advance to new billing periods" until resumed
    # (SDK `SubscriptionService.pause`): time passing changes nothing.
    while sub["status"] not in ENDED and sub["status"] != "paused":
        end = objects.period_end(sub)
        cancel_at = sub["cancel_at"]
        pause = sub["pause_collection"]
        if pause and pause["resumes_at"] is not None and pause["resumes_at"] <= min(now, end):
            before = copy.deepcopy(sub)
            sub["pause_collection"] = None
            # collection resuming is an update; `customer.subscription.resumed` is for status paused -> active
            state.emit("customer.subscription.updated", sub, diff(before, sub), created=pause["resumes_at"])
            changes += 1
            continue
        if cancel_at is not None and cancel_at <= min(now, end):
            end_subscription(state, sub, cancel_at, "cancellation_requested")
            return changes + 1
        if end > now:
            return changes
        renew(state, sub, end)
        changes += 1
    return changes


def renew(state: State, sub: dict[str, Any], at: int) -> None:
    """Start the next billing period at `at`, with its invoice (void/draft/uncollectible while paused), charged as
    Stripe charges it (charges.attempt: paid, or declined and left to Smart Retries)."""
    before = copy.deepcopy(sub)
    if sub["status"] == "trialing":
        sub["status"] = "active"
    for item in sub["items"]["data"]:
        rec = item["price"]["recurring"]
        item["current_period_start"] = at
        item["current_period_end"] = objects.add_interval(at, rec["interval"], rec["interval_count"])
    pause = sub["pause_collection"]
    inv = invoices.invoice(state, sub=sub, created=at, paid=False, period_start=at, period_end_ts=objects.period_end(sub))
    if pause:
        inv["status"] = {"void": "void", "keep_as_draft": "draft", "mark_uncollectible": "uncollectible"}[pause["behavior"]]
        inv["amount_paid"] = 0
        inv["amount_remaining"] = inv["amount_due"]
    inv.update(attempt_count=0, attempted=False, next_payment_attempt=None)  # charges.attempt makes the first
    state.add(inv)
    sub["latest_invoice"] = inv["id"]
    state.emit("invoice.created", inv, created=at)
    # the new period first: a declined charge then moves the status on in an update of its own
    state.emit("customer.subscription.updated", sub, diff(before, sub), created=at)
    if inv["status"] == "open":
        charges.attempt(state, inv, at)
