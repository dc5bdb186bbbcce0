"""What a person sees, measured from outside the window's process: the queue window on an X server (Xvfb), driven by
XTest input (libXtst, as xdotool sends it), timed by polling the screen's pixels, beside a bare PySide6 window showing
the same cache's first 200 pending rows, the two alternated in the same run.

Run: .venv/bin/python tests/benchmarks/bench_screen.py [--subscriptions 1000000] [--rounds 3] [--data DIR]
Needs Xvfb and libXtst (`apt-get install xvfb libxtst6`); starts its own Xvfb when DISPLAY is unset.
Measures, medians over the rounds (and the worst where a stall matters):
- process start → rows on screen: the first frame whose table band is the band the window settles on;
- keystroke → filtered table on screen: a letter, then BackSpace, into the search box (Ctrl+F), ten keys a round,
  once the window holds the whole queue;
- first click on a column header → sorted rows on screen (four columns, each clicked for the first time);
- typing while the rest of the queue is still being read: each key's echo in the search box (the worst), and each
  key's filtered table (the worst: reported, no target; the window then shares the interpreter with the reader);
- the window process's peak memory (VmHWM, read from /proc by this process).
The window is opened on the cache with Stripe out of reach (a relaunch offline): the cached queue, no sync.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).parent
W, H = 1600, 1000

CONSOLE = r"""
import json, sys
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
from console.errors import Offline
from console.ui.app import application
from console.ui.main_window import MainWindow
from console.ui.queue.model import COLUMNS
app = application()
def offline():
    raise Offline("Could not reach Stripe.")
window = MainWindow(offline, Path(sys.argv[1]))
window.resize(WIDTH, HEIGHT)
window.move(0, 0)
window.show()
def where():
    page = window.queue
    if not page.model.rowCount():
        return QTimer.singleShot(20, where)
    header = page.table.horizontalHeader()
    def at(widget, x, y):
        p = widget.mapToGlobal(widget.rect().topLeft()); return [p.x() + x, p.y() + y]
    search = page.filters.search
    out = {"loaded": page._reading is None, "search": at(search, 0, 0) + [search.width(), search.height()],
           "band": at(page.table.viewport(), 0, 0) + [page.table.viewport().width(), page.table.viewport().height()],
           "headers": {c: at(header, header.sectionViewportPosition(COLUMNS.index(c)) + header.sectionSize(COLUMNS.index(c)) // 2, header.height() // 2) for c in ("Customer", "Days left", "Reason", "Tenure")}}
    print(json.dumps(out), flush=True)
    QTimer.singleShot(300, where)  # again as the layout settles (the offline banner moves the table down)
QTimer.singleShot(0, where)
app.exec()
""".replace("WIDTH", str(W)).replace("HEIGHT", str(H))

BARE = r"""
import json, sqlite3, sys
from PySide6.QtCore import QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView, QVBoxLayout, QWidget
app = QApplication([])
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT customer_name, customer_email, plan, currency, mrr_minor, ends_at, created FROM subscriptions "
                  "WHERE pending = 1 ORDER BY currency, mrr_minor DESC LIMIT 200").fetchall()
model = QStandardItemModel(len(rows), 7)
model.setHorizontalHeaderLabels(["Customer", "E-mail", "Plan", "Currency", "MRR", "Ends", "Tenure"])
for r, row in enumerate(rows):
    for c, value in enumerate(row):
        model.setItem(r, c, QStandardItem(str(value)))
proxy = QSortFilterProxyModel(); proxy.setSourceModel(model); proxy.setFilterKeyColumn(-1)
proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
window = QWidget(); layout = QVBoxLayout(window)
search = QLineEdit(); search.textChanged.connect(proxy.setFilterFixedString); layout.addWidget(search)
table = QTableView(); table.setModel(proxy); table.setSortingEnabled(True); layout.addWidget(table)
window.resize(WIDTH, HEIGHT); window.move(0, 0); window.show()
def where():
    header = table.horizontalHeader()
    def at(widget, x, y):
        p = widget.mapToGlobal(widget.rect().topLeft()); return [p.x() + x, p.y() + y]
    names = {"Customer": 0, "Days left": 5, "Reason": 1, "Tenure": 6}  # the bare window's e-mail stands for the reason
    print(json.dumps({"loaded": True, "search": at(search, 0, 0) + [search.width(), search.height()],
                      "band": at(table.viewport(), 0, 0) + [table.viewport().width(), table.viewport().height()],
                      "headers": {k: at(header, header.sectionViewportPosition(i) + header.sectionSize(i) // 2, header.height() // 2) for k, i in names.items()}}), flush=True)
QTimer.singleShot(0, where)
app.exec()
""".replace("WIDTH", str(W)).replace("HEIGHT", str(H))


class XTest:
    """Real input through the X server's XTest extension (what xdotool sends), from this process."""

    def __init__(self, display: str) -> None:
        self.x11 = ctypes.CDLL("libX11.so.6")
        self.tst = ctypes.CDLL("libXtst.so.6")
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XStringToKeysym.restype = ctypes.c_ulong
        self.x11.XKeysymToKeycode.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        self.x11.XFlush.argtypes = [ctypes.c_void_p]
        self.tst.XTestFakeKeyEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
        self.tst.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]
        self.tst.XTestFakeMotionEvent.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_ulong]
        self.d = self.x11.XOpenDisplay(display.encode())
        if not self.d:
            raise SystemExit(f"cannot open display {display}")

    def _code(self, name: str) -> int:
        return int(self.x11.XKeysymToKeycode(self.d, self.x11.XStringToKeysym(name.encode())))

    def key(self, name: str, *mods: str) -> None:
        codes = [self._code(m) for m in mods] + [self._code(name)]
        for code in codes:
            self.tst.XTestFakeKeyEvent(self.d, code, 1, 0)
        for code in reversed(codes):
            self.tst.XTestFakeKeyEvent(self.d, code, 0, 0)
        self.x11.XFlush(self.d)

    def click(self, x: int, y: int) -> None:
        self.tst.XTestFakeMotionEvent(self.d, -1, x, y, 0)
        self.tst.XTestFakeButtonEvent(self.d, 1, 1, 0)
        self.tst.XTestFakeButtonEvent(self.d, 1, 0, 0)
        self.x11.XFlush(self.d)


NAP_S = 0.004  # between two grabs: see Screen.frame


class Screen:
    """The X server's pixels, read by this process (a Qt client of the same display, nothing shared with the window)."""

    def __init__(self) -> None:
        from PySide6.QtGui import QGuiApplication

        self.app = QGuiApplication.instance() or QGuiApplication([])
        self.screen = self.app.primaryScreen()

    def frame(self, rect: list[int]) -> bytes:
        """The pixels of `rect` now, after a nap of NAP_S. Xvfb serves its clients on one thread: grabs sent back to
        back queued ahead of the window's own requests and delayed what they timed: the console's first frame came at
        0.79 s with back-to-back grabs of the whole screen and 0.67 s with 10 ms naps, the bare window's at 0.21 s
        either way (the console sends many more requests). A screen nobody polls has no such queue."""
        time.sleep(NAP_S)
        image = self.screen.grabWindow(0, *rect).toImage()
        return hashlib.blake2b(bytes(image.constBits()), digest_size=16).digest()

    def until_changed(self, rect: list[int], before: bytes, since: float, timeout: float = 10.0) -> float:
        """Seconds from `since` to the first frame of `rect` that differs from `before` (inf on timeout)."""
        while time.perf_counter() - since < timeout:
            if self.frame(rect) != before:
                return time.perf_counter() - since
        return float("inf")

    def settle(self, rect: list[int], quiet: float = 0.4, timeout: float = 30.0) -> bytes:
        """Wait until `rect` has not changed for `quiet` seconds; its frame then."""
        last, since, began = self.frame(rect), time.perf_counter(), time.perf_counter()
        while time.perf_counter() - since < quiet and time.perf_counter() - began < timeout:
            now = self.frame(rect)
            if now != last:
                last, since = now, time.perf_counter()
        return last


class Window:
    """A window process on the display, and what it said about where its widgets are."""

    def __init__(self, script: str, arg: str, env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-c", script, arg], stdout=subprocess.PIPE, text=True, env=env)
        self.where: dict = {}
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout or ():
            if line.startswith("{"):
                self.where = json.loads(line)  # the latest: the layout settles after the first rows

    def wait_where(self, timeout: float = 120.0) -> dict:
        began = time.perf_counter()
        while not self.where and time.perf_counter() - began < timeout:
            time.sleep(0.01)
        if not self.where:
            raise SystemExit("the window never said where its widgets are")
        return self.where

    def wait_loaded(self, timeout: float = 120.0) -> None:
        """Until the window holds the whole queue (the console reads the rest on a worker after its first rows)."""
        began = time.perf_counter()
        while not self.where.get("loaded") and time.perf_counter() - began < timeout:
            time.sleep(0.01)

    def peak_mb(self) -> float:
        with open(f"/proc/{self.proc.pid}/status") as status:
            return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmHWM:"))

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


def focus(x: XTest, where: dict) -> None:
    left, top, _, height = where["search"]
    x.click(left + 40, top + height // 2)


def inner(band: list[int]) -> list[int]:
    """The first rows of a table's viewport, clear of the scroll bar (its length changes as the rest loads)."""
    x, y, w, h = band
    return [x + 4, y + 2, min(w - 40, 900), min(h - 4, 240)]


def first_rows(screen: Screen, window: Window, blank: bytes, rect: list[int]) -> float:
    """Process start → the first frame of `rect` (the table's first rows) that equals the frame it settles on."""
    frames: list[tuple[float, bytes]] = []
    while time.perf_counter() - window.started < 120:
        frame = screen.frame(rect)
        frames.append((time.perf_counter() - window.started, frame))
        if frame != blank and len(frames) > 1 and frames[-1][0] - _changed_at(frames) > 1.5:
            break
    final = frames[-1][1]
    return _changed_at(frames) if final != blank else float("inf")


def _changed_at(frames: list[tuple[float, bytes]]) -> float:
    """When the last run of equal frames began."""
    last = frames[-1][1]
    at = frames[-1][0]
    for t, f in reversed(frames):
        if f != last:
            break
        at = t
    return at


def calibrate(kind: str, data: Path, cache_file: Path, env: dict[str, str], screen: Screen) -> dict:
    """Where the window's widgets are (a launch not timed: the layout is the same at every launch)."""
    window = Window(CONSOLE if kind == "console" else BARE, str(data if kind == "console" else cache_file), env)
    try:
        window.wait_where()
        screen.settle([0, 0, W, H], quiet=1.0)
        time.sleep(0.5)
        return {**window.where, "search_frame": screen.frame(window.where["search"])}
    finally:
        window.close()


def round_of(kind: str, where: dict, data: Path, cache_file: Path, env: dict[str, str], screen: Screen, x: XTest) -> dict:
    """One window of `kind` (console or bare) from process start to closed: what a person sees, timed; then another,
    typed into while it is still reading the queue."""
    script, arg = (CONSOLE, str(data)) if kind == "console" else (BARE, str(cache_file))
    rows_rect = inner(where["band"])
    screen.settle([0, 0, W, H], quiet=0.2)
    blank_rows = screen.frame(rows_rect)
    window = Window(script, arg, env)
    out: dict = {}
    try:
        out["first_rows_s"] = first_rows(screen, window, blank_rows, rows_rect)
        window.wait_loaded()  # the keystrokes and sorts below are timed on the whole queue; typing during the load, after
        screen.settle([0, 0, W, H], quiet=1.0)
        focus(x, where)  # no window manager gives the window the keyboard: a click in the search box does
        screen.settle([0, 0, W, H], quiet=0.3)
        keys = []
        for letter in "zqjzq":  # each changes the first rows: no row, the comments, Elijah (Yuki tops a sort by name)
            for key in (letter, "BackSpace"):
                before = screen.frame(rows_rect)
                t = time.perf_counter()
                x.key(key)
                keys.append(screen.until_changed(rows_rect, before, t, timeout=5.0))
                screen.settle(rows_rect, quiet=0.3)
        out["keys_ms"] = [round(k * 1000) for k in keys]
        out["key_ms"] = statistics.median(keys) * 1000
        out["key_worst_ms"] = max(keys) * 1000
        sorts = []
        for column in ("Customer", "Days left", "Reason", "Tenure"):
            before = screen.frame(rows_rect)
            t = time.perf_counter()
            x.click(*where["headers"][column])
            sorts.append(screen.until_changed(rows_rect, before, t, timeout=10.0))
            screen.settle(rows_rect, quiet=0.3)
        out["sorts_ms"] = [round(k * 1000) for k in sorts]
        out["sort_ms"] = statistics.median(sorts) * 1000
        out["sort_worst_ms"] = max(sorts) * 1000
        out["peak_mb"] = window.peak_mb()
    finally:
        window.close()
    screen.settle([0, 0, W, H], quiet=0.2)
    window = Window(script, arg, env)
    try:  # typing from the moment the first rows show, while the rest of the queue is read
        # the search box where it settles (an offline banner above it moves it down once the first connect fails)
        while screen.frame(where["search"]) != where["search_frame"] and time.perf_counter() - window.started < 120:
            pass
        out["typing_from_s"] = time.perf_counter() - window.started
        focus(x, where)
        echoes, tables = [], []
        for letter in "zqjzq":  # each changes the first rows: no row, the comments, Elijah (Yuki tops a sort by name)
            for key in (letter, "BackSpace"):
                before, rows_before = screen.frame(where["search"]), screen.frame(rows_rect)
                t = time.perf_counter()
                x.key(key)
                echoes.append(screen.until_changed(where["search"], before, t, timeout=5.0))
                tables.append(screen.until_changed(rows_rect, rows_before, t, timeout=5.0))
                time.sleep(0.05)
        out["echoes_ms"] = [round(k * 1000) for k in echoes]
        out["echo_ms"] = max(echoes) * 1000
        out["loading_keys_ms"] = [round(k * 1000) for k in tables]
        out["loading_key_ms"] = max(tables) * 1000
    finally:
        window.close()
    return out


_OURS = ":87"  # the display of the Xvfb a run starts when it has none
_held: list[subprocess.Popen] = []  # that Xvfb, once per user of it (on_display ... stop_display)


def start_display() -> tuple[str, subprocess.Popen | None]:
    """This machine's X server, or an Xvfb started for the run: one for the whole process, kept while any bench uses
    it. The benches of one `./dev bench` run share it, as they share this process's Qt application (Screen), which
    stays bound to the display it first met: a second Xvfb after the first was stopped left the Failed payments
    tab's bench grabbing null images from a display gone ("cannot open display :87" before that)."""
    if os.environ.get("DISPLAY") and not _held:
        return os.environ["DISPLAY"], None
    if _held and _held[0].poll() is None:
        _held.append(_held[0])
        return _OURS, _held[0]
    if not shutil.which("Xvfb"):
        raise SystemExit("No DISPLAY and no Xvfb: apt-get install xvfb libxtst6")
    proc = subprocess.Popen(["Xvfb", _OURS, "-screen", "0", f"{W}x{H}x24", "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    _held[:] = [proc]
    return _OURS, proc


def stop_display(xvfb: subprocess.Popen | None) -> None:
    """One user of the run's Xvfb is done with it; the last stops it (and waits until it has let its display go)."""
    if xvfb is None or not _held:
        return
    _held.pop()
    if _held:
        return
    xvfb.terminate()
    try:
        xvfb.wait(timeout=10)
    except subprocess.TimeoutExpired:
        xvfb.kill()
        xvfb.wait()
    if os.environ.get("DISPLAY") == _OURS:
        del os.environ["DISPLAY"]


def on_display() -> tuple[dict[str, str], subprocess.Popen | None]:
    """The environment of a window on the X server (this one's, or an Xvfb started for the run), and that Xvfb (for
    stop_display)."""
    display, xvfb = start_display()
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    os.environ.update(DISPLAY=display, QT_QPA_PLATFORM="xcb")
    return env, xvfb


def alternated(rounds: int, one: Callable[[str], dict]) -> dict[str, list[dict]]:
    """`one(kind)` for the console and the bare window, `rounds` times, the first of each round alternated."""
    results: dict[str, list[dict]] = {"console": [], "bare": []}
    for n in range(rounds):
        for kind in ("bare", "console") if n % 2 == 0 else ("console", "bare"):
            results[kind].append(one(kind))
            print(kind, json.dumps(results[kind][-1]), file=sys.stderr)
    return results


def measure(subscriptions: int, rounds: int, data: Path | None = None) -> dict[str, list[dict]]:
    """The console and the bare window, `rounds` times alternated, on a cache of `subscriptions` (made when not given)."""
    env, xvfb = on_display()
    try:
        if data is None:
            sys.path.insert(0, str(HERE))
            from synthetic import cached_account

            data, _ = cached_account(subscriptions, subscriptions // 5)
        cache_file = next(data.glob("*-test.sqlite3"))
        screen, x = Screen(), XTest(env["DISPLAY"])
        where = {kind: calibrate(kind, data, cache_file, env, screen) for kind in ("console", "bare")}
        return alternated(rounds, lambda kind: round_of(kind, where[kind], data, cache_file, env, screen, x))
    finally:
        stop_display(xvfb)


ROWS = [
    ("process start → rows on screen", "first_rows_s", 1000, "ms", "≤ 2.5× bare"),
    ("keystroke → filtered table on screen (median of 10)", "key_ms", 1, "ms", "≤ 50 ms"),
    ("keystroke → filtered table, the worst", "key_worst_ms", 1, "ms", "≤ 50 ms"),
    ("first click on a column → sorted (median of 4: name, days left, reason, tenure)", "sort_ms", 1, "ms", "≤ 100 ms"),
    ("first click on a column → sorted, the worst", "sort_worst_ms", 1, "ms", "≤ 100 ms"),
    ("typing while the queue loads: the slowest echo", "echo_ms", 1, "ms", "≤ 50 ms"),
    ("typing while the queue loads: the slowest filtered table", "loading_key_ms", 1, "ms", "— (reported)"),
    ("window peak memory (VmHWM)", "peak_mb", 1, "MB", "≤ 500 MB"),
]


def table_rows(results: dict[str, list[dict]]) -> list[tuple[str, str, str, str, str]]:
    """(measure, console, bare, console ÷ bare, target): medians over the rounds."""
    out = []
    for label, key, scale, unit, target in ROWS:
        c = statistics.median(r[key] for r in results["console"]) * scale
        b = statistics.median(r[key] for r in results["bare"]) * scale
        out.append((label, f"{c:,.0f} {unit}", f"{b:,.0f} {unit}", f"{c / b:.1f}×", target))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, help="a data dir made by synthetic.cached_account (made when not given)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from installed import as_installed

    as_installed()
    results = measure(args.subscriptions, args.rounds, args.data)
    print(
        f"\n{args.subscriptions:,} cached subscriptions ({args.subscriptions // 5:,} pending), medians of {args.rounds} alternated rounds\n"
    )
    print("| measure (on Xvfb, XTest input, screen polled) | console | bare PySide6 window | console ÷ bare | target |")
    print("|---|---:|---:|---:|---|")
    for row in table_rows(results):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
