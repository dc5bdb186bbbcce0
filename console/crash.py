"""Unhandled exceptions: a redacted crash log (no key, no e-mail address) and a callback to tell the user."""

from __future__ import annotations

import logging
import platform
import re
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType

from . import __version__
from .errors import redact

log = logging.getLogger(__name__)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
Notify = Callable[[Path, str], None]


def scrub(text: str) -> str:
    """Keys and e-mail addresses out: what a crash report or a log line may hold about a customer."""
    return _EMAIL.sub("<email>", redact(text))


def write_report(log_dir: Path, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> Path:
    """`crash-YYYYmmdd-HHMMSS.log` in the log dir: versions and the redacted traceback (no locals)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"crash-{datetime.now():%Y%m%d-%H%M%S-%f}.log"
    body = "".join(traceback.format_exception(exc_type, exc, tb))
    if tb is None:  # raised inside Qt (a slot it could not call): say where Python was instead
        body += "\nNo Python frames (raised inside Qt). The stack when it was reported:\n" + "".join(traceback.format_stack())
    head = (
        f"Churn Console {__version__} crashed at {datetime.now().isoformat(timespec='seconds')}\n"
        f"Python {platform.python_version()} on {platform.platform()}\n\n"
    )
    path.write_text(head + scrub(body), encoding="utf-8")
    return path


def install(log_dir: Path, notify: Notify | None = None) -> None:
    """Route uncaught exceptions (main thread, other threads, Qt slots) to a crash log, then `notify`."""

    def handle(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        try:
            path = write_report(log_dir, exc_type, exc, tb)
        except OSError:
            log.error("could not write a crash report: %s", scrub(f"{exc_type.__name__}: {exc}"))
            return
        log.error("unexpected error, crash report written to %s", path)
        summary = scrub(f"{exc_type.__name__}: {exc}")
        if notify is not None:
            notify(path, summary)
        else:
            print(f"churn-console: unexpected error ({summary}); a report is in {path}", file=sys.stderr)

    sys.excepthook = handle
    threading.excepthook = lambda args: handle(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)
