"""actions/bulk.py: one offer to many customers, row by row; a lost answer is retried (the re-read shows it
landed: not sent again), a refusal is not retried, and Retry failed retries only the failures."""

from __future__ import annotations

import pytest

from console.actions.bulk import RowResult, apply_many, retry_failed
from console.domain.action import Consent
from console.domain.offers import RevokeOffer
from console.errors import StripeUnavailable
from console.sandbox.app import Sandbox
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway

CALL = Consent("call", "Bulk")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(seed=13, customers=80) as sb:
        yield sb


def test_a_lost_answer_is_retried_once_applied_and_a_row_no_longer_pending_is_refused(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    ws.sync()
    first, second = [r.subscription_id for r in ws.queue()[:2]]
    ws.actions("Ana").apply(second, RevokeOffer(), CALL)  # saved already: the bulk will find it not pending
    seen: list[tuple[int, int, str]] = []
    sandbox.clear_log()
    sandbox.configure_faults(drop_next=1)  # the first request runs on Stripe, its answer is lost
    waits: list[float] = []
    results = apply_many(
        ws.actions("Bulk"), [(first, RevokeOffer()), (second, RevokeOffer())], CALL,
        progress=lambda n, total, r: seen.append((n, total, r.outcome)), sleep=waits.append,
    )  # fmt: skip
    assert [r.outcome for r in results] == ["applied", "refused"] and seen == [(1, 2, "applied"), (2, 2, "refused")]
    assert results[0].attempts == 2 and waits == [0.25] and results[1].attempts == 1  # a refusal is not retried
    posts = [e for e in sandbox.log if e.method == "POST" and e.path.endswith(first)]
    assert len(posts) == 1 and [e.fault for e in sandbox.log].count("drop") == 1  # applied once, never twice
    assert retry_failed(ws.actions("Bulk"), results, CALL) == results  # nothing failed: nothing sent again
    ws.close()


def test_retry_failed_sends_the_offer_anew_when_nothing_was_journaled(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url, max_retries=0), tmp_path)
    ws.sync()
    sub_id = ws.queue()[0].subscription_id
    sandbox.configure_faults(fail_next=2)  # both attempts' re-reads answered with a 500: nothing was sent
    [failed] = apply_many(ws.actions("Bulk"), [(sub_id, RevokeOffer())], CALL, attempts=2, sleep=lambda _s: None)
    assert failed.outcome == "failed" and isinstance(failed.error, StripeUnavailable) and failed.action is None
    assert ws.journal.all() == []
    [again] = retry_failed(ws.actions("Bulk"), [failed], CALL)
    assert again.outcome == "applied" and again.attempts == 3 and [a.id for a in ws.journal.all()] == [again.action.id]
    assert RowResult(sub_id, RevokeOffer()).outcome == "failed"  # nothing happened yet: not "applied"
    ws.close()
