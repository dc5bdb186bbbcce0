"""The baseline a full sync is measured against: a plain script that reads the same data as simply as it can be read.

Run: STRIPE_API_KEY=rk_… .venv/bin/python tests/benchmarks/plain_sync.py URL [--naive]
Plain: every subscription in pages of 100 over 8 created ranges (cut where the data is: the script is told the
account's creation times, which the console is not: the baseline is the kinder one), then each saved or metered pending subscription's invoices,
8 requests in flight, under a 25 requests/s token bucket. Beside them, the failed payments' data the console reads
since issue 33 (`--failed`): the open invoices Stripe charges, each failing one's decline (its InvoicePayments with
their PaymentIntents), the last 30 days' failures from the events, and how each that is no longer open ended. --naive: the SDK's auto-paging loop and one customer
read per pending cancellation, one request at a time (seed 003's recipe). Prints what it read, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable
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


def plain(client: stripe.StripeClient, cuts: list[int], failed: bool = True) -> dict[str, int]:
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
        reads = [
            pool.submit(listed, client.v1.invoices, {"subscription": sub, "limit": 100, "created": {"gte": since}})
            for sub, since in wanted.items()
        ]
        out = {"subscriptions": len(subs), "invoice_lists": len(wanted)}
        if failed:
            out |= failed_payments(client, pool, listed)
        for read in reads:
            read.result()
    return out


def failed_payments(client: stripe.StripeClient, pool: ThreadPoolExecutor, listed: Callable[..., list]) -> dict[str, int]:
    """What the failed-payments desk and the recovery report need, read as plainly: the open invoices and the last
    30 days' failures (two lists side by side), then a read per failing invoice (its decline) and per failed one no
    longer open (how it ended), in flight with the rest."""
    opened = pool.submit(
        listed, client.v1.invoices, {"status": "open", "collection_method": "charge_automatically", "limit": 100}
    )
    since = int(time.time()) - 30 * 86400
    events = pool.submit(listed, client.v1.events, {"type": "invoice.payment_failed", "created": {"gte": since}, "limit": 100})
    failing = [i.id for i in opened.result() if i.attempt_count]
    ended = {e.data.object["id"] for e in events.result()} - {i.id for i in opened.result()}
    expand = ["data.payment.payment_intent"]
    reads = [pool.submit(listed, client.v1.invoice_payments, {"invoice": i, "limit": 10, "expand": expand}) for i in failing]
    reads += [pool.submit(listed, client.v1.invoice_payments, {"invoice": i, "limit": 10}) for i in sorted(ended)]
    for read in reads:
        read.result()
    return {"declines": len(failing), "outcomes": len(ended)}


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
    parser.add_argument("--no-failed", action="store_true", help="without the failed payments' data (issue 32's script)")
    args = parser.parse_args()
    client = stripe.StripeClient(os.environ["STRIPE_API_KEY"], base_addresses={"api": args.url}, max_network_retries=5)
    print(json.dumps(naive(client) if args.naive else plain(client, json.loads(args.cuts), not args.no_failed)))


if __name__ == "__main__":
    main()
