"""Start-up: `churn-console --version`, `queue` on a cached account, and the window's first paint of the cached
queue, each timed from process start (a fresh process per run, medians).

Run: .venv/bin/python tests/benchmarks/bench_startup.py [--subscriptions 20000] [--runs 5]
Baselines measured in the same run: the bare interpreter (`python -c pass`, what no change can go below) and
"before": the same command after importing what every command imported up front until 0.2 (the SDK, SQLite,
the keyring, the outcome report, logging), so the ratio shows what importing lazily saves.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import cached_account  # noqa: E402

EAGER = (
    "import console.services.operations, console.services.keys, console.services.portal, "
    "console.services.outcomes_report, console.logs, console.services.session"
)
PAINT = r"""
import json, sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from console.errors import Offline
from console.ui.app import application
from console.ui.main_window import MainWindow
app = application()
marks = {}
class Watch(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "paint" not in marks and window.queue.model.rowCount():
            marks["paint"] = time.time()
            print(json.dumps({"paint": marks["paint"], "rows": window.queue.model.rowCount()}), flush=True)
            QTimer.singleShot(0, app.quit)
        return False
def offline():
    raise Offline("Could not reach Stripe.")
window = MainWindow(offline, Path(sys.argv[1]))
watch = Watch()
window.queue.table.viewport().installEventFilter(watch)
window.show()
QTimer.singleShot(60000, app.quit)
app.exec()
"""


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    return time.perf_counter() - t0


def first_paint(data: Path, env: dict[str, str]) -> float:
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-c", PAINT, str(data)], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("{"))
    return json.loads(line)["paint"] - started


def median(fn, runs: int) -> float:
    return statistics.median(fn() for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    data, _ = cached_account(args.subscriptions, args.subscriptions // 5)
    py, cli = sys.executable, [sys.executable, "-m", "console"]
    eager = [py, "-c", f"{EAGER}; import sys, console.cli; sys.exit(console.cli.main(sys.argv[1:]))"]
    queue = ["--data-dir", str(data), "queue"]
    rows = [
        ("interpreter alone (`python -c pass`)", median(lambda: timed([py, "-c", "pass"], env), args.runs), None, None),
        ("`churn-console --version`", median(lambda: timed(cli + ["--version"], env), args.runs),
         median(lambda: timed(eager + ["--version"], env), args.runs), 0.150),
        (f"`churn-console queue` on {args.subscriptions:,} cached", median(lambda: timed(cli + queue, env), args.runs),
         median(lambda: timed(eager + queue, env), args.runs), 0.400),
        (f"window: process start → first paint of the queue ({args.subscriptions:,} cached)",
         median(lambda: first_paint(data, env), args.runs), None, 1.0),
    ]  # fmt: skip
    print(f"\nstart-up, {args.runs} fresh processes each (median)\n")
    print("| measure | now | before (eager imports) | now ÷ before | target |")
    print("|---|---:|---:|---:|---:|")
    for label, now, before, target in rows:
        b = f"{before * 1000:,.0f} ms" if before else "—"
        ratio = f"{now / before:.2f}" if before else "—"
        t = f"≤ {target * 1000:,.0f} ms" if target else "—"
        print(f"| {label} | {now * 1000:,.0f} ms | {b} | {ratio} | {t} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
