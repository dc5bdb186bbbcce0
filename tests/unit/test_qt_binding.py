"""The Qt binding the console runs on keeps Python's reference counts: PySide6 6.12.0 gives back one reference to
True too many on every successful Signal.disconnect() (False on a failed one), and a window that redraws its charts
for a while (pyqtgraph disconnects on every item it removes) aborts with "bool_dealloc: deallocating True or False".
pyproject.toml leaves that version out; this test fails on any version that brings the fault back."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Sender(QObject):
    ping = Signal()

    def slot(self) -> None:
        pass


def test_disconnect_keeps_the_reference_counts_of_true_false_and_none():
    sender, receiver = _Sender(), _Sender()
    slots = (receiver.slot, lambda: None)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for slot in slots:
        for _ in range(300):
            sender.ping.connect(slot)
            sender.ping.disconnect(slot)
    after = (sys.getrefcount(True), sys.getrefcount(False))
    assert after == before, f"True and False lost {before[0] - after[0]} and {before[1] - after[1]} references"
