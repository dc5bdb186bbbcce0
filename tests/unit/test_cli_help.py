"""`churn-console --help` lists the commands from commands/index.py without importing their modules (issue 32: --help
within 2.5× a bare Python start). It must say exactly what the full parser, which each command builds, would say."""

from __future__ import annotations

import subprocess
import sys

from console.cli import build_parser, help_parser, main
from console.commands.index import COMMANDS


def test_the_light_help_is_the_full_parsers_help_word_for_word(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps to the terminal's width: the same for both
    full = build_parser().format_help()
    assert help_parser().format_help() == full
    for flag in ("--help", "-h"):
        assert main([flag]) == 0
        assert capsys.readouterr().out == full


def test_the_index_names_every_command_the_parsers_build_in_their_order_with_their_help():
    [sub] = [a for a in build_parser()._actions if a.__class__.__name__ == "_SubParsersAction"]
    assert tuple((c.dest, c.help) for c in sub._choices_actions) == COMMANDS


def test_help_imports_no_commands_module():
    code = (
        "import sys; from console.cli import main; main(['--help']); "
        "print(sorted(m for m in sys.modules if m.startswith('console.commands.') and m != 'console.commands.index'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
