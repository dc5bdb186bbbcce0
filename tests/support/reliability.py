"""Counters the reliability tests add to, summed into one table at the end of the run (see tests/conftest.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

COLUMNS = (
    ("faults_injected", "faults injected"),
    ("write_points", "SQLite write points failed once (disk full, then locked)"),
    ("syncs_compared", "syncs compared"),
    ("kills", "processes killed (kill -9)"),
    ("actions_run", "actions run"),
    ("duplicates", "duplicates found (must be 0)"),
    ("lost_updates", "lost updates found (must be 0)"),
    ("fuzz_cases", "fuzz cases tried"),
    ("races", "two operators saving one customer at once"),
    ("double_offers", "subscriptions left with two offers (must be 0)"),
    ("desk_races", "two consoles taking one row at once"),
    ("silent_losers", "  of which the loser was told only at its next sync"),
    ("unusable_files", "locked, full or read-only files met"),
    ("set_aside_wrongly", "healthy files set aside as damaged (must be 0)"),
    ("hostile_inputs", "hostile texts and imports tried"),
)


def counters_dir(root: Path) -> Path:
    return Path(os.environ.get("CHURN_RELIABILITY_DIR") or root / ".pytest_cache" / "reliability")


def record(**counts: int) -> None:
    """Add to this run's counters (one file per worker process; safe under pytest-xdist)."""
    unknown = set(counts) - {key for key, _ in COLUMNS}
    if unknown:
        raise KeyError(f"unknown reliability counters: {sorted(unknown)}")
    directory = counters_dir(Path(__file__).resolve().parents[2])
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{os.getpid()}.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(counts) + "\n")


def totals(directory: Path) -> dict[str, int]:
    out = {key: 0 for key, _ in COLUMNS}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            for key, value in json.loads(line).items():
                out[key] += value
    return out


def table(directory: Path) -> list[str]:
    found = totals(directory)
    lines = ["| reliability | count |", "|---|---:|"]
    lines += [f"| {label} | {found[key]:,} |" for key, label in COLUMNS]
    return lines
