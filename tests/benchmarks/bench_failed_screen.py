"""The Failed payments tab as a person sees it (issue 33 §4), measured from outside the window's process as
bench_screen.py measures the churn queue: the window on Xvfb, XTest input, the screen's pixels polled; beside a bare
PySide6 window with two tabs whose second holds the same cache's first 200 failed payments, alternated in one run.

Run: .venv/bin/python tests/benchmarks/bench_failed_screen.py [--subscriptions 1000000] [--failing 50000] [--rounds 3]
Measures, medians over the rounds (the worst where a stall matters):
- click on the tab → its first rows on screen (the window opened offline on the cache, the churn queue loaded);
- keystroke → filtered table on screen, ten keys into the tab's search box;
- first click on a column header → sorted rows on screen (four columns);
- typing right after the click on the tab, while its rows are read: each key's echo (the worst);
- the window's peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from bench_screen import H, Screen, W, Window, XTest, alternated, inner, on_display, stop_display  # noqa: E402

CONSOLE = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from console.errors import Offline
from console.ui.app import application
from console.ui.main_window import MainWindow
from console.ui.failed.model import COLUMNS
app = application()
def offline():
    raise Offline("Could not reach Stripe.")
window = MainWindow(offline, Path(sys.argv[1]))
window.resize(WIDTH, HEIGHT); window.move(0, 0); window.show()
def at(widget, x, y):
    p = widget.mapToGlobal(widget.rect().topLeft()); return [p.x() + x, p.y() + y]
def where():
    bar = window.tabs.tabBar()
    tab = bar.tabRect(window.tabs.indexOf(window.failed_tab)).center()
    out = {"loaded": window.queue._reading is None and window.queue.model.rowCount() > 0, "tab": at(bar, tab.x(), tab.y())}
    page = window.failed_tab.built
    if page is not None and page.model.rowCount():
        header, search = page.table.horizontalHeader(), page.filters.search
        out.update(failed=True, complete=page.complete, search=at(search, 0, 0) + [search.width(), search.height()],
                   band=at(page.table.viewport(), 0, 0) + [page.table.viewport().width(), page.table.viewport().height()],
                   headers={c: at(header, header.sectionViewportPosition(COLUMNS.index(c)) + header.sectionSize(COLUMNS.index(c)) // 2, header.height() // 2) for c in ("Customer", "Due", "Tries", "Next step")})
    print(json.dumps(out), flush=True)
    QTimer.singleShot(200, where)
QTimer.singleShot(0, where)
app.exec()
""".replace("WIDTH", str(W)).replace("HEIGHT", str(H))

BARE = r"""
import json, sqlite3, sys
from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLineEdit, QTabWidget, QTableView, QVBoxLayout, QWidget
app = QApplication([])
db = sqlite3.connect(sys.argv[1])
def table_of(rows, labels):
    model = QStandardItemModel(len(rows), len(labels)); model.setHorizontalHeaderLabels(labels)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            model.setItem(r, c, QStandardItem(str(value)))
    proxy = QSortFilterProxyModel(); proxy.setSourceModel(model); proxy.setFilterKeyColumn(-1)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    page = QWidget(); layout = QVBoxLayout(page)
    search = QLineEdit(); search.textChanged.connect(proxy.setFilterFixedString); layout.addWidget(search)
    table = QTableView(); table.setModel(proxy); table.setSortingEnabled(True); layout.addWidget(table)
    return page, search, table
queue = db.execute("SELECT customer_name, customer_email, plan, mrr_minor FROM subscriptions WHERE pending = 1 LIMIT 200").fetchall()
failed = db.execute("SELECT s.customer_name, f.amount_due, s.mrr_minor, f.attempt_count, f.currency, f.created, f.id "
                    "FROM failed_invoices f JOIN subscriptions s ON s.id = f.subscription_id LIMIT 200").fetchall()
tabs = QTabWidget()
first, _, _ = table_of(queue, ["Customer", "E-mail", "Plan", "MRR"])
second, search, table = table_of(failed, ["Customer", "Due", "MRR", "Tries", "Currency", "Created", "Invoice"])
tabs.addTab(first, "Queue"); tabs.addTab(second, "Failed payments")
tabs.resize(WIDTH, HEIGHT); tabs.move(0, 0); tabs.show()
def at(widget, x, y):
    p = widget.mapToGlobal(widget.rect().topLeft()); return [p.x() + x, p.y() + y]
def where():
    bar = tabs.tabBar(); tab = bar.tabRect(1).center()
    out = {"loaded": True, "tab": at(bar, tab.x(), tab.y())}
    if tabs.currentIndex() == 1:
        header = table.horizontalHeader()
        names = {"Customer": 0, "Due": 1, "Tries": 3, "Next step": 6}
        out.update(failed=True, complete=True, search=at(search, 0, 0) + [search.width(), search.height()],
                   band=at(table.viewport(), 0, 0) + [table.viewport().width(), table.viewport().height()],
                   headers={k: at(header, header.sectionViewportPosition(i) + header.sectionSize(i) // 2, header.height() // 2) for k, i in names.items()})
    print(json.dumps(out), flush=True)
    QTimer.singleShot(200, where)
QTimer.singleShot(0, where)
app.exec()
""".replace("WIDTH", str(W)).replace("HEIGHT", str(H))


def wait(window: Window, key: str, timeout: float = 180.0) -> dict:
    began = time.perf_counter()
    while not window.where.get(key) and time.perf_counter() - began < timeout:
        time.sleep(0.01)
    if not window.where.get(key):
        raise SystemExit(f"the window never said {key}")
    return window.where


def calibrate(kind: str, data: Path, cache_file: Path, env: dict[str, str], screen: Screen, x: XTest) -> dict:
    """Where the tab's widgets are once it is shown (a launch not timed)."""
    window = Window(CONSOLE if kind == "console" else BARE, str(data if kind == "console" else cache_file), env)
    try:
        wait(window, "loaded")
        screen.settle([0, 0, W, H], quiet=1.0)
        x.click(*window.where["tab"])
        wait(window, "complete")
        screen.settle([0, 0, W, H], quiet=1.0)
        time.sleep(0.5)
        return dict(window.where)
    finally:
        window.close()


def round_of(kind: str, where: dict, data: Path, cache_file: Path, env: dict[str, str], screen: Screen, x: XTest) -> dict:
    script, arg = (CONSOLE, str(data)) if kind == "console" else (BARE, str(cache_file))
    rows_rect = inner(where["band"])
    out: dict = {}
    window = Window(script, arg, env)
    try:
        wait(window, "loaded")
        screen.settle([0, 0, W, H], quiet=1.0)
        t = time.perf_counter()
        x.click(*where["tab"])
        frames = []  # the tab's first rows: the frames until the whole queue is in and the rows are still a while
        while time.perf_counter() - t < 120:
            frames.append((time.perf_counter() - t, screen.frame(rows_rect)))
            if window.where.get("complete") and frames[-1][0] - _since(frames) > 0.5:
                break
        out["tab_rows_ms"] = _since(frames) * 1000  # the first frame of the rows the tab settles on
        screen.settle([0, 0, W, H], quiet=0.5)
        left, top, _, height = where["search"]
        x.click(left + 40, top + height // 2)
        screen.settle([0, 0, W, H], quiet=0.3)
        keys = []
        for letter in "zqjzq":
            for key in (letter, "BackSpace"):
                before = screen.frame(rows_rect)
                t = time.perf_counter()
                x.key(key)
                keys.append(screen.until_changed(rows_rect, before, t, timeout=5.0))
                screen.settle(rows_rect, quiet=0.3)
        out["keys_ms"] = [k * 1000 for k in keys]  # inf: the screen never changed
        out["key_ms"], out["key_worst_ms"] = statistics.median(keys) * 1000, max(keys) * 1000
        sorts = []
        for column in ("Customer", "Due", "Tries", "Next step"):
            before = screen.frame(rows_rect)
            t = time.perf_counter()
            x.click(*where["headers"][column])
            sorts.append(screen.until_changed(rows_rect, before, t, timeout=10.0))
            screen.settle(rows_rect, quiet=0.3)
        out["sorts_ms"] = [k * 1000 for k in sorts]
        out["sort_ms"], out["sort_worst_ms"] = statistics.median(sorts) * 1000, max(sorts) * 1000
        out["peak_mb"] = window.peak_mb()
    finally:
        window.close()
    window = Window(script, arg, env)
    try:  # typing right after the click on the tab, while its rows are read and prepared
        wait(window, "loaded")
        screen.settle([0, 0, W, H], quiet=1.0)
        x.click(*where["tab"])
        left, top, _, height = where["search"]
        x.click(left + 40, top + height // 2)
        echoes = []
        for letter in "zqjzq":
            for key in (letter, "BackSpace"):
                before = screen.frame(where["search"])
                t = time.perf_counter()
                x.key(key)
                echoes.append(screen.until_changed(where["search"], before, t, timeout=5.0))
                time.sleep(0.05)
        out["echoes_ms"] = [k * 1000 for k in echoes]
        out["echo_ms"] = max(echoes) * 1000
    finally:
        window.close()
    return out


def _since(frames: list[tuple[float, bytes]]) -> float:
    """When the last run of equal frames began (the rows as they settle)."""
    last, at = frames[-1][1], frames[-1][0]
    for t, f in reversed(frames):
        if f != last:
            break
        at = t
    return at


ROWS = [
    ("click on the tab → its rows on screen", "tab_rows_ms", "ms", "≤ 2.5× bare"),
    ("keystroke → filtered table on screen (median of 10)", "key_ms", "ms", "≤ 50 ms"),
    ("keystroke → filtered table, the worst", "key_worst_ms", "ms", "≤ 50 ms"),
    ("first click on a column → sorted (median of 4)", "sort_ms", "ms", "≤ 100 ms"),
    ("first click on a column → sorted, the worst", "sort_worst_ms", "ms", "≤ 100 ms"),
    ("typing right after the click on the tab: the slowest echo", "echo_ms", "ms", "≤ 50 ms"),
    ("window peak memory (VmHWM)", "peak_mb", "MB", "≤ 500 MB"),
]


def measure(data: Path, rounds: int) -> dict[str, list[dict]]:
    """The console and the bare window, `rounds` times alternated, on a data dir with failures (add_failures)."""
    env, xvfb = on_display()
    try:
        cache_file = next(data.glob("*-test.sqlite3"))
        screen, x = Screen(), XTest(env["DISPLAY"])
        where = {kind: calibrate(kind, data, cache_file, env, screen, x) for kind in ("console", "bare")}
        return alternated(rounds, lambda kind: round_of(kind, where[kind], data, cache_file, env, screen, x))
    finally:
        stop_display(xvfb)


def table_rows(results: dict[str, list[dict]]) -> list[tuple[str, str, str, str, str]]:
    """(measure, console, bare, console ÷ bare, target): medians over the rounds."""
    out = []
    for label, key, unit, target in ROWS:
        c = statistics.median(r[key] for r in results["console"])
        b = statistics.median(r[key] for r in results["bare"])
        out.append((label, f"{c:,.0f} {unit}", f"{b:,.0f} {unit}", f"{c / b:.1f}×", target))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--failing", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, help="a data dir made by synthetic.cached_account and add_failures")
    args = parser.parse_args()
    from installed import as_installed

    as_installed()
    data = args.data
    if data is None:
        from synthetic import add_failures, cached_account

        data, _ = cached_account(args.subscriptions, args.subscriptions // 5)
        add_failures(data, args.subscriptions, args.failing)
    results = measure(data, args.rounds)
    print(
        f"\n{args.subscriptions:,} cached subscriptions, {args.failing:,} failing; medians of {args.rounds} alternated rounds\n"
    )
    print("| measure (on Xvfb, XTest input, screen polled) | console | bare PySide6 window | console ÷ bare | target |")
    print("|---|---:|---:|---:|---|")
    for row in table_rows(results):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
