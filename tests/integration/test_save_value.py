"""What saves were worth, whether they lasted, and an offer experiment: the console's figures equal ones recomputed
here from the sandbox's invoices and subscriptions through the real SDK."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest

from console.analytics.outcomes import outcomes
from console.analytics.report import build
from console.analytics.saves import read_facts
from console.domain import experiments
from console.domain.action import Consent
from console.domain.experiments import Variant
from console.domain.offers import CouponOffer
from console.domain.playbook import DEFAULT_RULES, PAUSE_2, Playbook, Rule
from console.sandbox.app import Sandbox
from console.sandbox.keys import ALL_PERMISSIONS
from console.services.outcomes_report import outcome_report
from console.services.workspace import PLAYBOOK, Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for

DAY = 86400
EVER = 3 * 365 * DAY


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """One seeded account, synced once (its save ledger read), with the SDK beside it."""
    with Sandbox(seed=7, customers=500) as sb:  # the demo account
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path_factory.mktemp("value"))
        ws.sync()
        yield sb, ws, client_for(sb, sb.secret_key)
        ws.close()


def console_saves(sb, client):
    """Straight from Stripe: every subscription an operator saved (its churn_console_* metadata), with its
    invoices created since, each discount's coupon (expanded), and how it ended."""
    out = {}
    for sub in client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter():
        meta = sub.metadata.to_dict()
        if not meta.get("churn_console_at"):
            continue
        saved_at = int(datetime.fromisoformat(meta["churn_console_at"]).timestamp())
        invoices = [
            i.to_dict()
            for i in client.v1.invoices.list(
                {"subscription": sub.id, "limit": 100, "expand": ["data.discounts"]}
            ).auto_paging_iter()
            if i.created >= saved_at
        ]
        out[sub.id] = {"saved_at": saved_at, "offer": meta["churn_console_offer"], "sub": sub, "invoices": invoices}
    return out


def test_net_value_of_each_save_equals_the_invoices_stripe_holds(account):
    sb, ws, client = account
    now = sb.state.clock.now()
    report = build(outcomes(ws.cache), now - EVER, now + 1, now=now, facts=read_facts(ws.cache))
    mine = {s.outcome.subscription_id: s for s in report.saves if s.outcome.kind == "saved_operator"}
    expected = console_saves(sb, client)
    assert set(mine) == set(expected) and len(expected) >= 10
    checked = Counter()
    for sub_id, want in expected.items():
        got = mine[sub_id].value
        assert got is not None, sub_id
        coupon = want["offer"].split(":", 1)[1] if want["offer"].startswith("coupon:") else None
        paid = [i for i in want["invoices"] if i["status"] == "paid"]
        collected = sum(i["amount_paid"] for i in paid)
        cost = sum(
            d["amount"]
            for i in paid
            for d in i["total_discount_amounts"]
            for disc in i["discounts"]
            if disc["id"] == d["discount"] and disc["source"]["coupon"] == coupon
        )
        failed = sum(i["status"] in ("open", "uncollectible") and i["attempt_count"] > 0 for i in want["invoices"])
        assert (got.collected, got.discount_cost, got.invoices_paid, got.failed_payments) == (collected, cost, len(paid), failed)
        assert got.known == bool(want["invoices"] or want["sub"].status == "canceled")
        checked["with invoices"] += bool(paid)
        checked["with a discount's cost"] += cost > 0
        checked["voided while paused"] += any(i["status"] == "void" for i in want["invoices"])
    # the demo history has each shape: paid renewals, discounts taken off, pauses that voided invoices
    assert checked["with invoices"] and checked["with a discount's cost"] and checked["voided while paused"], checked
    assert any(s.value.failed_payments for s in mine.values() if s.value), "a failed payment after a save"


def kaplan_meier(durations, events):
    """The product-limit estimate, written here apart from the console's."""
    s, out = 1.0, {}
    for t in sorted({d for d, e in zip(durations, events, strict=True) if e}):
        at_risk = sum(d >= t for d in durations)
        lost = sum(d == t and e for d, e in zip(durations, events, strict=True))
        s *= 1 - lost / at_risk
        out[t] = s
    return out


def test_survival_by_offer_equals_a_kaplan_meier_of_stripes_subscriptions(account):
    sb, ws, client = account
    now = sb.state.clock.now()
    report = build(outcomes(ws.cache), now - EVER, now + 1, now=now, facts=read_facts(ws.cache))
    groups = defaultdict(lambda: ([], []))
    asked_again = Counter()
    for want in console_saves(sb, client).values():
        sub, family = want["sub"], want["offer"].split(":")[0]
        ended = sub.ended_at if sub.status == "canceled" else None
        groups[family][0].append(((ended or now) - want["saved_at"]) / DAY)
        groups[family][1].append(ended is not None)
        # asked to cancel again after the save: set to cancel now, or ended on a request made after it
        again = (sub.canceled_at or 0) > want["saved_at"] and (
            sub.status == "canceled"
            and sub.cancellation_details.reason == "cancellation_requested"
            or sub.cancel_at_period_end
            or sub.cancel_at is not None
        )
        asked_again[family] += bool(again)
    curves = {c.offer: c for c in report.survival if c.offer in groups}
    assert set(curves) == set(groups) >= {"coupon", "pause"}
    for family, (durations, events) in groups.items():
        curve = curves[family]
        want = kaplan_meier(durations, events)
        got = {round(s.t, 6): s.survival for s in curve.steps if s.lost}
        assert got.keys() == {round(t, 6) for t in want}
        assert all(abs(got[round(t, 6)] - v) < 1e-9 for t, v in want.items())
        assert all(s.low <= s.survival <= s.high for s in curve.steps)
        assert (curve.saves, curve.lost, curve.asked_again) == (len(durations), sum(events), asked_again[family])
    # the demo's shape: discount-savers ask again and end more than pause-savers
    assert curves["coupon"].asked_again > 0 and curves["coupon"].lost > curves["pause"].lost


def asks_from_events(client):
    """Each time a customer asked to cancel, from Stripe's events alone: (asked at, subscription, survey answer,
    custom reason, saved / lost / pending). An ask is an update that set the cancellation (cancel_at_period_end,
    or cancel_at in flexible billing mode); a later update that cleared it saved it; a deletion lost it."""
    events = client.v1.events.list(
        {"types": ["customer.subscription.updated", "customer.subscription.deleted"], "limit": 100}
    ).auto_paging_iter()
    open_asks, out = {}, []
    for event in sorted(events, key=lambda e: (e.created, e.id)):
        data = event.data.to_dict()
        obj, prev = data["object"], data.get("previous_attributes") or {}
        before = bool(prev["cancel_at_period_end"] if "cancel_at_period_end" in prev else obj["cancel_at_period_end"]) or (
            (prev["cancel_at"] if "cancel_at" in prev else obj["cancel_at"]) is not None
        )
        now_set = bool(obj["cancel_at_period_end"]) or obj["cancel_at"] is not None
        details = obj["cancellation_details"] or {}
        if event.type == "customer.subscription.deleted":
            if obj["id"] in open_asks:
                out.append((*open_asks.pop(obj["id"]), "lost"))
        elif now_set and not before:
            open_asks[obj["id"]] = (obj["canceled_at"], obj["id"], details.get("feedback"), details.get("feedback_option"))
        elif before and not now_set and obj["id"] in open_asks:
            out.append((*open_asks.pop(obj["id"]), "saved"))
    return out + [(*ask, "pending") for ask in open_asks.values()]


def test_an_experiment_assigns_records_and_compares_its_offers(account, tmp_path):
    """Two offers on price objections: each row is assigned one (the same every time), a save records it on Stripe,
    and the comparison counts every customer who matched, in the offer assigned."""
    sb, ws, client = account
    a = CouponOffer(coupon_id="RETAIN25-3M")
    # inside Stripe's 30 days of events: every ask since the first day is in them, for the recount below
    started = (date.fromtimestamp(sb.state.clock.now()) - timedelta(days=25)).isoformat()
    rule = Rule(
        ("too_expensive",), a, experiment="price-test", variants=(Variant("A", a), Variant("B", PAUSE_2)), started=started
    )
    playbook = Playbook(rules=[rule, *DEFAULT_RULES])
    playbook.save(ws.data_dir / PLAYBOOK)
    # a repeat saver is offered no second discount (the playbook's guard), so variant A's coupon never reaches them:
    # which rows come first moves with the time of day, so they are left out here rather than by luck
    rows = [
        r
        for r in ws.cache.queue()
        if r.reason_key == "too_expensive" and r.interval == "month" and not playbook.repeat_saver(r, datetime.now(UTC))
    ]
    assert len(rows) >= 2
    saved = Counter()
    for row in rows[:4]:
        variant = experiments.assign("price-test", row.subscription_id, rule.variants)
        offer, matched = ws.playbook().recommend(row, row.interval)
        assert matched is not None and matched.experiment == "price-test" and offer == variant.offer
        ws.actions("Robin").apply(row.subscription_id, offer, Consent(channel="call", note="agreed on the phone"))
        meta = client.v1.subscriptions.retrieve(row.subscription_id).metadata.to_dict()
        assert meta["churn_console_variant"] == f"price-test:{variant.label}"  # recorded with the action, on Stripe
        saved[variant.label] += 1
    ws.sync()
    now = sb.state.clock.now()
    report = build(outcomes(ws.cache), now - EVER, now + 1, now=now, facts=read_facts(ws.cache), playbook=ws.playbook())
    (found,) = report.experiments
    # as `churn-console report` reads it (most open asks counted, not read; those since the first day read, each
    # matched to the rules): the same comparison, the undecided customers included
    (counted,) = outcome_report(ws.cache, now - EVER, now + 1, playbook=ws.playbook()).experiments
    assert counted == found and found.pending > 0
    # a report that shows no save's value still reads the ledger when the playbook compares offers (values in it)
    assert outcome_report(ws.cache, now - EVER, now + 1, playbook=ws.playbook(), ledger=False).experiments == [found]
    arms = {arm.label: arm for arm in found.arms}
    start = int(datetime.fromisoformat(started + "T00:00:00+00:00").timestamp())
    recorded = Counter()
    for sub in client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter():
        meta = sub.metadata.to_dict()
        if meta.get("churn_console_variant", "").startswith("price-test:"):
            recorded[meta["churn_console_variant"].split(":")[1]] += 1
    for label in ("A", "B"):
        assert recorded[label] == saved[label]  # only the saves made in the experiment carry a variant
    # every ask since the first day with the rule's reason, from the events, in the offer its id is assigned
    want = Counter()
    for ask_at, sub_id, reason, option, outcome in asks_from_events(client):
        if ask_at >= start and reason == "too_expensive" and option is None and outcome != "pending":
            label = experiments.assign("price-test", sub_id, rule.variants).label
            want[(label, "customers")] += 1
            want[(label, "saved")] += outcome == "saved"
    assert want[("A", "customers")] and want[("B", "customers")]
    saves_seen = want[("A", "saved")] + want[("B", "saved")]
    assert 0 < saves_seen < want[("A", "customers")] + want[("B", "customers")]  # saves and losses both in it
    for label in ("A", "B"):
        assert (arms[label].customers, arms[label].saved) == (want[(label, "customers")], want[(label, "saved")])
    (verdict,) = found.verdicts
    assert verdict.more > 0 and verdict.words.startswith("Not enough customers yet: need about")  # never a winner on few
    assert str(verdict.more) in verdict.words


def test_a_key_that_cannot_read_invoices_says_so_and_the_report_says_what_it_cannot_know(tmp_path):
    with Sandbox(seed=34, customers=120) as sb:
        key = sb.keys.make(ALL_PERMISSIONS - {"rak_invoice_write"})
        ws = Workspace.connect(StripeGateway(key, sb.url), tmp_path)
        report = ws.sync()
        assert any("what saves earned" in s and "Invoices" in s for s in report.skipped), report.skipped
        now = int(time.time())
        built = build(outcomes(ws.cache), now - EVER, now + 1, facts=read_facts(ws.cache))
        assert built.saves and built.unread_saves == len(built.saves)
        ws.close()


def test_invoice_events_keep_the_save_ledger_current_a_paid_and_a_failed_renewal_alone(tmp_path):
    """Issue 32: once read, a save's invoices are kept current from the invoice events (`invoice.*`,
    `invoice_payment.paid`) read beside the others, never by reading each save again: after a month of renewals a
    quiet account's sync reads two event lists and no invoice list, and the ledger holds the paid and the failed
    renewals exactly as Stripe does."""
    from console.sync import usage
    from console.sync.engine import sync

    def invoice_lists(sb) -> list[str]:
        return [e.path for e in sb.log if e.path == "/v1/invoices"]

    with Sandbox(seed=7, customers=200) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        ws.sync()
        gateway = ws.need_gateway()
        kept = ws.cache.ledger_read()
        assert kept
        metered = ws.cache.pending_metered()
        assert metered
        with ws.cache.transaction():  # as for metered cancellations whose read found no usage (20,000 customers: 97
            ws.cache.db.execute("DELETE FROM usage")  # of 103, no invoice yet): not read again at every quiet sync
            ws.cache.set_meta(usage.NONE, sorted(metered))
        sb.clear_log()
        sync(gateway, ws.cache, now=sb.state.clock.now() + 60)
        assert [e.path for e in sb.log if e.path.startswith("/v1/")] == ["/v1/events", "/v1/events"]  # quiet: two lists
        sb.advance(25 * DAY)  # most of a month of renewals, paid and declined
        sb.clear_log()
        report = sync(gateway, ws.cache, now=sb.state.clock.now())
        assert report.invoice_events > 0 and invoice_lists(sb) == []  # the events alone
        client = client_for(sb, sb.secret_key)
        held = ws.cache.ledger_invoices()
        since = {s: r["since"] for s, r in ((s, {"since": v}) for s, v in ws.cache.ledger_kept().items())}
        statuses = Counter()
        for sub_id in kept:
            stripe_side = {
                i.id: (i.status, i.amount_paid)
                for i in client.v1.invoices.list({"subscription": sub_id, "limit": 100}).auto_paging_iter()
                if i.created >= since[sub_id]
            }
            assert {i.id: (i.status, i.amount_paid) for i in held.get(sub_id, [])} == stripe_side, sub_id
            statuses.update(status for status, _ in stripe_side.values())
        assert statuses["paid"] and statuses["open"]  # both kinds of renewal were among them
        ws.close()


def test_invoice_reads_keep_the_rate_limit_busy_at_high_latency(tmp_path):
    """Issue 32: at 300 ms the ledger's invoice reads went 4 at a time (about 13 a second, half the test-mode bucket).
    Now as many are in flight as the sync's own round trip says keep 25 a second busy (Little's law), each save's
    invoices are read once, and only the saves never read before are read again after the first sync."""
    from console.sandbox.faults import FaultConfig

    with Sandbox(seed=7, customers=200, faults=FaultConfig(latency_ms=250)) as sb:
        ws = Workspace.connect(StripeGateway(sb.key, sb.url), tmp_path)
        report = ws.sync()
        saved = {i["subscription_id"] for i in ws.cache.intents() if i["resolution"] in ("saved", "revoked")}
        assert len(saved) >= 6 and report.ledger_read == len(saved)  # enough reads to show how many go at once
        reads = [e.params.get("subscription") for e in sb.log if e.path == "/v1/invoices" and "created" in e.params]
        if report.invoice_reads == "one list per saved subscription":
            assert sorted(reads) == sorted(saved)  # one read each, none twice
        assert report.workers is not None and report.workers >= 8
        assert sb.max_in_flight > 4  # more than the old fixed four at once
        sb.clear_log()
        assert ws.sync().ledger_read == 0
        ws.close()


def test_a_report_without_the_ledger_prints_the_same_table_and_refuses_a_value(account):
    """`churn-console report` as a table shows no save's value, so it reads no saves' invoices (0.45 s of its
    reading at a million cached): its text is the one a report with the ledger prints, and asking it for a value
    is an error, never every save counted unread."""
    from console.analytics.report import LedgerNotRead
    from console.commands import report_value
    from console.commands.report import as_table

    sb, ws, _ = account
    now = sb.state.clock.now()

    def text(report):
        return [as_table(report), *report_value.survival_table(report), *report_value.experiments_table(report)]

    book = Playbook(rules=list(DEFAULT_RULES))  # no experiment (one would read the ledger: the test above)
    whole = outcome_report(ws.cache, now - EVER, now + 1, playbook=book)
    bare = outcome_report(ws.cache, now - EVER, now + 1, playbook=book, ledger=False)
    assert whole.saves and any(s.value is not None and s.value.collected for s in whole.saves)
    assert text(bare) == text(whole) and not bare.facts.invoices and not bare.facts.read
    assert whole.value and whole.unread_saves < len(whole.saves)
    for ask in (lambda: bare.value, lambda: bare.unread_saves, lambda: bare.too_recent_saves, bare.earned):
        with pytest.raises(LedgerNotRead):
            ask()
