"""Custom cancellation reasons (Feedback Options API, SDK `stripe.billing.FeedbackOption`): their text, not "No answer"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import stripe

from console.domain.queue_filter import QueueFilter
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
from tests.integration.conftest import client_for


def cancel_with_custom_reason(admin: stripe.StripeClient, text: str):
    """A custom reason, and an active subscription whose customer cancels picking it in the portal."""
    option = admin.v1.billing.feedback_options.create({"description": text})
    quiet = next(
        s
        for s in admin.v1.subscriptions.list({"limit": 100, "status": "active"}).auto_paging_iter()
        if not s.cancel_at_period_end and not s.cancel_at
    )
    admin.v1.subscriptions.update(
        quiet.id, {"cancel_at_period_end": True, "cancellation_details": {"feedback_option": option.id}}
    )
    return option, quiet


def test_sandbox_feedback_options_create_list_update_deactivate(sandbox):
    admin = client_for(sandbox, sandbox.secret_key)
    made = admin.v1.billing.feedback_options.create({"description": "Switching to annual invoicing elsewhere"})
    assert made.status == "active" and made.id.startswith("fo_")
    assert made.id in {o.id for o in admin.v1.billing.feedback_options.list({"status": "active", "limit": 100}).data}
    updated = admin.v1.billing.feedback_options.update(made.id, {"description": "Switching vendors"})
    assert updated.description == "Switching vendors"
    gone = admin.v1.billing.feedback_options.deactivate(made.id)
    assert gone.status == "inactive" and gone.status_transitions.deactivated_at
    with pytest.raises(stripe.InvalidRequestError):
        admin.v1.billing.feedback_options.create({"description": "x" * 101})  # "Maximum 100 characters."


def test_a_custom_reason_shows_its_text_in_the_queue_and_the_filter(sandbox, tmp_path):
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path, "Acme")
    ws.sync()
    admin = client_for(sandbox, sandbox.secret_key)
    option, quiet = cancel_with_custom_reason(admin, "Our project ended early")
    assert ws.sync().kind == "incremental"  # the event names the option by id only
    row = next(r for r in ws.queue() if r.subscription_id == quiet.id)
    assert row.reason == "Our project ended early" and row.reason_key == option.id
    assert [r.subscription_id for r in ws.queue() if QueueFilter(reason=option.id).matches(r, datetime.now(UTC))] == [quiet.id]
    ws.sync(full=True)  # and as a full sync reads it (expanded in the list)
    again = next(r for r in ws.queue() if r.subscription_id == quiet.id)
    assert again.reason == "Our project ended early"
    ws.close()


def test_a_playbook_rule_on_a_custom_reason_recommends_its_offer(sandbox, tmp_path, qtbot):
    from console.domain.offers import PauseOffer
    from console.domain.playbook import Playbook, Rule
    from console.ui.dialogs.playbook import PlaybookDialog

    admin = client_for(sandbox, sandbox.secret_key)
    option, quiet = cancel_with_custom_reason(admin, "Moving to an in-house tool")
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path, "Acme")
    ws.sync()
    row = next(r for r in ws.queue() if r.subscription_id == quiet.id)
    book = Playbook.from_json(
        Playbook(rules=[Rule((option.id,), PauseOffer(pause_months=2)), *Playbook.load(tmp_path / "none.json").rules]).to_json()
    )  # a custom reason's id survives the playbook file
    offer, rule = book.recommend(row, row.interval)
    assert offer.kind == "pause" and rule is not None and rule.reasons == (option.id,)
    dialog = PlaybookDialog(book, [], ["usd"], None, [(option.id, "Moving to an in-house tool")])
    qtbot.addWidget(dialog)
    combo = dialog.table.cellWidget(0, 0)
    assert combo.currentText() == "Moving to an in-house tool" and combo.currentData() == option.id
    assert dialog.playbook().rules[0].reasons == (option.id,)
    ws.close()


def test_outcomes_and_their_chart_group_by_the_custom_reason_with_its_text(sandbox, tmp_path, qtbot):
    """Feedback Options API: the outcome report and the "save rate by reason" chart name the custom reason,
    not "No answer", and a save of that customer counts under it."""
    import time

    from console.actions import Consent
    from console.analytics.outcomes import outcomes
    from console.analytics.report import build
    from console.domain.offers import RevokeOffer
    from console.ui.analytics.charts import by_reason

    admin = client_for(sandbox, sandbox.secret_key)
    ws = Workspace.connect(StripeGateway(sandbox.key, sandbox.url), tmp_path, "Acme")
    ws.sync()
    option, quiet = cancel_with_custom_reason(admin, "Budget frozen until <Q3>")
    ws.sync()
    ws.actions("Dana").apply(quiet.id, RevokeOffer(), Consent("call"))
    ws.sync()
    report = build(outcomes(ws.cache), 0, int(time.time()) + 86400)
    row = next(r for r in report.reasons if r.feedback == option.id)
    assert (row.label, row.n, row.saves) == ("Budget frozen until <Q3>", 1, 1)
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    drawn = by_reason(plot, report)
    ticks = dict(plot.getAxis("left")._tickLevels[0])  # reasons down the left, the most frequent on top
    at = [i for i, r in enumerate(report.reasons) if r.feedback == option.id][0]
    assert ticks[len(report.reasons) - 1 - at] == "Budget frozen until <Q3>" and drawn.rows[at][-1] == "Budget frozen until <Q3>"
    ws.close()
