"""What one subscription page costs the sandbox as it grows: the first page and the last (a `starting_after`
cursor near the end) of sandboxes of 2,000 to 40,000 customers, over HTTP with the SDK (medians of 20).

Run: .venv/bin/python tests/benchmarks/bench_sandbox_pages.py [--sizes 2000,10000,40000]
Baseline in the same run: the first page of each sandbox (the ratio last ÷ first stays near 1 when a page
costs what it returns; it grew with the range when each page filtered the whole list).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import stripe

from console.sandbox.app import Sandbox


def page_ms(client: stripe.StripeClient, params: dict) -> float:
    times = []
    for _ in range(20):
        t0 = time.perf_counter()
        client.v1.subscriptions.list(params)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000,40000")
    args = parser.parse_args()
    print("\n| customers | subscriptions | first page | last page | last ÷ first |")
    print("|---:|---:|---:|---:|---:|")
    for size in (int(x) for x in args.sizes.split(",")):
        with Sandbox(seed=9, customers=size) as sb:
            client = stripe.StripeClient(sb.key, base_addresses={"api": sb.url})
            ordered = sb.state.ordered("subscription")
            first = page_ms(client, {"limit": 100, "status": "all"})
            last = page_ms(client, {"limit": 100, "status": "all", "starting_after": ordered[-101]["id"]})
            print(f"| {size:,} | {len(ordered):,} | {first:.1f} ms | {last:.1f} ms | {last / first:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
