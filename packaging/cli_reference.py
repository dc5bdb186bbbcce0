"""Write docs/cli-reference.md from the parsers themselves: every command and subcommand with its `--help`, so the
reference cannot drift from the program (`./dev docs` writes it; tests/unit/test_docs.py fails when it is stale)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HEAD = """# CLI reference

Every `churn-console` command and flag, as `--help` prints them (80 columns). Written by `./dev docs` from the
parsers themselves; a test fails when this page is not what they print. The guide with examples is
[The command line](cli.md).
"""


def commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """(words, parser) for the program, then every command and subcommand in the order `--help` lists them."""
    out = [(prefix, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                out += commands(sub, (*prefix, name))
    return out


def render() -> str:
    os.environ["COLUMNS"] = "80"  # argparse wraps to the terminal: the page is the same on every machine
    from console.cli import build_parser

    parts = [HEAD]
    for words, parser in commands(build_parser()):
        title = " ".join(("churn-console", *words))
        parts.append(f"## {title}\n\n```text\n{parser.format_help().rstrip()}\n```\n")
    return "\n".join(parts)


def main(out: Path) -> int:
    out.write_text(render(), "utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/cli-reference.md")))
