"""Wall time of N concurrent requests against the sandbox with injected latency, beside the serial bound.

Run: .venv/bin/python tests/benchmarks/bench_sandbox_concurrency.py [--requests 50] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import threading
import time

import stripe

from console.sandbox.app import Sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    with Sandbox(customers=50) as sb:
        sb.configure_faults(latency_ms=args.latency_ms)
        client = stripe.StripeClient(sb.key, base_addresses={"api": sb.url})
        client.v1.coupons.list({"limit": 1})  # warm the connection pool
        gate = threading.Barrier(args.requests)

        def one(_):
            gate.wait()
            return client.v1.coupons.list({"limit": 1})

        with concurrent.futures.ThreadPoolExecutor(max_workers=args.requests) as pool:
            t0 = time.perf_counter()
            list(pool.map(one, range(args.requests)))
            wall = time.perf_counter() - t0
        serial = args.requests * args.latency_ms / 1000
    print("| requests | latency | wall time | serial bound | serial ÷ wall | max in flight |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.requests} | {args.latency_ms:.0f} ms | {wall * 1000:.0f} ms | {serial * 1000:.0f} ms | {serial / wall:.1f}× | {sb.max_in_flight} |"
    )


if __name__ == "__main__":
    main()
