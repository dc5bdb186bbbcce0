"""Where a full sync's CPU goes: py-spy samples every thread of a process running one full sync while it holds the GIL (its CPU, not its waits) (the sandbox in
a process of its own), and the samples are summed by layer (the innermost frame of ours or of a library).

Run: .venv/bin/pip install py-spy && .venv/bin/python tests/benchmarks/profile_sync.py [--customers 20000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

CHILD = r"""
import sys, tempfile
from pathlib import Path
from console.services.workspace import Workspace
from console.stripe_gateway import StripeGateway
url, key = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    ws = Workspace.connect(StripeGateway(key, url, max_retries=3), Path(tmp))
    print(ws.sync(full=True).subscriptions)
    ws.close()
"""
LAYERS = (
    ("parsing the list pages (orjson, stripe_gateway/pages.py)", ("stripe_gateway/pages",)),
    ("the json module (the cache's row encoding, the SDK's other answers)", ("json/",)),
    (
        "the SDK's request and HTTP (stripe, requests, urllib3, http, ssl, socket)",
        ("stripe/_", "requests/", "urllib3/", "http/client", "ssl.py", "socket.py"),
    ),
    ("reading Stripe's objects (stripe_gateway/convert.py)", ("stripe_gateway/convert",)),
    ("MRR valuation (domain/mrr.py, store/valuation.py)", ("domain/mrr", "store/valuation")),
    ("the cache's rows and SQLite (store/)", ("console/store/",)),
    ("the rate limit's token bucket and waits (threading, time)", ("threading.py", "ratelimit", "pacing")),
    ("sync/: the page loop, intents and the timeline", ("console/sync/",)),
)


def layer(stack: str) -> str:
    for frame in reversed(stack.split(";")):
        for label, marks in LAYERS:
            if any(m in frame for m in marks):
                return label
    return "everything else"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "console", "sandbox", "--customers", str(args.customers)], stdout=subprocess.PIPE, text=True
    )
    try:
        url, key = (part.split("=", 1)[1] for part in sandbox.stdout.readline().split()[:2])
        with tempfile.NamedTemporaryFile(suffix=".txt") as out:
            subprocess.run(
                [spy, "record", "--threads", "--gil", "--rate", "200", "--format", "raw", "-o", out.name, "--",
                 sys.executable, "-c", CHILD, url, key],
                check=True, capture_output=True,
            )  # fmt: skip
            samples: Counter[str] = Counter()
            leaves: Counter[str] = Counter()
            for line in Path(out.name).read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                if not count.isdigit():
                    continue
                samples[layer(stack)] += int(count)
                leaves[stack.split(";")[-1]] += int(count)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    total = sum(samples.values())
    print(f"\nA full sync of {args.customers:,} customers' subscriptions: {total:,} CPU samples of the console (200/s)\n")
    print("| where the console's CPU went | share |")
    print("|---|---:|")
    for label, count in samples.most_common():
        print(f"| {label} | {count / total:.0%} |")
    print("\n| the functions sampled most (innermost Python frame) | share |")
    print("|---|---:|")
    for frame, count in leaves.most_common(10):
        print(f"| `{frame}` | {count / total:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
