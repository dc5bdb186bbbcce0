"""A table cell's roles answered in one call into Python (Qt 6's QAbstractItemModel.multiData), for both queues'
models: the delegate asks for seven roles a cell, and each call into Python takes the interpreter back from a worker
reading or ranking the rows (a repaint of 180 cells waited for it 1,260 times, one call a cell 180 times)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan


def fill(roles: QModelRoleDataSpan | QModelRoleData, answer: Callable[[int], Any]) -> None:
    """Each requested role's slot set to `answer(role)`, or cleared where that is None."""
    span: Any = [roles] if isinstance(roles, QModelRoleData) else roles  # the stubs know no len() or [] on a span
    for k in range(len(span)):
        slot = span[k]
        found = answer(slot.role())
        if found is None:
            slot.clearData()
        else:
            slot.setData(found)
