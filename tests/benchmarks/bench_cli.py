"""The command line timed as whole processes beside baselines run in the same loop, alternated: `--version` and
`--help` beside a bare `python -c pass`, and `queue --format json` beside a plain Python loop that writes the same
cache's pending rows as JSON; peak memory of each process read from /proc while it runs.

Run: .venv/bin/python tests/benchmarks/bench_cli.py [--rounds 7] [--large DIR] [--small DIR] [--start-only]
`--start-only`: only `--version` and `--help` (no cache is made).
DIRs are data dirs made by synthetic.cached_account (1,000,000 and 20,000 subscriptions, a fifth pending: made when
not given, the large one with two years of history from synthetic.add_history: 560,000 intents, 90,000 desk saves
and their 990,000 invoices). `report` is timed on the large one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
PLAIN_JSON = r"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = sys.stdout
out.write("[\n")
first = True
for row in db.execute("SELECT id, customer_id, customer_name, customer_email, plan, status, mrr_minor, currency, ends_at, "
                      "feedback, comment FROM subscriptions WHERE pending = 1 ORDER BY currency, mrr_minor DESC, ends_at"):
    keys = ("subscription", "customer", "name", "email", "plan", "status", "mrr_minor", "currency", "ends_at", "feedback", "comment")
    out.write(("" if first else ",\n") + json.dumps(dict(zip(keys, row)), separators=(",", ":")))
    first = False
out.write("\n]\n")
"""


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process: VmHWM read from /proc while it runs (its rusage would not do:
    Linux carries the parent's high-water mark into a forked child, and this process holds a Qt screen and caches)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=HERE)
    peak = 0.0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/status") as status:
                peak = max(peak, next((int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:")), 0.0))
        except OSError:
            pass
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return wall, peak


def paired(a: list[str], b: list[str], rounds: int) -> dict[str, float]:
    """`a` and `b` alternated `rounds` times: medians of each, the median of the per-round ratios, a's peak memory."""
    walls_a, walls_b, ratios, peak = [], [], [], 0.0
    for n in range(rounds):
        if n % 2 == 0:
            (wa, ma), (wb, _) = run(a), run(b)
        else:
            (wb, _), (wa, ma) = run(b), run(a)
        walls_a.append(wa)
        walls_b.append(wb)
        ratios.append(wa / wb)
        peak = max(peak, ma)
    return {"a": statistics.median(walls_a), "b": statistics.median(walls_b), "ratio": statistics.median(ratios), "peak_mb": peak}


def start_rows(rounds: int) -> list[tuple[str, dict[str, float], str, str]]:
    """`--version` and `--help`, each beside a bare Python start."""
    cli = [sys.executable, "-m", "console"]
    bare = [sys.executable, "-c", "pass"]
    return [
        ("`churn-console --version`", paired([*cli, "--version"], bare, rounds), "`python -c pass`", "≤ 2.5×"),
        ("`churn-console --help`", paired([*cli, "--help"], bare, rounds), "`python -c pass`", "≤ 2.5×"),
    ]


def rows(large: Path, small: Path, rounds: int, large_n: int = 1_000_000) -> list[tuple[str, dict[str, float], str, str]]:
    """(measure, paired figures, baseline, target) for each row of the table."""
    cli = [sys.executable, "-m", "console"]
    bare = [sys.executable, "-c", "pass"]
    out = start_rows(rounds)
    for data, label, target in ((large, f"{large_n:,} cached", "≤ 1.3×, ≤ 100 MB"), (small, "20,000 cached", "≤ 4×")):
        cache = next(data.glob("*-test.sqlite3"))
        figures = paired(
            [*cli, "--data-dir", str(data), "queue", "--format", "json"], [sys.executable, "-c", PLAIN_JSON, str(cache)], rounds
        )
        out.append((f"`queue --format json`, {label}", figures, "a plain Python loop writing the rows as JSON", target))
    figures = paired([*cli, "--data-dir", str(large), "report"], bare, max(3, rounds // 2))
    out.append((f"`report`, {large_n:,} cached, two years of history", figures, "`python -c pass`", "≤ 1 s"))
    return out


def print_table(found: list[tuple[str, dict[str, float], str, str]]) -> None:
    print(
        "| command (a whole process) | console | baseline | console ÷ baseline (median of paired runs) | peak memory | target |"
    )
    print("|---|---:|---|---:|---:|---|")
    for label, f, baseline, target in found:
        print(
            f"| {label} | {f['a'] * 1000:,.0f} ms | {baseline}: {f['b'] * 1000:,.0f} ms | {f['ratio']:.2f}× |"
            f" {f['peak_mb']:,.0f} MB | {target} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--large", type=Path)
    parser.add_argument("--small", type=Path)
    parser.add_argument("--start-only", action="store_true", help="only --version and --help (no cache is made)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from installed import as_installed

    as_installed()
    if args.start_only:
        print_table(start_rows(args.rounds))
        return
    sys.path.insert(0, str(HERE))
    from synthetic import add_history, cached_account

    if args.large:
        large = args.large
    else:
        large = cached_account(1_000_000, 200_000)[0]
        add_history(large, 1_000_000, 200_000)
    small = args.small or cached_account(20_000, 4_000)[0]
    print_table(rows(large, small, args.rounds))


if __name__ == "__main__":
    main()
