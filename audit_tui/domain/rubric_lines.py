"""The line of a rubric file a problem is on, found from the problem's field path.

The loader names a problem by where it is in the data (`standards["A"].key_questions["A.1"].text`);
someone editing the file needs the line as well. tomllib keeps no positions, so the text is
scanned here: each `[table]` and `[[array of tables]]` header and each `key =` line gives the
position of a path, counting array-of-tables entries as TOML does, while strings, comments and
arrays over several lines are stepped over so nothing inside them is taken for a header. A path
is followed through the parsed data (an id such as `["A.1"]` names an entry of a list by its
`id`, or a mapping by its `rubric`), and the line is that of the deepest part found: a field
that is missing points at the header of the table that should hold it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from audit_tui.domain.errors import Problem
from audit_tui.domain.files import TomlTooDeep, load_toml

Key = tuple[str | int, ...]
"""A concrete place in the data: table keys, and the index of each array-of-tables entry."""

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SEGMENT = re.compile(r'\.?([A-Za-z0-9_-]+)|\.?"([^"]*)"|\[(\d+)\]|\["([^"]*)"\]')
_DUPLICATE = ("already used", "used twice", "declared twice")
"""Words of a problem reported at the second of two entries with the same id: its path names
that id, so the entry meant is the later one, not the first."""


def with_lines(text: str, problems: Sequence[Problem]) -> list[Problem]:
    """`problems`, each with the line of `text` its path leads to; a problem without a path,
    or one whose path cannot be found in the text, is left as it was."""
    if not any(p.path for p in problems):
        return list(problems)
    try:
        raw = load_toml(text)
    except (ValueError, TomlTooDeep):  # TOMLDecodeError is a ValueError: said without a line
        return list(problems)
    positions = toml_positions(text)
    named = _Names(raw)
    repeats: Counter[str] = Counter()
    out = []
    for problem in problems:
        if not problem.path or problem.line is not None:
            out.append(problem)
            continue
        later = 0
        if any(word in problem.message for word in _DUPLICATE):
            repeats[problem.path] += 1
            later = repeats[problem.path]
        line = line_of(raw, positions, problem.path, later, named)
        out.append(problem if line is None else replace(problem, line=line))
    return out


def line_of(
    raw: dict[str, Any],
    positions: dict[Key, int],
    path: str,
    later: int = 0,
    named: _Names | None = None,
) -> int | None:
    """The line `path` leads to, or None. `later`: where an id names several entries, take the
    one after the first `later` (the repeat a duplicate-id problem is about). `named`: the
    entries of each list by id, kept across calls (a file with thousands of problems)."""
    key = _resolve(raw, _segments(path), later, _Names(raw) if named is None else named)
    while key:
        if key in positions:
            return positions[key]
        key = key[:-1]
    return None


def _segments(path: str) -> list[tuple[str, str]]:
    """`a.b["x"][2]."q.k"` -> [("key", "a"), ("key", "b"), ("id", "x"), ("index", "2"),
    ("key", "q.k")], up to the first part that cannot be read."""
    out: list[tuple[str, str]] = []
    at = 0
    while at < len(path):
        m = _SEGMENT.match(path, at)
        if m is None:
            break
        bare, quoted, index, ident = m.groups()
        if index is not None:
            out.append(("index", index))
        elif ident is not None:
            out.append(("id", ident))
        else:
            out.append(("key", bare if bare is not None else quoted))
        at = m.end()
    return out


def _resolve(
    raw: dict[str, Any], segments: list[tuple[str, str]], later: int, named: _Names
) -> Key:
    """The concrete key of the deepest part of the path the data holds."""
    if segments[:1] == [("key", "items")] and len(segments) > 1 and segments[1][0] == "id":
        found = named.items.get(segments[1][1])  # the loader's name for any answerable item
        if found is None:
            return ()
        key, node = found
        segments = segments[2:]
    else:
        key, node = (), raw
    for kind, value in segments:
        if kind == "key" and isinstance(node, dict) and value in node:
            key, node = (*key, value), node[value]
        elif kind == "index" and isinstance(node, list) and int(value) < len(node):
            key, node = (*key, int(value)), node[int(value)]
        elif kind == "id" and isinstance(node, list):
            matches = named.entries(node).get(value, [])
            if not matches:  # an entry the text does not hold: no line rather than a wrong one
                return ()
            i = matches[min(later, len(matches) - 1)]
            key, node = (*key, i), node[i]
        else:
            break
    return key


def _name(entry: object) -> str | None:
    """What a path calls a list entry: its `id`, or a mapping's `rubric`."""
    if not isinstance(entry, dict):
        return None
    label = entry.get("id", entry.get("rubric"))
    return label.strip() if isinstance(label, str) else None


class _Names:
    """The entries of the data's lists by name, worked out once per list however many problems
    ask (a broken file may have thousands), and every answerable item by id."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self._raw = raw
        self._lists: dict[int, tuple[list[Any], dict[str, list[int]]]] = {}
        self._items: dict[str, tuple[Key, Any]] | None = None

    def entries(self, node: list[Any]) -> dict[str, list[int]]:
        """A list's entries' indexes by name (the list kept beside its `id()`, so it lives on)."""
        if id(node) not in self._lists:
            index: dict[str, list[int]] = {}
            for i, entry in enumerate(node):
                if (name := _name(entry)) is not None:
                    index.setdefault(name, []).append(i)
            self._lists[id(node)] = (node, index)
        return self._lists[id(node)][1]

    @property
    def items(self) -> dict[str, tuple[Key, Any]]:
        """Where each key question, prompt and indicator sits: an entry of an array of tables,
        at any depth, with an `id` and a `text` (the first, if an id is used twice)."""
        if self._items is None:
            found: dict[str, tuple[Key, Any]] = {}
            stack: list[tuple[Key, Any]] = [((), self._raw)]
            while stack:
                key, node = stack.pop()
                if isinstance(node, dict):
                    if key and (name := _name(node)) is not None and "text" in node:
                        found.setdefault(name, (key, node))
                    stack.extend(((*key, k), v) for k, v in reversed(node.items()))
                elif isinstance(node, list):
                    stack.extend(((*key, i), v) for i, v in reversed(list(enumerate(node))))
            self._items = found
        return self._items


def toml_positions(text: str) -> dict[Key, int]:
    """The 1-based line of each table, array-of-tables entry and key of a TOML text. The text
    is taken to be valid TOML (the caller parsed it); a line it cannot read is skipped."""
    positions: dict[Key, int] = {}
    counts: dict[Key, int] = {}
    table: Key = ()
    carry: tuple[str | None, int] = (None, 0)  # an open multi-line string; open brackets
    for number, line in enumerate(text.split("\n"), 1):
        if carry != (None, 0):
            carry = _scan(line, *carry)
            continue
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        if body.startswith("["):
            double = body.startswith("[[")
            keys, _ = _keys(body[2 if double else 1 :])
            if keys:
                table = _table(keys, double, counts)
                for depth in range(1, len(table) + 1):
                    positions.setdefault(table[:depth], number)
            continue
        keys, rest = _keys(body)
        if not keys or not rest.startswith("="):
            continue
        for depth in range(1, len(keys) + 1):
            positions.setdefault((*table, *keys[:depth]), number)
        carry = _scan(rest[1:], None, 0)
    return positions


def _table(keys: list[str], double: bool, counts: dict[Key, int]) -> Key:
    """The concrete key a header opens: each array of tables on the way is its latest entry,
    and a `[[header]]` adds an entry to its own."""
    key: Key = ()
    for name in keys[:-1]:
        key = (*key, name)
        if key in counts:
            key = (*key, counts[key] - 1)
    key = (*key, keys[-1])
    if double:
        counts[key] = counts.get(key, 0) + 1
        key = (*key, counts[key] - 1)
    return key


def _keys(text: str) -> tuple[list[str], str]:
    """A dotted key at the start of `text` (bare or quoted parts) and what follows it."""
    keys: list[str] = []
    at = 0
    while True:
        while at < len(text) and text[at] in " \t":
            at += 1
        if at >= len(text):
            return keys, ""
        if text[at] in "\"'":
            end = _string_end(text, at + 1, text[at])
            if end < 0:
                return [], ""
            part = text[at + 1 : end]
            keys.append(_unescape(part) if text[at] == '"' else part)
            at = end + 1
        else:
            m = _BARE.match(text, at)
            if m is None:
                return [], ""
            keys.append(m.group())
            at = m.end()
        while at < len(text) and text[at] in " \t":
            at += 1
        if at < len(text) and text[at] == ".":
            at += 1
            continue
        return keys, text[at:]


def _unescape(part: str) -> str:
    """A basic string's escapes, as far as keys use them (`\\"`, `\\\\`, `\\uXXXX`)."""
    try:
        return str(load_toml(f'k = "{part}"')["k"])
    except (ValueError, TomlTooDeep):
        return part


def _string_end(text: str, at: int, quote: str) -> int:
    """Where a one-line string opened before `at` closes (-1: not on this line)."""
    while at < len(text):
        ch = text[at]
        if quote == '"' and ch == "\\":
            at += 2
            continue
        if ch == quote:
            return at
        at += 1
    return -1


def _scan(text: str, open_string: str | None, depth: int) -> tuple[str | None, int]:
    """Step over a value's text: (the multi-line string still open at the end of the line,
    the brackets and braces still open), so the next line is known to continue this value."""
    at = 0
    while at < len(text):
        if open_string is not None:
            close = text.find(open_string, at)
            while close >= 0 and open_string == '"""' and _escaped(text, close):
                close = text.find(open_string, close + 1)
            if close < 0:
                return open_string, depth
            at, open_string = close + 3, None
            continue
        ch = text[at]
        if ch == "#":
            break
        if text.startswith(('"""', "'''"), at):
            open_string, at = text[at : at + 3], at + 3
        elif ch in "\"'":
            end = _string_end(text, at + 1, ch)
            at = len(text) if end < 0 else end + 1
        else:
            depth += (ch in "[{") - (ch in "]}")
            at += 1
    return open_string, max(depth, 0)


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes."""
    slashes = 0
    while at - slashes - 1 >= 0 and text[at - slashes - 1] == "\\":
        slashes += 1
    return slashes % 2 == 1
