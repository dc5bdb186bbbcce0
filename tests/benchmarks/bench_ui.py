"""The queue at scale: 100,000 cached subscriptions (20,000 pending), measured beside their targets.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_ui.py [--subscriptions 100000] [--pending 20000]
Measures: upserting them into the store, the window showing the cached queue, a filter keystroke,
a sort, resident memory, and the GUI thread's longest stall (a 5 ms timer heartbeat) while the
window runs a full sync of a sandbox account (started in its own process, 60 ms latency, 100 r/s).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from synthetic import subscriptions  # noqa: E402

from console.domain.queue_filter import QueueFilter  # noqa: E402
from console.errors import Offline  # noqa: E402
from console.services.connection import Connection  # noqa: E402
from console.store import Cache  # noqa: E402
from console.stripe_gateway import StripeGateway  # noqa: E402
from console.ui.app import settle_heap  # noqa: E402
from console.ui.main_window import MainWindow  # noqa: E402
from console.ui.queue.model import COLUMNS  # noqa: E402


def heartbeat_during_sync(customers: int) -> tuple[float, int, float]:
    """The window's first full sync of a sandbox account; returns (longest GUI stall ms, subscriptions, seconds)."""
    cmd = [sys.executable, "-m", "console", "sandbox", "--customers", str(customers), "--latency-ms", "60", "--rate-limit", "100"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().split()
        url, key = first[0].split("=", 1)[1], first[1].split("=", 1)[1]
        data = Path(tempfile.mkdtemp(prefix="bench-heartbeat-"))
        clock, gaps = QElapsedTimer(), []
        beat = QTimer()
        beat.setInterval(5)
        beat.timeout.connect(lambda: (gaps.append(clock.restart()),))
        loop = QEventLoop()
        t0 = time.perf_counter()
        window = MainWindow(lambda: Connection(StripeGateway(key, url), url), data)  # its sync starts now, on a worker
        window.show()
        settle_heap()  # as console.ui.app.run does once the window is up
        clock.start()
        beat.start()
        window.synced.connect(lambda _report: loop.quit())
        window.sync_failed.connect(lambda error: (print(f"sync failed: {error}", file=sys.stderr), loop.quit()))
        loop.exec()
        window.overview_loaded.connect(loop.quit)  # the overview loads after the sync: wait for it too
        window.load_failed.connect(loop.quit)
        loop.exec()
        seconds = time.perf_counter() - t0
        beat.stop()
        subs = window.workspace.cache.counts()["subscriptions"] if window.workspace else 0
        window.close()
        return max(gaps[1:], default=0) - 5, subs, seconds
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=20_000)
    parser.add_argument("--sync-customers", type=int, default=20_000, help="sandbox size for the heartbeat (0 skips it)")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    cache = Cache.for_account(data, "acct_bench", False)
    subs = list(subscriptions(args.subscriptions, args.pending, random.Random(3)))
    t0 = time.perf_counter()
    for start in range(0, len(subs), 1000):  # as sync writes them: a page-sized transaction at a time
        cache.upsert_subscriptions(subs[start : start + 1000], synced_at=int(time.time()))
    upsert_s = time.perf_counter() - t0
    cache.close()
    (data / "last_account.json").write_text('{"id": "acct_bench", "name": "Bench", "livemode": false}')
    del subs

    def offline():
        raise Offline("Could not reach Stripe.")

    app = QApplication.instance() or QApplication([])
    t0 = time.perf_counter()
    window = MainWindow(offline, data)
    window.show()
    app.processEvents()
    shown_s = time.perf_counter() - t0
    rows = window.queue.model.rowCount()
    proxy = window.queue.proxy
    t0 = time.perf_counter()
    proxy.set_filter(QueueFilter(text="olivia"))
    filter_s = time.perf_counter() - t0
    proxy.set_filter(QueueFilter())
    t0 = time.perf_counter()
    window.queue.table.sortByColumn(COLUMNS.index("Customer"), Qt.SortOrder.AscendingOrder)
    sort_s = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    del window
    stall_ms, synced, sync_s = heartbeat_during_sync(args.sync_customers) if args.sync_customers else (None, 0, 0)
    print(f"\n{args.subscriptions:,} cached subscriptions, {rows:,} pending in the queue\n")
    print("| measure | result | target |")
    print("|---|---:|---:|")
    print(f"| upsert {args.subscriptions:,} subscriptions into the store | {upsert_s:.2f} s | ≤ 3 s |")
    print(f"| window shown with the cached queue | {shown_s:.2f} s | ≤ 1.5 s |")
    print(f"| a filter keystroke | {filter_s * 1000:.0f} ms | ≤ 50 ms |")
    print(f"| a sort | {sort_s * 1000:.0f} ms | ≤ 200 ms |")
    print(f"| resident memory (peak) | {rss_mb:.0f} MB | ≤ 400 MB |")
    if stall_ms is not None:
        print(
            f"| longest GUI stall during a full sync of {synced:,} subscriptions ({sync_s:.0f} s) | {stall_ms:.0f} ms | ≤ 50 ms |"
        )


if __name__ == "__main__":
    main()
