"""Work a page asks of a worker, of which only the latest answer is shown (a range changed twice shows the second
range's figures, whichever worker finishes first), and a range chooser the report tabs share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QComboBox

from ..errors import ConsoleError
from .context import PageContext

T = TypeVar("T")
PRESETS = (("Last 4 weeks", 4), ("Last 12 weeks", 12), ("Last 26 weeks", 26), ("Last 52 weeks", 52))


class Latest:
    """`ask(work, then)`: `work` on a worker, `then` with its answer unless later work was asked meanwhile."""

    def __init__(self, context: PageContext) -> None:
        self.context = context
        self.asked = 0
        self.answered = 0

    @property
    def busy(self) -> bool:
        """Work is on the worker; what is shown is the answer before it."""
        return self.answered < self.asked

    def ask(self, work: Callable[[], T], then: Callable[[T], None]) -> None:
        self.asked += 1
        asked = self.asked

        def answered(value: T) -> None:
            if asked == self.asked:
                self.answered = asked
                then(value)

        def failed(error: ConsoleError) -> None:
            if asked == self.asked:
                self.answered = asked
            self.context.ops.show_error(error)

        self.context.runner.submit_side(work, answered, failed)


def range_presets(name: str) -> QComboBox:
    """The last 4, 12, 26 or 52 weeks (12 chosen), each item's data its number of weeks."""
    box = QComboBox()
    box.setObjectName(name)
    for text, weeks in PRESETS:
        box.addItem(text, weeks)
    box.setCurrentIndex(1)
    return box
