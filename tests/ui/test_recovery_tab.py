"""The Recovery tab (issue 34) clicked as a founder would: the same figures as `churn-console report --recovery` on the
same cache (one use case: services/recovery_report.py), one currency at a time, the range changed, and each chart's
CSV and PNG exported through the file dialog."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

from console.cli import main
from console.domain.money import format_money
from console.domain.recovery import REASONS
from console.ui.dialogs.playbook import PlaybookDialog
from tests.ui.gestures import active, answer, answer_file_dialog, click, click_tab


def test_the_tab_shows_what_report_recovery_prints_and_exports_each_chart(qtbot, open_window, demo, capsys, tmp_path):
    window = open_window(demo)
    active(qtbot, window)
    click_tab(window, window.recovery_tab)
    page = window.recovery_page
    qtbot.waitUntil(lambda: page.figures is not None, timeout=20000)
    weeks = page.preset.currentData()
    data_dir = window.context.workspace.data_dir
    capsys.readouterr()
    since = (datetime.now(UTC).date() - timedelta(weeks=weeks)).isoformat()  # the tab's range, as the CLI takes it
    assert main(["--data-dir", str(data_dir), "report", "--recovery", "--format", "json", "--since", since]) == 0
    printed = json.loads(capsys.readouterr().out)["currencies"]
    shown = [page.currency.itemData(i) for i in range(page.currency.count())]
    assert shown and set(shown) == set(printed)  # one currency at a time: never summed
    for currency in shown:
        page.currency.setCurrentIndex(page.currency.findData(currency))
        want = printed[currency]
        assert page.cards["failed"].value.text() == format_money(want["failed_minor"], currency)
        assert page.cards["recovered"].value.text() == format_money(want["recovered_minor"], currency)
        assert page.cards["progress"].value.text() == format_money(want["in_progress_minor"], currency)
        assert page.cards["lost"].value.text() == format_money(want["lost_minor"], currency)
        for day, share in want["rate_by_day"].items():  # each day's share with the invoices it is over
            said = f"day {day} —" if share is None else f"day {day} {share:.0%} of {want['invoices_by_day'][day]}"
            assert said in page.cards["recovered"].caption.text()
        bars = {row[0]: row[2] for row in page.reasons.drawn.rows}
        assert bars == {reason: v["recovered_minor"] for reason, v in want["by_reason"].items()}
        assert page.declines.rowCount() == len(want["by_decline_code"])
        codes = {row[0]: row[3] for row in page.decline_chart.drawn.rows}
        assert codes == {code: v["failed_minor"] for code, v in want["by_decline_code"].items()}
        groups = {row[0]: row[1] for row in page.holdout.drawn.rows}  # the demo's playbook has no hold-out
        assert groups == {"Left to Stripe (hold-out)": 0, "Worked by the desk": 0}
        assert want["holdout"]["left_to_stripe"]["failed"] == 0 and "Hold-out: off" in page.lift.text()
        by_week = page.weekly.drawn.rows  # every failure in one week of the range, the weeks adding up to the whole
        assert (
            sum(row[3] for row in by_week) == want["failed_minor"] and sum(row[4] for row in by_week) == want["recovered_minor"]
        )

    out = tmp_path / "reasons.csv"
    answer_file_dialog(out)
    click(page.reasons.csv)
    qtbot.waitUntil(out.exists, timeout=10000)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["reason"] for r in rows} >= {"stripe_retry", "out_of_band"} and "Saved" in page.status.text()
    image = tmp_path / "curve.png"
    answer_file_dialog(image)
    click(page.curve.png)
    qtbot.waitUntil(image.exists, timeout=10000)
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    reads = page._reads
    page.preset.setCurrentIndex(page.preset.findData(4))  # another range: read again
    qtbot.waitUntil(lambda: page._reads == reads + 1 and page.figures is not None, timeout=10000)

    def reverse(dialog: PlaybookDialog) -> None:  # the order as the playbook's "Change order…" leaves it
        dialog.attribution.order = tuple(reversed(REASONS))
        dialog.accept()

    reads = page._reads
    answer(PlaybookDialog, reverse)
    window.edit_playbook()  # the playbook saved while the tab is shown: read again with its order
    qtbot.waitUntil(lambda: page.figures is not None and page.figures.order == tuple(reversed(REASONS)), timeout=10000)
    assert page._reads == reads + 1
    assert [row[0] for row in page.reasons.drawn.rows] == list(reversed(REASONS))  # the bars in the order used
    assert "first that applies: Paid outside Stripe → A rep's pause, then paid" in page.rule.text()
