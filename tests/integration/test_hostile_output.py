"""Customer-controlled text on the way out: no escape sequence reaches the operator's terminal, and no CSV
cell the console writes starts a spreadsheet formula (OWASP "CSV Injection")."""

from __future__ import annotations

import csv
import io
import json

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
    code, out, _ = run("queue", "--format", "json")  # written as the spool's bytes (terminal_json_block)
    found = next(r for r in json.loads(out) if r["subscription"] == target.id)
    assert code == 0 and found["name"] == NAME and "\x1b" not in out and "\u202e" not in out and "\\u202e" in out
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
    from console.domain.text import Checked, terminal_json

    hostile = json.dumps({"name": "a\x85b\u202ec\x7fd\u2066", "plain": "café €"}, ensure_ascii=False)
    plain = json.dumps({"name": "Wei Sato"}, ensure_ascii=False)
    out = terminal_json([plain, hostile])
    assert type(out) is Checked and terminal(out) == out  # nothing left for terminal() to escape
    assert [json.loads(line) for line in out.split(",\n")] == [json.loads(plain), json.loads(hostile)]
    assert out.split(",\n")[0] == plain  # a line with nothing to escape is kept as it was
    record(hostile_inputs=1)


def test_the_json_outputs_byte_path_escapes_exactly_what_the_text_path_does():
    """`queue --format json` writes the spool's UTF-8 blocks as they are unless one holds a character terminal()
    escapes (domain.text.terminal_json_block): for each such character of all Unicode, and beside "¥", "€", "’" and a
    no-break space (whose UTF-8 starts like C1 or the bidirectional controls), it gives what terminal_json() gives."""
    import sys

    from console.domain.text import _UNSAFE, terminal_json, terminal_json_block

    unsafe = [c for c in map(chr, range(sys.maxunicode + 1)) if _UNSAFE.match(c) and c != "\n"]
    neighbours = ["¥", "£", "€", "’", "\u00a0", "\u202f", "\u2060", "\u206a", "é", "東京"]
    for c in [*unsafe, *neighbours]:
        lines = [json.dumps({"name": "Wei Sato"}), json.dumps({"name": f"a{c}b", "mrr": "¥9,500"}, ensure_ascii=False)]
        block = ("\n".join(lines) + "\n").encode()
        assert terminal_json_block(block) == terminal_json(lines).encode(), repr(c)
    plain = (json.dumps({"name": "Zoë ¥ € ’"}, ensure_ascii=False) + "\n").encode() * 3
    assert terminal_json_block(plain) == plain[:-1].replace(b"\n", b",\n")  # nothing to escape: passed as it is
    record(hostile_inputs=len(unsafe))
