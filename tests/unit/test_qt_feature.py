"""PySide6's post-import hook answered from file bytes (ui/qt_feature.py): the same answers as PySide6's own
function for every module the window imports, without reading their sources into linecache."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = r"""
import json, linecache, sys
import console.ui.main_window
import shibokensupport.feature as feature
cached = [k for k in linecache.cache if "/console/" in k]  # before PySide6's own function is asked below
ours = feature._mod_uses_pyside
theirs = ours.original
modules = [m for m in list(sys.modules.values()) if m is not None]
differ = [m.__name__ for m in modules if bool(ours(m)) != bool(theirs(m))]
uses = sorted(m.__name__ for m in modules if m.__name__.startswith("console.") and ours(m))
print(json.dumps({"differ": differ, "uses": uses, "lightened": getattr(ours, "lightened", False),
                  "dict": {k: feature.pyside_feature_dict.get(k) for k in ("console.ui.queue.page", "console.domain.money")},
                  "cached_console_sources": cached}))
"""


def test_the_hook_gives_pysides_answers_for_every_module_and_reads_no_source_into_linecache():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["lightened"] is True
    assert found["differ"] == []  # every module imported (builtins, extensions, .py), the same answer both ways
    assert "console.ui.main_window" in found["uses"] and "console.domain.money" not in found["uses"]
    assert found["dict"] == {"console.ui.queue.page": 0, "console.domain.money": -1}  # the defaults PySide6 sets from them
    assert found["cached_console_sources"] == []  # PySide6's own function left each module's lines in linecache


def test_a_module_without_a_source_file_goes_to_pysides_own_function():
    import console.ui  # noqa: F401  # installs it (importing PySide6, whose support module holds the hook)

    feature = sys.modules["shibokensupport.feature"]
    ours = feature._mod_uses_pyside
    assert ours(sys) is False and ours.original(sys) is False  # a builtin module: no file
    assert ours(json) == ours.original(json)
