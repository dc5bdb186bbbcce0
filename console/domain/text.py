"""Anyone's text on its way out: terminal-safe (no escape sequences) and spreadsheet-safe (no formulas)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

# C0 controls but newline and tab, DEL, C1 controls, and the bidirectional overrides that can reorder what a
# terminal shows ("Trojan Source", CVE-2021-42574): each is shown as a visible escape instead.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection"


class Checked(str):
    """Text already known to hold none of the characters terminal() escapes: passed through as it is."""

    __slots__ = ()


def terminal_json(lines: Sequence[str], separator: str = ",\n") -> Checked:
    """JSON texts joined, with what a terminal acts on escaped the JSON way (`\\u0085`), so the output stays JSON:
    terminal()'s `\\x85` inside a JSON string is not JSON. C0 controls are escaped by any JSON encoder already."""
    joined = separator.join(lines)
    # every character terminal() escapes is unprintable (Cc, Cf: tests/unit/test_domain_small.py), so text that is all
    # printable has none: one C pass, twice as fast as the search on a large queue (the separator's newline is not
    # printable, so the lines are asked without it). Other unprintables (a no-break space, a joiner) fall to the search.
    if "".join(lines).isprintable() or _UNSAFE.search(joined) is None:
        return Checked(joined)
    return Checked(separator.join(_json_escaped(line) if _UNSAFE.search(line) else line for line in lines))


def _json_escaped(line: str) -> str:
    """Every character past ASCII as a JSON escape, and DEL, which JSON leaves as it is."""
    return json.dumps(json.loads(line), separators=(",", ":")).replace("\x7f", "\\u007f")


def terminal(text: str) -> str:
    """`text` with every control character shown as `\\xNN` / `\\uNNNN`, so none reaches the terminal."""
    # nearly always nothing to escape: a search is a fifth faster than a substitution that finds none
    if type(text) is Checked or _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading apostrophe
    (OWASP's rule). Numbers stay numbers (a negative amount is not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]
