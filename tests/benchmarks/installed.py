"""Benchmarks time the console as a user's install runs it: with its bytecode compiled (pip compiles it when it
installs; an environment with PYTHONDONTWRITEBYTECODE, as this project's build machines have, made every process
compile the console's modules again: 58 ms of a 110 ms `--help`)."""

from __future__ import annotations

import compileall
import os
from pathlib import Path


def as_installed() -> None:
    """Compile the console's modules once, and let the processes started from here use (and write) bytecode."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import console

    compileall.compile_dir(str(Path(console.__file__).parent), quiet=1)
