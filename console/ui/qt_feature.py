"""PySide6's import hook made cheap: it asks of every module imported after Qt whether its source names PySide6."""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401  # installs the hook (and its module) this replaces a function of


def lighten() -> bool:
    """Answer PySide6's question from the module's file bytes, not inspect.getsource().

    Since PYSIDE-2029 a hook runs after every import to set the module's `__feature__` default: 0 when its source
    contains "PySide6", else -1 (shibokensupport/feature.py, `feature_imported` and `_mod_uses_pyside`). It reads
    the source through inspect.getsource, which tokenises the file into linecache and keeps it there: 45 ms and the
    source lines of the ~350 modules the window imports before its first frame (the same tax napari measured,
    github.com/napari/napari/issues/8584). The file's bytes give the same answer for a .py module; anything else
    (a builtin, an extension, a module without a file) still goes to PySide6's own function. Returns whether the
    hook was found (a PySide6 without it is left as it is)."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or original is None:
        return False
    if getattr(original, "lightened", False):
        return True

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(original(module))

    uses_pyside.lightened = True  # type: ignore[attr-defined]
    uses_pyside.original = original  # type: ignore[attr-defined]  # what it stands in for (tests compare the two)
    setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010  # a module PySide6 keeps no types for
    return True
