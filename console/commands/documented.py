"""A subcommand whose `--help` says what it does and shows how it is typed (tests/unit/test_docs.py checks)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]  # what add_subparsers() returns


def command(sub: Commands, name: str, summary: str, *examples: str, **kwargs: Any) -> argparse.ArgumentParser:
    """`sub.add_parser(name)` with `summary` as its one-line help and description, and `examples` as an epilog."""
    lines = "\n".join(f"  {example}" for example in examples)
    return sub.add_parser(
        name,
        help=summary,
        description=kwargs.pop("description", summary[:1].upper() + summary[1:] + "."),
        epilog=f"example{'s' if len(examples) > 1 else ''}:\n{lines}" if examples else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        **kwargs,
    )
