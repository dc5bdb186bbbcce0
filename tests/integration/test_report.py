"""The report's figures equal ones computed independently from the sandbox's history through the SDK."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from console.analytics.outcomes import outcomes
from console.analytics.report import build
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for
from tests.support.mrr_oracle import Oracle

DAY = 86400
YEAR_AGO = 380 * DAY


def expected_from_sdk(client, since: int, now: int) -> tuple[Counter, dict]:
    """Straight from Stripe's objects: ended with a requested cancellation = churned; pending = pending;
    churn_console_* metadata = an operator's save; an event that revoked a cancellation with no console
    metadata behind it = the customer's own save."""
    kinds: Counter = Counter()
    stake: dict = defaultdict(int)
    mrr = Oracle(client, now).mrr  # net MRR, computed independently (tests/support/mrr_oracle.py)
    subs = {s.id: s for s in client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter()}
    for sub in subs.values():
        meta = sub.metadata.to_dict()
        if meta.get("churn_console_at"):
            saved_at = int(datetime.fromisoformat(meta["churn_console_at"]).timestamp())
            if saved_at >= since:
                kinds["saved_operator"] += 1
                stake[("saved_operator", sub.currency)] += mrr(sub, before=saved_at)  # before the save's coupon
        # ended after the customer asked: as asked, or by a failed payment whose retries ran out after the ask
        # (a subscription that only failed was canceled when it ended: its canceled_at is its ended_at)
        asked_then_ended = sub.cancellation_details.reason == "cancellation_requested" or (
            sub.cancellation_details.reason == "payment_failed" and sub.canceled_at < sub.ended_at
        )
        if sub.status == "canceled" and asked_then_ended and sub.canceled_at >= since:
            kinds["churned"] += 1
            stake[("churned", sub.currency)] += mrr(sub)
        elif sub.status != "canceled" and (sub.cancel_at_period_end or sub.cancel_at) and sub.canceled_at >= since:
            kinds["pending"] += 1
    for event in client.v1.events.list({"types": ["customer.subscription.updated"], "limit": 100}).auto_paging_iter():
        data = event.data.to_dict()
        prev, obj = data.get("previous_attributes") or {}, data["object"]
        if (
            prev.get("cancel_at_period_end") is True
            and not obj["cancel_at_period_end"]
            and not obj["metadata"].get("churn_console_action")
        ):
            kinds["saved_customer"] += 1
    return kinds, stake


def test_report_matches_an_independent_count_from_the_sdk(tmp_path):
    with Sandbox(seed=31, customers=400) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        ws.sync()
        now = sb.state.clock.now()
        since = now - YEAR_AGO
        report = build(outcomes(ws.cache), since, now + 1, now=now)
        kinds, stake = expected_from_sdk(client_for(sb, sb.secret_key), since, now)
        counts = report.counts()
        for kind in ("saved_operator", "saved_customer", "churned", "pending"):
            assert counts[kind] == kinds[kind], kind
        for (kind, currency), amount in stake.items():
            got = sum(o.mrr_at_stake for o in report.outcomes if o.kind == kind and o.currency == currency)
            assert got == amount, (kind, currency)
        late = [o for o in report.outcomes if o.late_loss]
        assert late and all(o.kind == "saved_operator" and o.ended_at - o.resolved_at <= 90 * DAY for o in late)
        ws.close()


def test_report_command_prints_figures_and_renders_pngs(tmp_path):
    import csv
    import io
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    base = [sys.executable, "-m", "console", "--demo", "--data-dir", str(tmp_path / "data")]
    assert subprocess.run([*base, "sync"], capture_output=True, text=True, env=env, timeout=120).returncode == 0
    out = subprocess.run(
        [*base, "report", "--format", "json", "--png", str(tmp_path / "png")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["counts"]["intents"] > 0 and set(data["mrr_saved_minor"]) <= {"usd", "eur", "jpy"}
    assert all(r["low"] <= r["rate"] <= r["high"] for r in data["by_reason"])
    # one save rate, the desk's; customers' own revokes apart and named so, in every table
    counts = data["counts"]
    assert "desk_save_rate" not in data
    assert data["save_rate"] == counts["saved_operator"] / (counts["saved_operator"] + counts["churned"])
    value_by_reason = {r["key"]: r for r in data["value"]["reason"]}
    for reason in data["by_reason"]:  # "Saves" by reason with --value equals the reason table's "Saved"
        key = reason["feedback"] or "none"
        assert value_by_reason.get(key, {"saves": 0})["saves"] == reason["saves"], key
    assert value_by_reason["self"]["label"] == "The customer, on their own"
    for name in ("weekly", "by_reason", "survival", "value", "mrr_kept"):
        assert (tmp_path / "png" / f"{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert {c["offer"] for c in data["survival"]} >= {"coupon", "pause"}
    assert set(data["value"]) == {"offer", "reason", "owner"} and data["saves"]
    saves = data["saves"]
    collected = sum(s["collected_minor"] or 0 for s in saves if s["currency"] == "usd")
    assert collected == sum(r["collected_minor"].get("usd", 0) for r in data["value"]["offer"])

    def run(*argv: str) -> str:
        done = subprocess.run([*base, "report", *argv], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    from datetime import date, timedelta

    from console.domain.experiments import Variant
    from console.domain.offers import CouponOffer
    from console.domain.playbook import DEFAULT_RULES, PAUSE_2, Playbook, Rule

    a = CouponOffer(coupon_id="RETAIN25-3M")
    started = (date.today() - timedelta(weeks=12)).isoformat()
    test = Rule(
        ("too_expensive",), a, experiment="price-test", variants=(Variant("A", a), Variant("B", PAUSE_2)), started=started
    )
    Playbook(rules=[test, *DEFAULT_RULES]).save(tmp_path / "data" / "playbook.json")
    table = run("--by", "owner", "--value")
    assert f"Experiment price-test (since {started})" in table and "25% off for 3 months" in table
    assert "Not enough customers yet: need about" in table
    (found,) = json.loads(run("--format", "json"))["experiments"]
    assert [arm["offer"] for arm in found["arms"]] == ["coupon:RETAIN25-3M", "pause:2m"] and found["verdicts"][0][
        "more_needed_per_offer"
    ] > 0
    assert "What saves were worth, by who saved it" in table and "Dana (CS)" in table and "Payback (median)" in table
    assert "Did saves last (Kaplan–Meier" in table and "too recent to tell" in table
    plain = run("--by", "reason")
    assert "Saves by reason" in plain and "Asked to cancel again" in plain and "What saves were worth" not in plain
    rows = list(csv.reader(io.StringIO(run("--by", "offer", "--value", "--format", "csv"))))
    assert rows[0][:3] == ["group", "label", "currency"] and {r[0] for r in rows[1:]} >= {"coupon", "pause"}
    by_data = {r["key"]: r for r in data["value"]["offer"]}
    assert all(r[2] for r in rows[1:])  # every row names its currency, read or not
    for r in rows[1:]:
        if r[7]:
            assert int(r[7]) == by_data[r[0]]["collected_minor"][r[2]]


def test_a_range_read_alone_gives_the_report_read_from_every_intent(tmp_path):
    """`churn-console report` reads only the range's subscriptions (their intents, invoices and owners: a 24 s report
    became 6 s at 1M cached with two years of history) and counts most open asks instead of reading each
    (OpenTally: 6 s became 2.5 s); the Outcomes tab reads every intent once, open asks counted too, and builds each
    range from them. Over ranges that cut through stories (a save in the range, its second ask after), both agree
    with the report built from every intent read as an object."""
    from console.analytics.outcomes import Found
    from console.services.outcomes_report import outcome_report, read_both, read_facts, read_found

    with Sandbox(seed=31, customers=400) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        ws.sync()
        saved = next(o for o in outcomes(ws.cache) if o.kind == "saved_customer" and o.ended_at is None)
        asked_from = sb.state.clock.now()
        client_for(sb, sb.secret_key).v1.subscriptions.update(saved.subscription_id, {"cancel_at_period_end": True})
        asked_until = sb.state.clock.now()  # the ask is stamped with the sandbox's second as it lands, in between
        ws.sync()  # a second ask after a save: an open ask the save's afterlife reads, never only counted
        now = sb.state.clock.now()
        every, facts = Found(outcomes(ws.cache)), read_facts(ws.cache)
        counted = read_found(ws.cache, ws.playbook())  # the tab's read
        beside = read_both(ws.cache, ws.playbook())  # the same two reads at once, the facts on a second connection
        assert beside == (counted, read_facts(ws.cache, plans_from=None))  # no experiment: no plans read
        assert any(o.subscription_id == saved.subscription_id and o.kind == "pending" for o in counted.every)
        assert sum(len(t) for t in counted.tallied.times.values()) > 0  # open asks were counted, not read
        for since, until in (
            (now - YEAR_AGO, now + 1),
            (now - 84 * DAY, now + 1),
            (now - 200 * DAY, now - 100 * DAY),
            (now - 7 * DAY, now + 1),
        ):
            whole = outcome_report(ws.cache, since, until, every=every, facts=facts)
            for alone in (outcome_report(ws.cache, since, until), outcome_report(ws.cache, since, until, every=counted)):
                assert alone.decided and alone.decided == whole.decided, (since, until)
                assert alone.counts() == whole.counts() and alone.save_rate == whole.save_rate
                assert alone.weeks == whole.weeks and alone.reasons == whole.reasons and alone.offers == whole.offers
                assert [
                    (s.outcome, s.value, s.offer_ends, s.asked_again_at, s.lost_at, s.until, s.operator) for s in alone.saves
                ] == [(s.outcome, s.value, s.offer_ends, s.asked_again_at, s.lost_at, s.until, s.operator) for s in whole.saves]
                assert alone.value == whole.value and alone.mrr_kept == whole.mrr_kept
            assert whole.counts()["pending"] > 0 or since < now - 100 * DAY
            if since <= saved.scheduled_at < until:  # the save's second ask, read in both
                again = [s.asked_again_at for s in alone.saves if s.outcome == saved]
                assert len(again) == 1 and asked_from <= again[0] <= asked_until, (again, asked_from, asked_until)
        ws.close()
