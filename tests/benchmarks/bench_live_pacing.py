"""A live key's first sync under Stripe's per-endpoint limit, as whole processes: the console as shipped beside the same
console with its endpoint pacing switched off, alternated, against a live-mode sandbox.

Run: .venv/bin/python tests/benchmarks/bench_live_pacing.py [--customers 2000] [--latency-ms 150] [--rounds 3]
The sandbox (`churn-console sandbox --live --rate-limit 100`) limits the account to 100 requests a second and each
endpoint to 25 (docs.stripe.com/rate-limits: "API endpoints have a default limit of 25 requests per second"). Each
round runs `churn-console --allow-live-key-to URL sync` in a new data dir, once as shipped and once with
`console.pacing.EndpointPacer.acquire` replaced by a no-op in that process, and counts from the sandbox's log what
each sent and how many of those Stripe would have answered 429. Prints medians as a table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_sync import log  # noqa: E402
from installed import as_installed  # noqa: E402

UNPACED = (
    "import sys, console.pacing as p; p.EndpointPacer.acquire = lambda self, method, path: None; "
    "from console.cli import main; sys.argv[0] = 'churn-console'; sys.exit(main())"
)


def run_sync(url: str, key: str, data_dir: Path, *, paced: bool) -> float:
    args = ["--api-base", url, "--allow-live-key-to", url, "--data-dir", str(data_dir), "sync"]
    cmd = [sys.executable, "-m", "console", *args] if paced else [sys.executable, "-c", UNPACED, *args]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env={**os.environ, "STRIPE_API_KEY": key}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"sync exited {done.returncode}: {done.stderr[-2000:]}")
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    as_installed()
    cmd = [sys.executable, "-m", "console", "sandbox", "--live", "--customers", str(args.customers)]
    cmd += ["--latency-ms", str(args.latency_ms), "--rate-limit", "100"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url, key, admin = (part.split("=", 1)[1] for part in proc.stdout.readline().split()[:3])
    out: dict[str, dict[str, list[float]]] = {k: {"wall": [], "sent": [], "429": []} for k in ("paced", "unpaced")}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for round_ in range(args.rounds):
                for which in ("paced", "unpaced") if round_ % 2 == 0 else ("unpaced", "paced"):
                    before = len(log(url, admin))
                    wall = run_sync(url, key, Path(tmp) / f"{which}{round_}", paced=which == "paced")
                    sent = log(url, admin)[before:]
                    out[which]["wall"].append(wall)
                    out[which]["sent"].append(len(sent))
                    out[which]["429"].append(sum(1 for e in sent if e["status"] == 429))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    print(f"\nlive mode, {args.customers:,} customers, {args.latency_ms:.0f} ms, medians of {args.rounds} alternated rounds\n")
    print("| first sync (`churn-console sync`) | whole process | requests | answered 429 |")
    print("|---|---:|---:|---:|")
    for which, label in (("paced", "as shipped (a window per endpoint)"), ("unpaced", "endpoint pacing off")):
        r = out[which]
        print(
            f"| {label} | {statistics.median(r['wall']):.1f} s | {statistics.median(r['sent']):.0f} | "
            f"{statistics.median(r['429']):.0f} (runs: {', '.join(str(int(n)) for n in r['429'])}) |"
        )


if __name__ == "__main__":
    main()
