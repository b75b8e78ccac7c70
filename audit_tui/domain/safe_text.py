"""Stored text made safe to show: on a terminal, and in md, csv, html, json and xlsx files.

The database keeps what it was given, and text reaches it by other ways than this app (psql, a
database browser, another tool). An escape sequence, an OSC-8 link, a C1 control such as `\\x9b`
or a bidi override in a note would drive the reader's terminal or reorder what they see, and a
1 MB note would flood it. So every renderer passes stored text through here at its edge, one
cell at a time: control characters are shown as escapes (`\\x1b`), and each text is cut, visibly,
at a stated length. `guard` is the last line behind them, over a whole document or stream.
"""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Any

LINE_LIMIT = 2_000
"""Longest one-line field shown: a name, code, case reference, user, reason, action, event
detail or rubric text (the app itself takes names of at most 80 characters, reasons of 500)."""
TEXT_LIMIT = 10_000
"""Longest free text shown: a note, feedback, a judgement's strengths or improvements. Also
the longest string in any JSON output."""

CONTROLS = (
    *range(0x20),  # C0: ESC, NUL, BEL, CR ...
    *range(0x7F, 0xA0),  # DEL and C1: 0x9b is a one-character CSI on many terminals
    0x061C,  # Arabic letter mark
    0x200E,  # left-to-right and right-to-left marks
    0x200F,
    0x2028,  # line and paragraph separators: a new line to some readers, not to others
    0x2029,
    *range(0x202A, 0x202F),  # direction embeddings and overrides: they reorder what follows
    *range(0x2066, 0x206A),  # direction isolates
)
"""Every character shown as an escape rather than passed on."""
C0_CONTROLS = "".join(map(chr, range(0x20)))
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
_MARK = "… ({:,} more characters)"
# the start of an escape that a cut would leave half-shown (`\x1`, `\u20`)
_PARTIAL_ESCAPE = re.compile(r"\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?\Z")
# what `guard` lets through: a tab, a line feed, and a carriage return only as part of CRLF
_LOOSE_CONTROL = re.compile(
    "\r(?!\n)|[" + "".join(f"\\u{c:04x}" for c in CONTROLS if chr(c) not in "\t\n\r") + "]"
)


def _shown(code: int) -> str:
    return _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@functools.cache
def _table(keep: str) -> tuple[re.Pattern[str], dict[int, str]]:
    codes = [code for code in CONTROLS if chr(code) not in keep]
    found = re.compile("[" + "".join(f"\\u{code:04x}" for code in codes) + "]")
    return found, {code: _shown(code) for code in codes}


def escape(text: str, keep: str = "") -> str:
    """`text` with every control character but those in `keep` shown as an escape (`\\x1b`,
    `\\n`, `\\u202e`)."""
    found, table = _table(keep)
    return text.translate(table) if found.search(text) else text


def printable(text: str) -> str:
    """`text` with control characters (C0, DEL, C1, the Unicode line and paragraph separators and
    the invisible direction controls) shown as escapes such as `\\x1b` or `\\n`: a file name or
    cell echoed into an error must not drive the terminal, and an error is one line."""
    return escape(text)


def cap(text: str, limit: int) -> str:
    """`text`, or its start and `… (N more characters)` when longer than `limit`: at most `limit`
    characters either way, so capping twice changes nothing, and a reader knows there is more."""
    if len(text) <= limit:
        return text
    room = limit - len(_MARK.format(len(text)))
    if room < 1:
        raise ValueError(f"a limit of {limit} leaves no room for the text")
    head = _PARTIAL_ESCAPE.sub("", text[:room])
    return head + _MARK.format(len(text) - len(head))


def one_line(value: object, limit: int = LINE_LIMIT) -> str:
    """Stored text for a one-line cell: every control character escaped (a line break too),
    cut at `limit`."""
    return cap(escape(str(value)), limit)


def multi_line(value: object, limit: int = TEXT_LIMIT) -> str:
    """Stored free text (a note, feedback with a point per line) where the format allows line
    breaks: CRLF becomes a line feed, every other control is escaped, cut at `limit`."""
    return cap(escape(str(value).replace("\r\n", "\n"), keep="\n"), limit)


def guard(document: str) -> str:
    """A whole document or stream's text with any control character a renderer let through shown
    as `\\u001b`, keeping tabs, line feeds and CRLF line ends. The `\\uXXXX` form is valid inside a
    JSON string and reads as itself elsewhere, so this is safe over every text format."""
    if not _LOOSE_CONTROL.search(document):
        return document
    return _LOOSE_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", document)


def html_text(value: object, limit: int = LINE_LIMIT) -> str:
    """Stored text as HTML text or an attribute value: one line, controls escaped, cut at
    `limit`, then markup escaped (`<script>` stays text)."""
    return html.escape(one_line(value, limit))


def json_text(body: Any, indent: int | None = 2) -> str:
    """`body` as JSON, every string cut at `TEXT_LIMIT`: C0 controls come out as JSON's own
    escapes, and C1, bidi and the line separators (which `json.dumps` passes through without
    `ensure_ascii`) as `\\uXXXX`, so the JSON prints safely and still reads back as stored."""
    return guard(json.dumps(_capped(body), indent=indent, ensure_ascii=False))


def _capped(value: Any) -> Any:
    if isinstance(value, str):
        return cap(value, TEXT_LIMIT)
    if isinstance(value, dict):
        return {_capped(k): _capped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_capped(v) for v in value]
    return value
