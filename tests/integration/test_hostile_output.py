"""Customer-controlled text on the way out: no escape sequence reaches the operator's terminal, and no CSV
cell the console writes starts a spreadsheet formula (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import io

from console.domain.text import csv_cell, terminal
from tests.integration.conftest import cli_runner, client_for
from tests.support.reliability import record

NAME = "\x1b[2J\x1b[31mEVIL\x07 \u202eoops"
COMMENT = '=HYPERLINK("https://evil.example","Click")'


def test_terminal_and_csv_rules():
    assert terminal("a\x1b[31mb\tc\nd\x9b\u202e") == "a\\x1b[31mb\tc\nd\\x9b\\u202e"
    assert [csv_cell(v) for v in ("=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain", -5)] == [
        "'=1+1", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "plain", -5,
    ]  # fmt: skip


def test_a_hostile_customer_is_harmless_in_queue_table_csv_journal_and_errors(sandbox, tmp_path, monkeypatch, capsys):
    admin = client_for(sandbox, sandbox.secret_key)
    target = next(s for s in admin.v1.subscriptions.list({"limit": 100}).auto_paging_iter() if s.cancel_at_period_end)
    admin.v1.customers.update(target.customer, {"name": NAME})
    admin.v1.subscriptions.update(target.id, {"cancellation_details": {"comment": COMMENT}})
    run = cli_runner(sandbox, tmp_path, monkeypatch, capsys, "Dana\x1b]0;pwned\x07")

    assert run("sync")[0] == 0
    code, table, _ = run("queue", "--sort", "customer")
    assert code == 0 and "\\x1b[2J" in table and "\x1b" not in table and "\u202e" not in table
    code, out, _ = run("queue", "--format", "csv")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["subscription"] == target.id)
    assert row["comment"] == "'" + COMMENT and "\x1b" not in out
    assert run("revoke", target.id, "--consent", "call")[0] == 0
    code, journal, _ = run("journal")
    assert code == 0 and "\x1b" not in journal and "EVIL" in journal
    code, _, err = run("revoke", target.id, "--consent", "call")  # refused: its message names the customer
    assert code == 1 and "EVIL" in err and "\x1b" not in err
    record(hostile_inputs=5)


def test_json_output_escapes_what_a_terminal_acts_on_and_stays_json():
    """terminal() shows C1 and bidirectional controls as `\\x85` / `\\u202e`: inside a JSON string the first is
    not JSON. The JSON output escapes them the JSON way instead, and is then passed through untouched."""
    import json

    from console.domain.text import Checked, terminal_json

    hostile = json.dumps({"name": "a\x85b\u202ec\x7fd\u2066", "plain": "café €"}, ensure_ascii=False)
    plain = json.dumps({"name": "Wei Sato"}, ensure_ascii=False)
    out = terminal_json([plain, hostile])
    assert type(out) is Checked and terminal(out) == out  # nothing left for terminal() to escape
    assert [json.loads(line) for line in out.split(",\n")] == [json.loads(plain), json.loads(hostile)]
    assert out.split(",\n")[0] == plain  # a line with nothing to escape is kept as it was
    record(hostile_inputs=1)
