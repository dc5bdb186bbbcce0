"""The least time a queue can take to list, for bench_sync.py to report beside the console's: a whole process.

Run: STRIPE_API_KEY=rk_… .venv/bin/python tests/benchmarks/queue_bound.py URL CUTS
Reads only the subscriptions Stripe lists by default (where the pending cancellations are), with the console's
expansions (the queue shows each customer), over ranges that each fill one page: CUTS, a JSON list of created times
from a cache that already knows where every one was made, which a first sync does not. Every range is in flight at
once under a 25 requests/s schedule with no burst (the console's pacing); no events cursor, coupons or anything else
first; the standard library only (no SDK to import, no objects built: JSON parsed, nothing kept). Prints what it read.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

RATE = 25.0
EXPAND = ("data.customer", "data.discounts", "data.cancellation_details.feedback_option")  # the console's (gateway.py)


class Schedule:
    """One request every 1/RATE seconds, in the order asked (no burst)."""

    def __init__(self) -> None:
        self.due, self.lock = time.monotonic(), threading.Lock()

    def take(self) -> None:
        with self.lock:
            at = max(self.due, time.monotonic())
            self.due = at + 1 / RATE
        time.sleep(max(0.0, at - time.monotonic()))


def main() -> None:
    url, cuts = sys.argv[1], json.loads(sys.argv[2])
    key, schedule = os.environ["STRIPE_API_KEY"], Schedule()

    def read(lo: int, hi: int) -> int:
        params = [("limit", "100"), ("created[gte]", str(lo)), ("created[lt]", str(hi))] + [("expand[]", e) for e in EXPAND]
        n = 0
        while True:
            schedule.take()
            request = urllib.request.Request(f"{url}/v1/subscriptions?{urllib.parse.urlencode(params)}")
            request.add_header("Authorization", f"Bearer {key}")
            with urllib.request.urlopen(request) as response:
                page = json.load(response)
            n += len(page["data"])
            if not page["has_more"]:
                return n
            params = [p for p in params if p[0] != "starting_after"] + [("starting_after", page["data"][-1]["id"])]

    ranges = list(zip(cuts, cuts[1:], strict=False))
    with ThreadPoolExecutor(len(ranges)) as pool:
        listed = sum(pool.map(lambda r: read(*r), ranges))
    print(json.dumps({"subscriptions": listed, "ranges": len(ranges)}))


if __name__ == "__main__":
    main()
