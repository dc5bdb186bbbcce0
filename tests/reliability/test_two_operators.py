"""Two operators, one customer, the same moment, as separate processes against the sandbox with latency.

Two machines (two data dirs): both sends may land; each writes the whole offer state, so the last one wins
and exactly one offer remains; after a sync the other console's journal says who saved the customer and when.
One machine (one data dir): a per-subscription lock serialises them; the second is refused, naming the first.
"""

from __future__ import annotations

import json

import pytest

from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for
from tests.support.consoles import start_console
from tests.support.reliability import record

ROUNDS = 8  # two machines: each round both consoles save one customer at the same moment
OFFERS = {
    "Ann": ["save", "--coupon", "RETAIN25-3M", "--consent", "call"],
    "Bo": ["pause", "--months", "2", "--consent", "email"],
}


@pytest.fixture(scope="module")
def account():
    with Sandbox(seed=31, customers=160) as sb:
        sb.configure_faults(latency_ms=120)  # requests overlap as on a real network
        yield sb


def _journal(sb, data) -> list[dict]:
    proc = start_console(sb, data, "x", "journal", "--format", "json")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def _offers(sb, sub_id: str) -> tuple[list[str], object]:
    live = client_for(sb, sb.secret_key).v1.subscriptions.retrieve(sub_id, {"expand": ["discounts"]})
    return [d.source.coupon for d in live.discounts], live


def _pending(sb) -> list[str]:
    return [
        s["id"]
        for s in sb.state.ordered("subscription")
        if (s["cancel_at_period_end"] or s["cancel_at"])
        and s["status"] == "active"
        and not s["discounts"]
        and not s["pause_collection"]
    ]


@pytest.mark.parametrize("machines", ["two machines", "one machine"])
def test_two_operators_saving_one_customer_leave_exactly_one_offer_and_both_see_who(account, tmp_path, machines):
    sb = account
    dirs = {"Ann": tmp_path / "ann", "Bo": tmp_path / ("bo" if machines == "two machines" else "ann")}
    for data in set(dirs.values()):
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), data, "Acme")
        ws.sync()
        ws.close()
    for sub_id in _pending(sb)[:ROUNDS] if machines == "two machines" else _pending(sb)[ROUNDS : ROUNDS + 2]:
        procs = {who: start_console(sb, dirs[who], who, OFFERS[who][0], sub_id, *OFFERS[who][1:]) for who in OFFERS}
        results = {who: (p.wait(timeout=120), p.stderr.read()) for who, p in procs.items()}
        coupons, live = _offers(sb, sub_id)
        has_coupon, has_pause = "RETAIN25-3M" in coupons, live.pause_collection is not None
        record(races=1, double_offers=int(has_coupon and has_pause))
        assert has_coupon != has_pause, f"exactly one offer must remain ({results})"
        assert not live.cancel_at_period_end and live.cancel_at is None
        winner = live.metadata["churn_console_operator"]
        loser = "Bo" if winner == "Ann" else "Ann"
        assert (winner == "Ann") == has_coupon  # the metadata names the offer that is there
        code, err = results[loser]
        assert results[winner][0] == 0, results[winner]  # "Done" names the terms Stripe holds
        # the loser is told at once, never "Done": refused at its re-read (the winner's save was there), or both
        # sent and its read-back found the winner's save named on the subscription after its own
        trail = [
            (round(e.at, 3), e.method, e.path.split(sub_id)[-1] if sub_id in e.path else e.path)
            for e in sb.log
            if sub_id in e.path or "coupon" in e.path
        ]
        assert code == 1, f"{loser} said Done with terms Stripe does not hold: {err} {trail} {results}"
        if "landed after yours" in err:
            assert f"{winner}'s save (" in err and f"the customer has {winner}'s offer" in err
            mine = next(a for a in _journal(sb, dirs[loser]) if a["subscription_id"] == sub_id and a["operator"] == loser)
            assert mine["state"] == "overridden" and "landed after yours" in mine["error"]
            undo = start_console(sb, dirs[loser], loser, "undo", mine["id"])
            assert undo.wait(timeout=60) == 1  # what was replaced cannot be undone
        else:
            assert f"saved by {winner}" in err, err
        theirs = next(a for a in _journal(sb, dirs[winner]) if a["subscription_id"] == sub_id and a["operator"] == winner)
        assert theirs["state"] == "applied"
        if machines == "one machine":
            assert code == 1  # the lock serialised them: the second re-read and sent nothing


def test_an_action_another_process_is_sending_is_not_finished_by_this_one(tmp_path):
    """Process A is sending (slowly); process B starts on the same data dir and finishes interrupted actions:
    A's is not interrupted (its lock is held by a live process), so it is sent once, not twice."""
    import time

    from console.store.journal import Journal

    with Sandbox(seed=33, customers=80) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path, "Acme")
        ws.sync()
        sub_id = ws.queue()[0].subscription_id
        journal_path = ws.journal.path
        ws.close()
        sb.configure_faults(latency_ms=1500)
        sender = start_console(sb, tmp_path, "Ann", "revoke", sub_id, "--consent", "call")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            journal = Journal(journal_path)
            pending = journal.in_state("pending")
            journal.close()
            if pending:
                break
            time.sleep(0.05)
        assert pending, "A journals its action before sending it"
        starter = start_console(sb, tmp_path, "Bo", "sync")
        assert starter.wait(timeout=120) == 0, starter.stderr.read()
        assert sender.wait(timeout=120) == 0, sender.stderr.read()
        sb.configure_faults(latency_ms=0)
        posts = [e for e in sb.log if e.method == "POST" and e.path.endswith(sub_id)]
        assert len(posts) == 1 and not posts[0].replayed
        record(races=1, duplicates=len(posts) - 1)


def test_the_save_that_landed_last_wins_even_if_its_console_created_it_first(tmp_path):
    """The order under load: Bo's console creates its action first but sends it second (a slow process), so the
    winner's `churn_console_at` is earlier than Ann's action. Ann's journal must still say she was replaced."""
    from console.actions import Actions, Consent
    from console.domain.offers import CouponOffer, PauseOffer

    with Sandbox(seed=31, customers=60) as sb:
        ann_ws, bo_ws = (Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path / who, "Acme") for who in ("ann", "bo"))
        for ws in (ann_ws, bo_ws):
            ws.sync()
        sub_id = ann_ws.queue()[0].subscription_id
        bo = Actions(bo_ws.gateway, bo_ws.cache, bo_ws.journal, "Bo", clock=lambda: 1_900_000_000.0)  # created first …
        ann = Actions(ann_ws.gateway, ann_ws.cache, ann_ws.journal, "Ann", clock=lambda: 1_900_000_002.0)
        stale = bo._reread(sub_id)  # both consoles read the subscription before either writes
        bo._reread = lambda _sub: stale
        mine = ann.apply(sub_id, CouponOffer(coupon_id="RETAIN25-3M"), Consent("call"))
        bo.apply(sub_id, PauseOffer(pause_months=2), Consent("email"))  # … and lands last
        ann_ws.sync()
        after = ann_ws.journal.get(mine.id)
        assert after.state == "overridden" and "saved by Bo" in after.error
        for ws in (ann_ws, bo_ws):
            ws.close()
