"""`churn-console pause SUB --until DAY`: the window's "Pause until a date…" from the command line, the same offer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from console.domain.offers import PauseOffer
from console.sandbox.app import Sandbox
from tests.integration.conftest import cli_runner, client_for


@pytest.fixture
def run(tmp_path, monkeypatch, capsys):
    with Sandbox(seed=17, customers=80) as sb:
        cli = cli_runner(sb, tmp_path, monkeypatch, capsys, "Casey")
        assert cli("sync")[0] == 0
        yield cli


def _pending(sb) -> str:
    return next(
        s["id"]
        for s in sb.state.ordered("subscription")
        if s["cancel_at_period_end"] and s["status"] == "active" and not s["pause_collection"]
    )


def test_pause_until_a_day_pauses_collection_until_then_as_the_window_does(run):
    sb = run.sb
    sub_id = _pending(sb)
    day = (datetime.fromtimestamp(sb.state.clock.now(), UTC) + timedelta(days=45)).date()
    code, out, err = run("pause", sub_id, "--until", day.isoformat(), "--behavior", "keep_as_draft", "--consent", "call")
    assert code == 0, err
    held = client_for(sb, sb.secret_key).v1.subscriptions.retrieve(sub_id)
    expected = PauseOffer.until(day, "keep_as_draft")  # what the window's PauseDialog.offer() returns for that day
    assert held.pause_collection.resumes_at == int(expected.resumes_at.timestamp())
    assert held.pause_collection.behavior == "keep_as_draft" and not held.cancel_at_period_end
    assert "Pause" in out


def test_pause_until_a_past_day_is_refused_before_anything_is_sent_and_a_bad_day_is_usage(run):
    sb = run.sb
    sub_id = _pending(sb)
    sb.clear_log()
    code, _, err = run("pause", sub_id, "--until", "2020-01-01", "--consent", "call")
    assert code == 1 and "resume date must be in the future" in err
    assert not [e for e in sb.log if e.method == "POST"]
    with pytest.raises(SystemExit) as usage:
        run("pause", sub_id, "--until", "next tuesday", "--consent", "call")
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as both:
        run("pause", sub_id, "--until", date.today().isoformat(), "--months", "2", "--consent", "call")
    assert both.value.code == 2


def test_the_windows_pause_dialog_makes_the_same_offer(qtbot):
    from PySide6.QtCore import QDate

    from console.ui.dialogs.offer_forms import PauseDialog

    dialog = PauseDialog()
    qtbot.addWidget(dialog)
    dialog.until.setDate(QDate(2027, 3, 1))
    assert dialog.offer() == PauseOffer.until(date(2027, 3, 1), dialog.behavior.currentData())
