"""One way to show a day and a moment in the window: the system locale's own (QLocale), with the year in full."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QLocale, QTime


def day_format() -> str:
    """The locale's short date, year in four digits (`M/d/yyyy` in the US, `dd/MM/yyyy` in the UK, `dd.MM.yyyy`…),
    ISO 8601 where no locale is set: what every date field shows and every day in the window is written as."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:  # no locale set (C/POSIX): ISO 8601, not Qt's bare "d MM yyyy"
        return "yyyy-MM-dd"
    text = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return text if "yyyy" in text else text.replace("yy", "yyyy")


def day_text(day: date | datetime) -> str:
    return QLocale().toString(QDate(day.year, day.month, day.day), day_format())


def moment_text(when: int | float | datetime | None) -> str:
    """A moment in the viewer's time zone: the day as day_text(), then the locale's short time; "—" for none."""
    if when is None:
        return "—"
    moment = when if isinstance(when, datetime) else datetime.fromtimestamp(when, UTC)
    local = moment.astimezone()
    time = QLocale().toString(QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat)
    return f"{day_text(local)}, {time}"


class Dates:
    """day_text and moment_text for a table's thousands of cells: the locale and its formats read once, each day's
    and each minute's text made once (asking QLocale again for each cell was most of a 50,000-row table's making)."""

    def __init__(self) -> None:
        self.locale, self.format = QLocale(), day_format()
        self._days: dict[tuple[int, int, int], str] = {}
        self._times: dict[tuple[int, int], str] = {}

    def day(self, day: date | datetime) -> str:
        key = (day.year, day.month, day.day)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = self.locale.toString(QDate(*key), self.format)
        return found

    def moment(self, when: int | float | datetime | None) -> str:
        if when is None:
            return "—"
        local = (when if isinstance(when, datetime) else datetime.fromtimestamp(when, UTC)).astimezone()
        key = (local.hour, local.minute)
        time = self._times.get(key)
        if time is None:
            time = self._times[key] = self.locale.toString(QTime(*key), QLocale.FormatType.ShortFormat)
        return f"{self.day(local)}, {time}"
