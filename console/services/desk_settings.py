"""The save desk's settings, kept in `desk.json` in the data folder (the window's Preferences and the CLI read the
same file): how long a claim lasts, the MRR an alert needs, the product's URL for e-mails."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from ..domain import desk
from ..domain.failed import END_ACTIONS
from ..errors import ConsoleError

SETTINGS = "desk.json"


@dataclass(frozen=True)
class DeskSettings:
    lapse_days: int = desk.LAPSE_DAYS  # a claim with no desk activity for this long is free again
    alert_min_mrr: float = 0.0  # notify only for rows whose MRR at stake is at least this (in major units); 0: all
    product_url: str = ""  # the link in e-mails when the portal's login page is off
    # What the account's Revenue recovery settings say (no API reads them): how long Stripe retries a failed payment
    # and what it does after the last try (domain/failed.py END_ACTIONS). Stripe's recommended default: 2 weeks, cancel.
    retry_days: int = 14
    retry_end: str = "cancel"

    @classmethod
    def load(cls, data_dir: Path) -> DeskSettings:
        try:
            raw = json.loads((data_dir / SETTINGS).read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise ConsoleError(
                f"{data_dir / SETTINGS} cannot be read ({exc}).", "Fix it or move it away; it is kept as it is."
            ) from None
        known = {k: raw[k] for k in ("lapse_days", "alert_min_mrr", "product_url", "retry_days", "retry_end") if k in raw}
        settings = cls(**known)
        where = data_dir / SETTINGS
        if not isinstance(settings.lapse_days, int) or isinstance(settings.lapse_days, bool) or settings.lapse_days < 1:
            raise ConsoleError(
                f"lapse_days in {where} must be a whole number of days, 1 or more.",
                "Fix the file or remove it; it is kept as it is.",
            )
        if not isinstance(settings.alert_min_mrr, int | float) or settings.alert_min_mrr < 0:
            raise ConsoleError(
                f"alert_min_mrr in {where} must be an amount, 0 or more.", "Fix the file or remove it; it is kept as it is."
            )
        if not isinstance(settings.product_url, str):
            raise ConsoleError(
                f"product_url in {where} must be a web address.", "Fix the file or remove it; it is kept as it is."
            )
        if (
            not isinstance(settings.retry_days, int)
            or isinstance(settings.retry_days, bool)
            or not 1 <= settings.retry_days <= 60
        ):
            raise ConsoleError(
                f"retry_days in {where} must be a whole number of days from 1 to 60 (Stripe retries for up to 2 months).",
                "Set it to what Stripe's Revenue recovery settings say, or remove it; the file is kept as it is.",
            )
        if settings.retry_end not in END_ACTIONS:
            raise ConsoleError(
                f"retry_end in {where} must be one of {', '.join(END_ACTIONS)}.",
                "Set it to what Stripe does after the last retry, or remove it; the file is kept as it is.",
            )
        return settings

    def save(self, data_dir: Path) -> None:
        tmp = data_dir / (SETTINGS + ".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), "utf-8")
        tmp.replace(data_dir / SETTINGS)
