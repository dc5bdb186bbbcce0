"""Print line coverage per package of console/ from the .coverage file ./dev test leaves, and check floors."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import coverage

# The floors a whole run must keep (the 90% for the commands and for the whole package).
FLOORS = {"console/commands": 90.0, "total": 90.0}
TARGET = 90.0


def main() -> int:
    cov = coverage.Coverage()
    cov.load()
    data = cov.get_data()
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    root = Path.cwd()
    for name in data.measured_files():
        path = Path(name)
        try:
            rel = path.relative_to(root)
        except ValueError:
            continue
        _, statements, _, missing, _ = cov.analysis2(name)
        parts = rel.parts
        package = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
        for key in (package, "total"):
            per[key][0] += len(statements)
            per[key][1] += len(statements) - len(missing)
    print("\n| package | lines | covered | % |\n|---|---:|---:|---:|")
    failed = []
    for key in sorted(per, key=lambda k: (k == "total", k)):
        lines, covered = per[key]
        pct = 100.0 * covered / lines if lines else 100.0
        mark = "" if pct >= TARGET else " (below 90%)"
        print(f"| {key} | {lines:,} | {covered:,} | {pct:.1f}{mark} |")
        if key in FLOORS and pct < FLOORS[key]:
            failed.append(f"{key} {pct:.1f}% < {FLOORS[key]}%")
    if failed:
        print("coverage fell below its floor: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
