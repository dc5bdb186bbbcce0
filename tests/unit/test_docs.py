"""The documentation holds (in the style of sqlite-utils' test_docs.py): every command has `--help` with an example
and a place in the CLI guide; the CLI reference is what the parsers print, every command and flag in it; every link
in the README and docs/ resolves, anchors included; every screenshot they show is one `./dev shots` makes."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

import pytest

from console.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
REFERENCE = (ROOT / "docs" / "cli-reference.md").read_text("utf-8")


def _reference_script():
    """packaging/cli_reference.py, which writes the reference: its walk over the parsers is the one tested here."""
    spec = importlib.util.spec_from_file_location("cli_reference_script", ROOT / "packaging" / "cli_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EVERY = _reference_script().commands(build_parser())  # the program, then every command and subcommand
ALL = EVERY[1:]


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
def test_every_command_is_in_the_guides(words, parser):
    """Each command is shown or named in a guide, not only in the generated reference."""
    guides = "\n".join(p.read_text("utf-8") for p in PAGES if p.name != "cli-reference.md")
    assert f"churn-console {' '.join(words)}" in guides or f"`{words[-1]}`" in guides, words


def test_the_cli_reference_is_what_the_parsers_print(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert REFERENCE == _reference_script().render(), "docs/cli-reference.md is stale: run ./dev docs"


@pytest.mark.parametrize("words,parser", EVERY, ids=[" ".join(("churn-console", *w)) for w, _ in EVERY])
def test_every_command_and_flag_is_in_the_cli_reference(words, parser):
    section = REFERENCE.split(f"\n## {' '.join(('churn-console', *words))}\n", 1)
    assert len(section) == 2, words
    text = section[1].split("\n## ", 1)[0]
    flags = [s for a in parser._actions for s in a.option_strings]
    assert flags and not [f for f in flags if f not in text], words


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped but - and _, spaces as -."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


LINK = re.compile(r"\]\(([^)\s]+)\)")


def _links():
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text("utf-8"), flags=re.S)  # code blocks hold no links
        for target in LINK.findall(text):
            if not target.startswith(("http://", "https://", "mailto:")):
                yield page, target


@pytest.mark.parametrize("page,target", list(_links()), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_link_resolves(page, target):
    path, _, anchor = target.partition("#")
    file = (page.parent / path).resolve() if path else page
    assert file.exists(), f"{page.name} links to {target}: no such file"
    if anchor:
        headings = re.findall(r"^#+ (.+)$", file.read_text("utf-8"), flags=re.M)
        assert anchor in {_slug(h) for h in headings}, f"{page.name} links to {target}: no such heading"


def test_every_page_is_linked_from_the_readme():
    linked = {t.split("#")[0] for p, t in _links() if p.name == "README.md"}
    assert {f"docs/{p.name}" for p in PAGES[1:]} - linked == set()


def test_every_screenshot_shown_is_made_by_dev_shots():
    """`./dev shots` (packaging/screenshots.py) makes each PNG a page shows: by its name, or as a tab at a size and
    a theme ({tab}-{size}-{theme}.png). One it does not make goes stale unseen."""
    script = (ROOT / "packaging" / "screenshots.py").read_text("utf-8")
    tabs = re.search(r"TABS = \(([^)]*)\)", script)
    assert tabs is not None
    names = "|".join(re.findall(r'"(\w+)"', tabs.group(1)))
    made_as_tab = re.compile(rf"({names})-\d+x\d+-(light|dark)$")
    shown = {Path(t).stem for _, t in _links() if t.endswith(".png")}
    assert shown
    for stem in shown:
        assert f'"{stem}"' in script or made_as_tab.match(stem) or f'"{stem.rsplit("-", 1)[0]}-{{scheme}}"' in script, stem


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


def test_help_imports_neither_the_sandbox_nor_the_money_formatting():
    """`churn-console --help` (issue 32: ≤ 2.5× a bare `python -c pass`) builds every parser but runs no command: the
    sandbox's state (53 ms of imports, for two version strings) and babel (the report's money) load when a command
    runs. Measured with farm-bench: 4.5× → 3.1× a bare start (median wall, 11 pairs)."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "console", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage: churn-console" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    heavy = {
        m for m in imported if m.startswith(("console.sandbox.state", "console.sandbox.table", "babel", "stripe", "PySide6"))
    }
    assert heavy == set(), sorted(heavy)
