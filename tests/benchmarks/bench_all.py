"""Every figure issue 32 asked for, measured from outside beside its baseline in one run, printed as one table.

Run: ./dev bench   (or .venv/bin/python tests/benchmarks/bench_all.py [--rounds 3] [--naive] [--quick])
- sync: bench_sync.py against a sandbox at 300 ms latency and 25 requests/s, 2,000 and 20,000 customers;
- the window: bench_screen.py on Xvfb with XTest input, 1,000,000 cached subscriptions; its Failed payments tab
  (bench_failed_screen.py) with 50,000 of them failing (issue 33);
- the command line: bench_cli.py, whole processes.
--quick: 2,000 customers and 100,000 cached subscriptions (minutes, not half an hour). --naive adds the naive SDK
loop (12 minutes at 20,000 customers).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import bench_cli  # noqa: E402
import bench_failed_screen  # noqa: E402
import bench_screen  # noqa: E402
import bench_sync  # noqa: E402
from installed import as_installed  # noqa: E402
from synthetic import add_failures, add_history, cached_account  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    as_installed()
    began = time.perf_counter()
    sizes = (2_000,) if args.quick else (2_000, 20_000)
    large_n = 100_000 if args.quick else 1_000_000
    sync_args = argparse.Namespace(latency_ms=300.0, rate_limit=25.0, rounds=args.rounds, naive=args.naive)
    table: list[tuple[str, str, str, str, str]] = []
    for n in sizes:
        print(f"sync, {n:,} customers…", file=sys.stderr)
        table += bench_sync.table_rows(bench_sync.run_size(n, sync_args), sync_args.rate_limit)
    print(f"caches of {large_n:,} and 20,000 subscriptions…", file=sys.stderr)
    large, _ = cached_account(large_n, large_n // 5)
    add_history(large, large_n, large_n // 5)  # two years of intents, saves and their invoices: what `report` reads
    small, _ = cached_account(20_000, 4_000)
    print("the window on Xvfb…", file=sys.stderr)
    _, display = bench_screen.on_display()  # one X server for both window benches (bench_screen.start_display)
    try:  # stopped even when a bench fails: an Xvfb outlives the process that started it
        for label, console, bare, ratio, target in bench_screen.table_rows(bench_screen.measure(large_n, args.rounds, large)):
            table.append((f"{label}, {large_n:,} cached", console, f"bare PySide6 window {bare}", ratio, target))
        print("the Failed payments tab on Xvfb…", file=sys.stderr)
        add_failures(large, large_n, large_n // 20)
        failing = bench_failed_screen.table_rows(bench_failed_screen.measure(large, args.rounds))
        for label, console, bare, ratio, target in failing:
            table.append(
                (
                    f"Failed payments tab: {label}, {large_n // 20:,} failing",
                    console,
                    f"bare two-tab window {bare}",
                    ratio,
                    target,
                )
            )
    finally:
        bench_screen.stop_display(display)
    print("the command line…", file=sys.stderr)
    for label, f, baseline, target in bench_cli.rows(large, small, max(5, args.rounds * 2 + 1), large_n):
        peak = f", peak {f['peak_mb']:,.0f} MB" if "json" in label else ""
        table.append(
            (label, f"{f['a'] * 1000:,.0f} ms{peak}", f"{baseline}: {f['b'] * 1000:,.0f} ms", f"{f['ratio']:.2f}×", target)
        )
    print(f"\nMeasured from outside, each beside its baseline in this run ({time.perf_counter() - began:,.0f} s):\n")
    print("| measure | console | baseline | ratio | target |")
    print("|---|---:|---|---:|---|")
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
