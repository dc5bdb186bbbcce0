"""A full sync timed as a whole process beside a plain script reading the same data, alternated, against a sandbox
with latency and a rate limit; the naive SDK loop beside them once; the time the queue is complete; a quiet sync.

Run: .venv/bin/python tests/benchmarks/bench_sync.py [--customers 2000,20000] [--latency-ms 300] [--rate-limit 25]
     [--rounds 3] [--naive]
Each size starts `churn-console sandbox` in its own process. Per round, in alternating order:
- the console: `churn-console --api-base URL --data-dir (new) sync --full` with STRIPE_API_KEY set, its stderr on a
  pseudo-terminal, so its own "Queue complete" line is seen the moment it is written;
- the plain script (plain_sync.py: 8 created ranges cut where the data is, then each saved or metered subscription's
  invoices, and the failed payments' data the console reads since issue 33, 8 in flight, the same 25 requests/s);
- the same script without the failed payments' data (issue 32's baseline), reported beside;
- the least time a queue can take to list (queue_bound.py): a script that knows where each subscription Stripe lists
  by default was made, one range per page, all in flight at the same 25/s, reading nothing else;
- the console's `sync --full` again on the warm cache (which knows where the data is, as the scripts are told).
Figures are medians over the rounds. Floors come from the account, never from the console's own requests: the queue's
is the subscription pages (subscriptions listed ÷ 100) at the rate limit. Then one quiet incremental sync's requests.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import closing
from pathlib import Path

HERE = Path(__file__).parent


def log(url: str, admin: str) -> list[dict]:
    request = urllib.request.Request(f"{url}/_sandbox/log", headers={"Authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(request) as response:
        return [e for e in json.load(response)["entries"] if e["path"].startswith("/v1/")]


def console_sync(url: str, key: str, data_dir: Path, *full: str) -> tuple[float, float | None]:
    """Whole-process wall time of `churn-console sync`, and when its "Queue complete" line appeared (None if never)."""
    master, slave = pty.openpty()
    env = {**os.environ, "STRIPE_API_KEY": key, "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "console", "--api-base", url, "--data-dir", str(data_dir), "sync", *full]
    seen: list[float] = []
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)

    def watch() -> None:
        text = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                return
            if not chunk:
                return
            text += chunk
            if not seen and b"Queue complete" in text:
                seen.append(time.perf_counter() - t0)

    reader = threading.Thread(target=watch, daemon=True)
    reader.start()
    code = proc.wait()
    wall = time.perf_counter() - t0
    reader.join(timeout=2)
    os.close(master)
    if code != 0:
        raise SystemExit(f"churn-console sync exited {code}")
    return wall, (seen[0] if seen else None)


def timed(cmd: list[str], key: str) -> tuple[float, dict]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env={**os.environ, "STRIPE_API_KEY": key}, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{cmd[1]} exited {done.returncode}: {done.stderr[-2000:]}")
    out = done.stdout
    return time.perf_counter() - t0, json.loads(out)


def run_size(customers: int, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, "-m", "console", "sandbox", "--customers", str(customers), "--invoice-history", str(customers)]
    cmd += ["--latency-ms", str(args.latency_ms), "--rate-limit", str(args.rate_limit)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    url, key, admin = (part.split("=", 1)[1] for part in proc.stdout.readline().split()[:3])
    out: dict = {
        "customers": customers,
        "console": [],
        "queue": [],
        "plain": [],
        "plain32": [],
        "console_requests": [],
        "plain_requests": [],
        "plain32_requests": [],
        "bound": [],
        "bound_requests": [],
        "again": [],
        "again_requests": [],
        "again_queue": [],
    }
    try:
        with tempfile.TemporaryDirectory() as tmp:
            warm = Path(tmp) / "warm"
            console_sync(url, key, warm, "--full")  # warms the sandbox; its cache says where the data is, for the plain
            from console.store import Cache

            cache = Cache(_cache_file(warm))
            seen = cache.created_times()
            cache.close()
            with closing(sqlite3.connect(_cache_file(warm))) as db:  # what Stripe lists by default: all but canceled
                listed = [t for (t,) in db.execute("SELECT created FROM subscriptions WHERE status != 'canceled' ORDER BY 1")]
            cuts = [seen[0]] + [seen[len(seen) * i // 8] for i in range(1, 8)] + [int(time.time()) + 86400]
            plain_cmd = [sys.executable, str(HERE / "plain_sync.py"), url, "--cuts", json.dumps(cuts)]
            pages = [listed[0]] + listed[100::100] + [int(time.time()) + 86400]  # a page each
            bound_cmd = [sys.executable, str(HERE / "queue_bound.py"), url, json.dumps(pages)]
            kinds = ("plain", "console", "plain32", "bound", "again")
            for round_ in range(args.rounds):
                for which in kinds if round_ % 2 == 0 else kinds[::-1]:
                    before = len(log(url, admin))
                    if which == "again":  # `sync --full` where a sync has been: the warm cache, kept warm
                        wall, queue = console_sync(url, key, warm, "--full")
                        out["again_queue"].append(queue)
                    elif which == "bound":
                        wall, found = timed(bound_cmd, key)
                        out["listed"] = found["subscriptions"]
                    elif which.startswith("plain"):
                        wall, found = timed(plain_cmd + (["--no-failed"] if which == "plain32" else []), key)
                        out["subscriptions"] = found["subscriptions"]
                    else:
                        wall, queue = console_sync(url, key, Path(tmp) / f"run{round_}", "--full")
                        out["queue"].append(queue)
                    out[which].append(wall)
                    out[f"{which}_requests"].append(len(log(url, admin)) - before)
            before = len(log(url, admin))
            out["quiet_s"], _ = console_sync(url, key, Path(tmp) / "run0")
            out["quiet_requests"] = len(log(url, admin)) - before
            if args.naive:
                before = len(log(url, admin))
                out["naive"], _ = timed([sys.executable, str(HERE / "plain_sync.py"), url, "--naive"], key)
                out["naive_requests"] = len(log(url, admin)) - before
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return out


def _cache_file(data_dir: Path) -> Path:
    found = sorted(data_dir.rglob("*-test.sqlite3")) + sorted(data_dir.rglob("*-live.sqlite3"))  # workspace.py's name
    if not found:
        raise SystemExit(f"no cache under {data_dir}")
    return found[0]


def _median(values: list[float | None]) -> float:
    found = [v for v in values if v is not None]
    return statistics.median(found) if found else float("nan")


def table_rows(r: dict, rate: float) -> list[tuple[str, str, str, str, str]]:
    """(measure, console, baseline, ratio, target) for one account size."""
    plain, console = statistics.median(r["plain"]), statistics.median(r["console"])
    queue = _median(r["queue"])
    floor = -(-r["subscriptions"] // 100) / rate
    bound = statistics.median(r["bound"])
    n = f"{r['customers']:,} customers"
    out = [
        (f"full sync, {n} (`churn-console sync --full`)", f"{console:.1f} s", f"plain script {plain:.1f} s", f"{console / plain:.2f}×", "≤ 0.8×"),
        (f"requests of that full sync, {n}", f"{statistics.median(r['console_requests']):,.0f}",
         f"plain script {statistics.median(r['plain_requests']):,.0f}", "—", "what the data needs"),
        (f"the same, beside issue 32's script (no failed payments' data), {n}", f"{console:.1f} s",
         f"{statistics.median(r['plain32']):.1f} s, {statistics.median(r['plain32_requests']):,.0f} requests",
         f"{console / statistics.median(r['plain32']):.2f}×", "reported"),
        (f"process start → \"Queue complete\", {n}", f"{queue:.2f} s", f"subscription pages ÷ {rate:.0f}/s: {floor:.2f} s",
         f"{queue / floor:.2f}×", "≤ 1.5×"),
        (f"the same, `sync --full` on a cache that has synced, {n}", f"{_median(r['again_queue']):.2f} s",
         f"the same floor {floor:.2f} s", f"{_median(r['again_queue']) / floor:.2f}×", "reported"),
        (f"the least a queue can take, {n}: a script told where each of the {r['listed']:,} listed subscriptions was "
         f"made, a range per page all in flight ({statistics.median(r['bound_requests']):.0f} requests), nothing else "
         "(queue_bound.py)",
         f"{bound:.2f} s", f"the same floor {floor:.2f} s", f"{bound / floor:.2f}×", "reported"),
        (f"a quiet sync, {n} (its process's account check included)", f"{r['quiet_requests']} requests, {r['quiet_s']:.2f} s",
         "—", "—", "one or two requests"),
    ]  # fmt: skip
    if "naive" in r:
        out.append(
            (
                f"naive SDK loop, {n}",
                f"{r['naive']:.1f} s",
                f"console {console:.1f} s",
                f"{r['naive'] / console:.1f}×",
                "reported",
            )
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", default="2000,20000", help="sizes, comma-separated")
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--rate-limit", type=float, default=25.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--naive", action="store_true", help="also the naive SDK loop, once per size (minutes at 20,000)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from installed import as_installed

    as_installed()
    results = [run_size(int(n), args) for n in args.customers.split(",")]
    print(f"\n{args.latency_ms:.0f} ms latency, {args.rate_limit:.0f} requests/s, medians of {args.rounds} alternated rounds\n")
    print("| measure | console | baseline | ratio | target |")
    print("|---|---:|---|---:|---|")
    for r in results:
        for row in table_rows(r, args.rate_limit):
            print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
