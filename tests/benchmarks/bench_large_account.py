"""A large cached account outside the window: `queue --format json`, `report`, and an incremental sync that finds
nothing, on 1,000,000 cached subscriptions by default (a fifth pending).

Run: .venv/bin/python tests/benchmarks/bench_large_account.py [--subscriptions 1000000] [--data-dir DIR] [--runs 3]
`--data-dir` reuses a cache an earlier run built (building 1M takes about half a minute). The sync is the
console's own work for a quiet account: the cursor points at the newest event of a small sandbox, so Stripe's
side is one empty page. Baseline in the same run: `churn-console --version` (the interpreter and the CLI's start).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import ACCOUNT, cached_account  # noqa: E402

from console.sandbox.app import Sandbox  # noqa: E402
from console.services import operations  # noqa: E402
from console.services.workspace import Workspace  # noqa: E402
from console.store import Cache  # noqa: E402
from console.stripe_gateway import StripeGateway  # noqa: E402


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - t0


def quiet_sync(data: Path) -> float:
    """An incremental sync of the big cache that finds no event (the sandbox's newest event is the cursor)."""
    with Sandbox(seed=3, customers=20) as sb:
        sb.state.account["id"] = ACCOUNT  # the sandbox plays the cached account
        gateway = StripeGateway(sb.key, sb.url)
        newest = gateway.newest_event()
        cache = Cache.for_account(data, ACCOUNT, False)
        cache.set_meta(
            "events_cursor", {"id": newest[0], "at": int(time.time())} if newest else {"id": None, "at": int(time.time())}
        )
        cache.set_meta("events_backfilled_at", int(time.time()))
        cache.close()
        workspace = Workspace.last(data)
        workspace = workspace.attach(gateway, "bench")
        t0 = time.perf_counter()
        done = operations.sync(workspace)
        took = time.perf_counter() - t0
        assert done.result.kind == "incremental" and done.result.events == 0, done.result.summary()
        workspace.close()
        return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, help="a cache an earlier run built (see above)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = args.data_dir or cached_account(args.subscriptions, args.subscriptions // 5)[0]
    cli = [sys.executable, "-m", "console", "--data-dir", str(data)]
    version = statistics.median(timed([sys.executable, "-m", "console", "--version"]) for _ in range(args.runs))
    rows = [
        ("`queue --format json`", statistics.median(timed([*cli, "queue", "--format", "json"]) for _ in range(args.runs)), 3.0),
        ("`report`", statistics.median(timed([*cli, "report"]) for _ in range(args.runs)), 2.0),
        ("incremental sync that finds nothing (in process)", statistics.median(quiet_sync(data) for _ in range(args.runs)), 0.3),
    ]
    pending = Cache.for_account(data, ACCOUNT, False)
    count, total = sum(pending.pending_by_currency().values()), pending.counts()["subscriptions"]
    pending.close()
    print(f"\n{total:,} cached subscriptions, {count:,} pending; {args.runs} runs each (median)\n")
    print("| measure | time | ÷ `churn-console --version` | target |")
    print("|---|---:|---:|---:|")
    for label, seconds, target in rows:
        print(f"| {label} | {seconds:.2f} s | {seconds / version:.1f}× | ≤ {target:g} s |")
    print(f"| `churn-console --version` (baseline) | {version:.2f} s | 1.0× | — |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
