"""Logging to a rotating file in the platform's log dir, with Stripe keys and e-mail addresses redacted everywhere."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .crash import scrub
from .paths import tighten


class RedactingFilter(logging.Filter):
    """Rewrites each record's final text so nothing shaped like a key or an e-mail address reaches a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        clean = scrub(text)
        if clean != text or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def setup(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send the console's logs to `log_dir/churn-console.log` (5 × 1 MB, rotated)."""
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    tighten(log_dir)
    path = log_dir / "churn-console.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    for noisy in ("stripe", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
