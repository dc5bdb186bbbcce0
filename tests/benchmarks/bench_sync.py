"""Full and incremental sync against a sandbox with latency and a rate limit, beside the naive SDK loop.

Run: .venv/bin/python tests/benchmarks/bench_sync.py [--customers 20000] [--latency-ms 60] [--rate-limit 100]
It starts `churn-console sandbox` in its own process (so the two do not share a GIL), runs
(a) the naive approach: auto-paging subscriptions and one customers.retrieve per pending cancellation,
(b) the console's full sync, (c) an incremental sync after 50 changes, and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import stripe

from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway, pages
from console.sync.full import CONCURRENCY
from console.sync.ratelimit import LIVE_MODE_RATE, TEST_MODE_RATE


def log_count(url: str, key: str) -> int:
    request = urllib.request.Request(f"{url}/_sandbox/log", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request) as response:
        return sum(1 for e in json.load(response)["entries"] if e["path"].startswith("/v1/"))


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU of a process (this one when pid is None), from /proc or getrusage."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=60.0)
    parser.add_argument("--rate-limit", type=float, default=100.0)
    parser.add_argument("--skip-naive", action="store_true", help="skip (a): it takes minutes by design")
    args = parser.parse_args()
    cmd = [
        sys.executable,
        "-m",
        "console",
        "sandbox",
        "--customers",
        str(args.customers),
        "--latency-ms",
        str(args.latency_ms),
        "--rate-limit",
        str(args.rate_limit),
    ]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    first = proc.stdout.readline().split()
    url, key, admin = (part.split("=", 1)[1] for part in first[:3])
    print(f"sandbox with {args.customers:,} customers ready in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rows = []
    try:
        client = stripe.StripeClient(key, base_addresses={"api": url}, max_network_retries=5)
        if not args.skip_naive:
            before = log_count(url, admin)
            t0 = time.perf_counter()
            pending = 0
            for sub in client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter():
                if sub.status != "canceled" and (sub.cancel_at_period_end or sub.cancel_at):
                    client.v1.customers.retrieve(sub.customer)
                    pending += 1
            naive_s = time.perf_counter() - t0
            rows.append(("naive SDK loop", log_count(url, admin) - before, naive_s))
        # before: list pages decoded by the SDK (OrderedDict) and its debug line built for every body; now: plain
        # JSON (stripe_gateway/pages.py) and the debug line only when debug logging is on. One run each.
        from stripe import _api_requestor, _util

        quiet_debug = _api_requestor.log_debug
        decode_cpu = {}
        for label, fallback in (("before", [True]), ("now", [])):
            pages._FALLBACK[:] = fallback
            _api_requestor.log_debug = _util.log_debug if fallback else quiet_debug
            with tempfile.TemporaryDirectory() as tmp:
                ws = Workspace.connect(StripeGateway(key, url, max_retries=3), Path(tmp))
                t0, own0 = time.perf_counter(), cpu_seconds()
                done = ws.sync(full=True)
                decode_cpu[label] = (cpu_seconds() - own0, done.subscriptions, time.perf_counter() - t0)
                ws.close()
        pages._FALLBACK[:] = []
        _api_requestor.log_debug = quiet_debug
        with tempfile.TemporaryDirectory() as tmp:
            ws = Workspace.connect(StripeGateway(key, url, max_retries=3), Path(tmp))
            before = log_count(url, admin)
            t0, own0, sandbox0 = time.perf_counter(), cpu_seconds(), cpu_seconds(proc.pid)
            report = ws.sync(full=True)
            full_s = time.perf_counter() - t0
            own_cpu, sandbox_cpu = cpu_seconds() - own0, cpu_seconds(proc.pid) - sandbox0
            full_requests = log_count(url, admin) - before
            rows.append(("console full sync", full_requests, full_s))
            queue = ws.queue()
            for row in queue[:25]:
                client.v1.subscriptions.update(row.subscription_id, {"cancel_at_period_end": False})
            quiet = [
                s for s in client.v1.subscriptions.list({"limit": 100, "status": "active"}).data if not s.cancel_at_period_end
            ][:25]
            for sub in quiet:
                client.v1.subscriptions.update(sub.id, {"cancel_at_period_end": True})
            before = log_count(url, admin)
            t0 = time.perf_counter()
            inc = ws.sync()
            inc_s = time.perf_counter() - t0
            rows.append((f"incremental after 50 changes ({inc.events} events)", log_count(url, admin) - before, inc_s))
            subs = report.subscriptions
            ws.close()
    finally:
        proc.terminate()  # a large sandbox takes a while to let go of its memory: waited for, then killed
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    latency = args.latency_ms / 1000
    mode_rate = min(args.rate_limit, LIVE_MODE_RATE if key.startswith(("rk_live_", "sk_live_")) else TEST_MODE_RATE)
    print(
        f"\n{args.customers:,} customers ({subs:,} subscriptions cached), {args.latency_ms:.0f} ms latency, {args.rate_limit:.0f} requests/s, {CONCURRENCY} ranges\n"
    )
    print(f"The bound is max(requests ÷ rate, requests × latency ÷ concurrency) at {mode_rate:.0f} requests/s: the server's")
    print("limit, or the rate the console keeps to for the key's mode when lower (test keys: 25/s, Stripe's test-mode limit).\n")
    print("| run | requests | wall time | subscriptions/s | bound | time ÷ bound |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, requests, seconds in rows:
        if "incremental" in name:  # no bound worth a ratio: one or two requests
            print(f"| {name} | {requests:,} | {seconds:.1f} s | — | — | — |")
            continue
        concurrency = 1 if name.startswith("naive") else CONCURRENCY
        rate_used = args.rate_limit if name.startswith("naive") else mode_rate  # the naive loop has no bucket
        bound = max(requests / rate_used, requests * latency / concurrency)
        print(f"| {name} | {requests:,} | {seconds:.1f} s | {subs / seconds:,.0f} | {bound:.1f} s | {seconds / bound:.1f}× |")
    (b_cpu, b_subs, b_wall), (n_cpu, n_subs, n_wall) = decode_cpu["before"], decode_cpu["now"]
    print(
        "\n| console CPU in a full sync | before (the SDK decodes and logs each page) | now (orjson, no debug line) | now ÷ before |"
    )
    print("|---|---:|---:|---:|")
    print(
        f"| per 1,000 subscriptions | {b_cpu / b_subs * 1000:.2f} s | {n_cpu / n_subs * 1000:.2f} s | {n_cpu / n_subs / (b_cpu / b_subs):.2f} |"
    )
    print(f"| wall time | {b_wall:.1f} s | {n_wall:.1f} s | {n_wall / b_wall:.2f} |")
    if not args.skip_naive:
        print(f"\nnaive ÷ console full sync: {rows[0][2] / rows[1][2]:.1f}× (target ≥ 15×)")
    print(
        f"console full sync ÷ its bound: {rows[-2][2] / max(rows[-2][1] / mode_rate, rows[-2][1] * latency / CONCURRENCY):.1f}× (target ≤ 1.5×)"
    )
    print(f"incremental sync requests: {rows[-1][1]} (target ≤ 2)")
    floor = max(own_cpu, sandbox_cpu, (own_cpu + sandbox_cpu) / (os.cpu_count() or 1))
    print(
        f"\nCPU during the full sync: console {own_cpu:.1f} s, sandbox {sandbox_cpu:.1f} s on {os.cpu_count()} cores;"
        f" the CPU floor for its wall time is {floor:.1f} s, so the full sync is {rows[-2][2] / floor:.1f}× its CPU floor."
    )


if __name__ == "__main__":
    main()
