"""Every command documents itself (in the style of sqlite-utils' test_docs.py): `--help` with an example, and a
mention in the README. A command added without either fails here."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from console.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")


def commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(words, parser) for every command and subcommand, e.g. (("portal", "apply"), …)."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out.append(((*prefix, name), sub))
                out += commands(sub, (*prefix, name))
    return out


ALL = commands(build_parser())


def test_the_commands_are_found():
    names = {" ".join(words) for words, _ in ALL}
    assert {"sync", "queue", "save", "portal apply", "key set", "report", "sandbox"} <= names


@pytest.mark.parametrize("words,parser", ALL, ids=[" ".join(w) for w, _ in ALL])
def test_every_command_has_help_with_an_example(words, parser):
    text = parser.format_help()
    has_subcommands = any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)
    assert parser.description or any(a.help for a in parser._actions if a.dest not in ("help",)), words
    examples = text.split("example", 1)[1] if "example" in text else ""  # the epilog, after the usage and options
    typed = [line.strip() for line in examples.splitlines() if "churn-console" in line]
    assert typed, f"`churn-console {' '.join(words)} --help` shows no example"
    if not has_subcommands:  # a group (`portal`, `key`) shows its commands' examples; a leaf shows its own
        assert any(" ".join(words) in line for line in typed), typed


@pytest.mark.parametrize("words,parser", ALL, ids=[" ".join(w) for w, _ in ALL])
def test_every_command_is_in_the_readme(words, parser):
    assert f"churn-console {' '.join(words)}" in README or f"`{words[-1]}`" in README, words


def test_version_answers_without_importing_any_command():
    """`churn-console --version` (a packager's and a bug report's first call) imports no command module, no
    sandbox and no SDK: their imports were most of its time (4.4× a bare `python -c pass`; now 1.6×, farm-bench)."""
    import subprocess
    import sys

    from console import __version__

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "console", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == f"churn-console {__version__}"
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    heavy = {m for m in imported if m.startswith(("console.commands", "console.sandbox", "stripe", "PySide6", "sqlite_utils"))}
    assert heavy == set(), sorted(heavy)
