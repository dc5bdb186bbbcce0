"""The baseline a full sync is measured against: a plain script that reads the same data as simply as it can be read.

Run: STRIPE_API_KEY=rk_… .venv/bin/python tests/benchmarks/plain_sync.py URL [--naive]
Plain: every subscription in pages of 100 over 8 created ranges (cut where the data is: the script is told the
account's creation times, which the console is not: the baseline is the kinder one), then each saved or metered pending subscription's invoices,
8 requests in flight, under a 25 requests/s token bucket. --naive: the SDK's auto-paging loop and one customer
read per pending cancellation, one request at a time (seed 003's recipe). Prints what it read, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import stripe

FLIGHT, RATE, PARTS = 8, 25.0, 8


class Bucket:
    def __init__(self, rate: float) -> None:
        self.rate, self.tokens, self.at, self.lock = rate, 1.0, time.monotonic(), threading.Lock()

    def take(self) -> None:
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(1.0, self.tokens + (now - self.at) * self.rate)
                self.at = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
            time.sleep(1 / self.rate / 4)


def plain(client: stripe.StripeClient, cuts: list[int]) -> dict[str, int]:
    bucket = Bucket(RATE)

    def listed(make: object, params: dict) -> list:
        out = []
        while True:
            bucket.take()
            page = make.list(params)  # type: ignore[attr-defined]
            out.extend(page.data)
            if not page.has_more:
                return out
            params = {**params, "starting_after": page.data[-1].id}

    ranges = list(zip(cuts, cuts[1:], strict=False))
    with ThreadPoolExecutor(FLIGHT) as pool:
        parts = pool.map(
            lambda r: listed(client.v1.subscriptions, {"limit": 100, "status": "all", "created": {"gte": r[0], "lt": r[1]}}),
            ranges,
        )
        subs = [s for part in parts for s in part]
        wanted = {}
        for s in subs:
            at = s.metadata.to_dict().get("churn_console_at") if s.metadata else None
            metered = any(i.price.recurring and i.price.recurring.usage_type == "metered" for i in s["items"].data)
            if at:
                from datetime import datetime

                wanted[s.id] = int(datetime.fromisoformat(at).timestamp())
            elif metered and (s.cancel_at_period_end or s.cancel_at):
                wanted[s.id] = 0
        list(
            pool.map(
                lambda item: listed(client.v1.invoices, {"subscription": item[0], "limit": 100, "created": {"gte": item[1]}}),
                wanted.items(),
            )
        )
    return {"subscriptions": len(subs), "invoice_lists": len(wanted)}


def naive(client: stripe.StripeClient) -> dict[str, int]:
    pending = 0
    for sub in client.v1.subscriptions.list({"limit": 100, "status": "all"}).auto_paging_iter():
        if sub.status != "canceled" and (sub.cancel_at_period_end or sub.cancel_at):
            client.v1.customers.retrieve(sub.customer)
            pending += 1
    return {"pending": pending}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--naive", action="store_true")
    parser.add_argument("--cuts", help="JSON list of created times cutting the account's subscriptions into 8 ranges")
    args = parser.parse_args()
    client = stripe.StripeClient(os.environ["STRIPE_API_KEY"], base_addresses={"api": args.url}, max_network_retries=5)
    print(json.dumps(naive(client) if args.naive else plain(client, json.loads(args.cuts))))


if __name__ == "__main__":
    main()
