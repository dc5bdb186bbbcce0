"""The queue's refresh after an action, on the GUI thread: as it was (read and rebuilt there) and as it is
(announced; a worker reads, the GUI thread only swaps the table in). Cached subscriptions from bench_ui's generator.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_refresh_after_action.py [--subscriptions 100000]
Prints, for each way, the GUI thread's longest stall (a 2 ms heartbeat) and the time until the new table is in.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from synthetic import subscriptions  # noqa: E402

from console.errors import Offline  # noqa: E402
from console.services.changes import AFTER_ACTION  # noqa: E402
from console.services.queue_view import QueueData  # noqa: E402
from console.store import Cache  # noqa: E402
from console.ui.main_window import MainWindow  # noqa: E402
from console.ui.queue.table import PreparedQueue  # noqa: E402


def measure(window: MainWindow, start) -> tuple[float, float]:
    """(longest GUI stall ms, ms until the queue's table is in) for a refresh begun by `start()`."""
    clock, beat, gaps = QElapsedTimer(), QTimer(), []
    beat.setInterval(2)
    beat.timeout.connect(lambda: gaps.append(clock.restart()))
    loop = QEventLoop()
    window.queue.refreshed.connect(loop.quit)
    t0 = time.perf_counter()
    clock.start()
    beat.start()
    QTimer.singleShot(0, start)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    took = (time.perf_counter() - t0) * 1000
    window.queue.refreshed.disconnect(loop.quit)
    for _ in range(20):  # the journal's refresh, announced with the queue's, lands too
        QApplication.processEvents()
        time.sleep(0.01)
    beat.stop()
    return max(gaps, default=0), took


def old_way(window: MainWindow) -> None:
    """What reload_queue() did after every action, all on the GUI thread."""
    data = QueueData.read(window.workspace)
    window.queue.show_data(data, PreparedQueue.build(data.rows, offers=data.offers))
    window.journal_page.set_actions(window.workspace.journal.all(limit=500))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--pending", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-refresh-"))
    cache = Cache.for_account(data, "acct_bench", False)
    subs = list(subscriptions(args.subscriptions, args.pending, random.Random(3)))
    for start in range(0, len(subs), 1000):
        cache.upsert_subscriptions(subs[start : start + 1000], synced_at=int(time.time()))
    cache.close()
    (data / "last_account.json").write_text('{"id": "acct_bench", "name": "Bench", "livemode": false}')
    del subs

    def offline():
        raise Offline("Could not reach Stripe.")

    app = QApplication.instance() or QApplication([])
    window = MainWindow(offline, data)
    window.show()
    for _ in range(50):
        app.processEvents()
    results = {"before": [], "now": []}
    for _ in range(args.runs):
        results["before"].append(measure(window, lambda: old_way(window)))
        results["now"].append(measure(window, lambda: window.bus.announce(AFTER_ACTION)))
    rows = window.queue.model.rowCount()
    window.close()
    print(f"\n{args.subscriptions:,} cached subscriptions, {rows:,} in the queue; {args.runs} refreshes each (median)\n")
    print("| the queue's refresh after an action | before | now | now ÷ before |")
    print("|---|---:|---:|---:|")
    for i, label in ((0, "longest GUI-thread stall"), (1, "until the new table is in")):
        before = statistics.median(r[i] for r in results["before"])
        now = statistics.median(r[i] for r in results["now"])
        print(f"| {label} | {before:,.0f} ms | {now:,.0f} ms | {now / before:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
