"""Under injected 500s, 429s and dropped connections: the same cache, and every action applied once or cleanly failed."""

from __future__ import annotations

import random
from collections import Counter

import stripe

from console.actions.bulk import apply_many
from console.actions.service import Consent
from console.domain.offers import CouponOffer, PauseOffer, RevokeOffer
from console.errors import ConsoleError
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.support.reliability import record

from .snapshots import cache_file, snapshot

FAULTS = {"error_rate": 0.10, "throttle_rate": 0.05, "drop_rate": 0.02}
CALL = Consent("call", "agreed on the phone")


def faults_in(sb: Sandbox) -> int:
    return sum(1 for e in sb.log if e.fault)


def test_a_sync_under_faults_yields_the_same_cache_as_without(tmp_path):
    with Sandbox(seed=31, customers=900) as sb:
        clean = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / "clean")
        clean.sync(full=True)
        clean.close()
        sb.clear_log()
        sb.configure_faults(**FAULTS, seed=5)
        faulty = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=4), tmp_path / "faulty")
        report = faulty.sync(full=True)
        faulty.close()
        injected = faults_in(sb)
        sb.configure_faults(error_rate=0, throttle_rate=0, drop_rate=0)
    assert injected >= 3, "the faults were really injected"
    assert report.pages > 1
    a, b = snapshot(cache_file(tmp_path / "clean")), snapshot(cache_file(tmp_path / "faulty"))
    for table in a:
        assert a[table] == b[table], f"{table} differs after a sync under faults"
    assert len(a["subscriptions"]) == 900 and a["intents"]
    record(faults_injected=injected, syncs_compared=1)


def test_200_random_actions_under_faults_apply_once_or_fail_cleanly(tmp_path):
    rng = random.Random(2026)
    with Sandbox(seed=23, customers=420) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url, max_retries=0), tmp_path)  # the console retries
        ws.sync()
        pool = [r.subscription_id for r in ws.queue()]
        assert len(pool) >= 30
        actions = ws.actions("Fault Tester")
        seeded = sb.state.get("coupon", "HALF-1M")["times_redeemed"]  # the demo account redeems it too
        sb.clear_log()
        sb.configure_faults(**FAULTS, seed=9)
        outcomes: Counter[str] = Counter()
        for _ in range(200):
            sub_id = rng.choice(pool)
            undoable = [a for a in ws.journal.for_subscription(sub_id) if a.state == "applied" and a.kind != "contact"]
            if undoable and rng.random() < 0.6:
                try:
                    actions.undo(undoable[-1].id)
                    outcomes["undo applied"] += 1
                except Exception as exc:  # noqa: BLE001 - each failure must be a ConsoleError with a message
                    assert isinstance(exc, ConsoleError) and exc.message, repr(exc)
                    outcomes["undo refused or failed"] += 1
                continue
            offer = rng.choice([CouponOffer(coupon_id="HALF-1M"), PauseOffer(pause_months=1), RevokeOffer()])
            result = apply_many(actions, [(sub_id, offer)], CALL, attempts=5, backoff_s=0.01)[0]
            outcomes[f"{offer.kind} {result.outcome}"] += 1
            if result.outcome == "failed":
                assert result.error is not None and result.error.message
                if result.action is not None:
                    assert result.action.state in ("failed", "pending") and result.action.retryable
        injected = faults_in(sb)
        sb.configure_faults(error_rate=0, throttle_rate=0, drop_rate=0)
        ws.actions("Fault Tester").recover()  # what a restart would finish
        journal = ws.journal.all()
        log = list(sb.log)
        client = stripe.StripeClient(sb.key, base_addresses={"api": sb.url})
        # duplicates: an idempotency key that ran a write more than once (a replay does not run it)
        ran = Counter(
            e.idempotency_key for e in log if e.idempotency_key and e.method == "POST" and e.status == 200 and not e.replayed
        )
        duplicates = sum(n - 1 for n in ran.values() if n > 1)
        # every coupon redemption is one applied save in the journal (undone ones included)
        saves = sum(
            1
            for a in journal
            if a.kind == "save" and a.offer_code.startswith("coupon:HALF-1M") and a.state in ("applied", "undone")
        )
        duplicates += max(0, client.v1.coupons.retrieve("HALF-1M").times_redeemed - seeded - saves)
        # lost updates: the journal's last applied word on a subscription is what Stripe holds
        lost = 0
        for sub_id in pool:
            done = [a for a in ws.journal.for_subscription(sub_id) if a.state in ("applied", "undone")]
            if not done:
                continue
            last = done[-1]  # the journal's order is the order they were sent
            sub = client.v1.subscriptions.retrieve(sub_id)
            if last.kind == "undo":
                missing = not (sub.cancel_at_period_end or sub.cancel_at)
            else:
                missing = last.state == "applied" and (
                    sub.metadata.to_dict().get("churn_console_action") != last.id
                    or bool(sub.cancel_at_period_end or sub.cancel_at)
                )
            lost += missing
        ws.close()
    assert injected >= 20, "the faults were really injected"
    assert sum(outcomes.values()) == 200
    assert sum(n for k, n in outcomes.items() if k.endswith("applied")) >= 40, outcomes
    assert duplicates == 0
    assert lost == 0
    assert not [a for a in journal if a.state == "pending"], "every action ends applied, undone, failed or refused"
    record(faults_injected=injected, actions_run=200, duplicates=duplicates, lost_updates=lost)
