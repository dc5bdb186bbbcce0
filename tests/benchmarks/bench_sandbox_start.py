"""What a large sandbox costs to start and to hold: the seed of N customers, its time and its memory (RSS of
a process of its own), with objects compressed (console/sandbox/table.py) and, as the baseline in the same
run, kept as dicts (the old storage: `State(compact=False)`, everything else the same).

Run: .venv/bin/python tests/benchmarks/bench_sandbox_start.py [--sizes 20000,200000] [--no-baseline]
(1,000,000 customers: about two minutes and 2.5 GB compressed; as dicts it does not fit in 24 GB.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

_CHILD = """
import json, sys, time
from console.heap import collector_paused
from console.sandbox import seed
from console.sandbox.state import State

def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 1e6

base = rss_mb()
t0 = time.perf_counter()
with collector_paused():  # as `churn-console sandbox` and the demo seed
    state = State(seed=3, compact=sys.argv[2] == "1")
    seed.seed(state, int(sys.argv[1]))
print(json.dumps({"seconds": time.perf_counter() - t0, "mb": rss_mb(), "base": base}))
"""


def measure(customers: int, compact: bool) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(customers), "1" if compact else "0"], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def cell(m: dict | None, customers: int) -> str:
    if m is None:
        return "—"
    return f"{m['seconds']:.1f} s, {m['mb']:,.0f} MB ({(m['mb'] - m['base']) * 1000 / customers:.1f} KB each)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--no-baseline", action="store_true", help="skip the dicts (at 1M they do not fit)")
    args = parser.parse_args()
    print("\n| customers | objects as dicts (baseline) | compressed (now) | time now ÷ baseline | memory now ÷ baseline |")
    print("|---:|---:|---:|---:|---:|")
    for size in (int(x) for x in args.sizes.split(",")):
        t0 = time.perf_counter()
        old = None if args.no_baseline else measure(size, compact=False)
        new = measure(size, compact=True)
        ratio_t = f"{new['seconds'] / old['seconds']:.2f}" if old else "—"
        ratio_m = f"{(new['mb'] - new['base']) / (old['mb'] - old['base']):.2f}" if old else "—"
        print(f"| {size:,} | {cell(old, size)} | {cell(new, size)} | {ratio_t} | {ratio_m} |", flush=True)
        print(f"  ({time.perf_counter() - t0:.0f} s for this row)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
