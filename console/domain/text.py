"""Anyone's text on its way out: terminal-safe (no escape sequences) and spreadsheet-safe (no formulas)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

# C0 controls but newline and tab, DEL, C1 controls, and the bidirectional overrides that can reorder what a
# terminal shows ("Trojan Source", CVE-2021-42574): each is shown as a visible escape instead.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP "CSV Injection"
_REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069]")  # bidirectional embeddings, overrides and isolates


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


# _UNSAFE's characters as UTF-8 bytes: C0 but newline, DEL, C1 (U+0080-U+009F: C2 80-9F) and the bidirectional
# controls (U+202A-U+202E: E2 80 AA-AE; U+2066-U+2069: E2 81 A6-A9). UTF-8 is self-synchronising (a lead byte is never
# a continuation byte), so a match in valid UTF-8 is one of those characters and nothing else.
_CONTROL_BYTES = bytes(range(0x0A)) + bytes(range(0x0B, 0x20)) + b"\x7f"
# searched apart: each pattern then starts with a literal that `re` scans for quickly; as one alternation, 15× slower
_C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")
_BIDI_BYTES = re.compile(rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]")


def terminal_json_block(block: bytes) -> bytes:
    """JSON texts as UTF-8, one a line (each line ending in a newline), joined by ",\n" and terminal-safe as
    terminal_json() makes them, without decoding the block when it needs nothing: a block with no C0 control but its
    newlines, no DEL and no C1 or bidirectional control (_has_wide_control) holds none of _UNSAFE's characters, and
    is passed as it is. Otherwise its lines go through terminal_json(), which escapes them the JSON way."""
    body = block[:-1] if block.endswith(b"\n") else block
    if len(body.translate(None, _CONTROL_BYTES)) == len(body) and not _has_wide_control(body):
        return body.replace(b"\n", b",\n")
    return terminal_json(body.decode().split("\n")).encode()


def _has_wide_control(body: bytes) -> bool:
    """A C1 or bidirectional control in the UTF-8 text: each lead byte looked for first (memchr: most text has
    none), the regular expression searched only where one is. Not the two-byte starts: `in` searches those a
    sixth as fast as the expression does where every other line holds a "€" (E2 82 AC), 0.24 s of a 200,000-row
    queue's JSON (tests/benchmarks/bench_cli.py)."""
    if b"\xc2" in body and _C1_BYTES.search(body):  # C2 also starts "¥" and "£"
        return True
    return b"\xe2" in body and _BIDI_BYTES.search(body) is not None  # E2 also starts "€" and "–"


def _json_escaped(line: str) -> str:
    """Every character past ASCII as a JSON escape, and DEL, which JSON leaves as it is."""
    return json.dumps(json.loads(line), separators=(",", ":")).replace("\x7f", "\\u007f")


def _escaped(match: re.Match[str]) -> str:
    """A matched character as Python writes its escape: `\\x1b`, `\\u202e`."""
    return match.group().encode("unicode_escape").decode("ascii")


def terminal(text: str) -> str:
    """`text` with every control character shown as `\\xNN` / `\\uNNNN`, so none reaches the terminal."""
    # nearly always nothing to escape: a search is a fifth faster than a substitution that finds none
    if type(text) is Checked or _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_escaped, text)


def no_reordering(text: str) -> str:
    """`text` with each bidirectional embedding, override or isolate shown as its escape (`\\u202e`), as terminal()
    shows it: a window draws a customer's name as typed, but "Ann\\u202e<img src=x>" must not draw "Ann<x=crs gmi>"
    ("Trojan Source", CVE-2021-42574). Right-to-left names need none of them: they order themselves."""
    if text.isprintable() or _REORDERING.search(text) is None:  # each of them is unprintable (Cf)
        return text
    return _REORDERING.sub(_escaped, text)


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a leading apostrophe
    (OWASP's rule). Numbers stay numbers (a negative amount is not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(values: list[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def text_chunks(blocks: Iterable[bytes], size: int = 4096) -> Iterator[list[str]]:
    """Blocks of whole lines (UTF-8, each line ending in a newline) as lists of at most `size` texts."""
    for data in blocks:
        lines = data.decode().split("\n")[:-1]
        for start in range(0, len(lines), size):
            yield lines[start : start + size]
