"""Ctrl+C in the terminal (SIGINT) and a logout or shutdown (SIGTERM) end the window as File → Quit does."""

from __future__ import annotations

import signal
import socket

from PySide6.QtCore import QObject, QSocketNotifier
from PySide6.QtWidgets import QApplication, QWidget

ENDING = (signal.SIGINT, signal.SIGTERM)


class SignalEnd(QObject):
    """Python runs a signal handler only between bytecodes, and Qt's event loop waits in C: the signal's number is
    written to a socket (signal.set_wakeup_fd, docs.python.org/3/library/signal.html#signal.set_wakeup_fd) that Qt
    watches, so the loop wakes at once. The first signal closes the window (its closeEvent: layout saved, workers
    finished, the demo account saved); a second one, while the window is still open (asking about unsaved portal
    edits), quits without asking."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.seen = 0
        self._read, self._write = socket.socketpair()
        for end in (self._read, self._write):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._write.fileno())
        self._previous = {sig: signal.signal(sig, lambda *_: None) for sig in ENDING}  # the wake-up fd does the work
        self._notifier = QSocketNotifier(self._read.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._woken)

    def _woken(self) -> None:
        try:
            received = self._read.recv(64)
        except BlockingIOError:
            return
        if not any(b in {int(s) for s in ENDING} for b in received):
            return
        self.seen += 1
        if self.seen == 1:
            self.window.close()
        else:
            QApplication.quit()

    def restore(self) -> None:
        """Give the process its earlier handlers back (after the event loop ends)."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._read.close()
        self._write.close()
