"""A table's cells read through multiData (the delegate's one call a cell), each role checked against data()."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QModelRoleData


def roles_answered(model: QAbstractItemModel, rows: int, roles: list[int], names: tuple[str, ...]) -> set[int]:
    """Every cell of the first `rows` rows asked for `roles` in one multiData call each; each answer must equal what
    data() gives for that role alone. Returns the roles some cell answered; also checks that a cell past the end
    answers nothing."""
    answered = set()
    for row in range(rows):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            for role in roles:
                slot = QModelRoleData(role)
                model.multiData(index, slot)
                assert slot.data() == model.data(index, role), (row, names[column], role)
                if slot.data() is not None:
                    answered.add(role)
    empty = QModelRoleData(roles[0])
    model.multiData(QModelIndex(), empty)
    assert empty.data() is None
    return answered
