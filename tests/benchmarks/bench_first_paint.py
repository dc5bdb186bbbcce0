"""How long the demo window stays unpainted (black on a desktop) after it is shown, and how long to the cached queue.

Run: .venv/bin/python tests/benchmarks/bench_first_paint.py [--runs 5]   (under a display, or offscreen)
Each run is a fresh process on a fresh demo data dir. "before" is the order the window used to start in
(connect at once, settle the heap after show); "now" is the window as it is (heap settled before show, the
first connect after the first paint). Medians, with the ratio to "before" measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time, tempfile
from pathlib import Path
t0 = time.perf_counter()
from PySide6.QtCore import QEvent, QObject, QTimer
from console.services.connection import open_demo
from console.ui.app import application, settle_heap
from console.ui.main_window import MainWindow
old = sys.argv[1] == "before"
app = application()
data = Path(tempfile.mkdtemp(prefix="bench-paint-"))
marks = {}
class Watch(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.perf_counter()
        return False
window = MainWindow(lambda: open_demo(data), data)
watch = Watch()
window.installEventFilter(watch)
if old:
    window._started = True
    window.refresh()
else:
    settle_heap()
marks["show"] = time.perf_counter()
window.show()
if old:
    settle_heap()
def loaded(_ov):
    marks["loaded"] = time.perf_counter()
    print(json.dumps({"unpainted": marks["paint"] - marks["show"], "loaded": marks["loaded"] - t0}))
    window.close()
    app.quit()
window.overview_loaded.connect(loaded)
QTimer.singleShot(60000, app.quit)
app.exec()
"""


def run(mode: str) -> dict[str, float]:
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, env=env, timeout=120, cwd=tempfile.gettempdir()
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("{"))
    return json.loads(line)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {mode: [run(mode) for _ in range(args.runs)] for mode in ("before", "now")}
    print(f"| demo window, {args.runs} runs (median) | before | now | now ÷ before |")
    print("|---|---:|---:|---:|")
    for key, label in (("unpainted", "shown → first paint"), ("loaded", "process start → queue and overview loaded")):
        before = statistics.median(r[key] for r in results["before"])
        now = statistics.median(r[key] for r in results["now"])
        print(f"| {label} | {before * 1000:,.0f} ms | {now * 1000:,.0f} ms | {now / before:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
