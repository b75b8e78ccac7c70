"""Filling a DataTable in one go with widths taken from its content, so it lays out the same
every time (auto widths computed lazily can be caught half-done). Every cell and heading goes in
through `cell`: shown literally (audit names and attribute values are data, never markup), one
line, control characters escaped and cut; every DataTable of the app is filled from here.

A table wider than the space it is given is fitted to it, never cut at its edge: the widest
columns of words are narrowed, down to their longest word and heading, and their cells wrap
onto more lines (`fit_widths`). A table is fitted again whenever its width changes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from weakref import WeakKeyDictionary

from rich.cells import cell_len, chop_cells
from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from audit_tui.tui.text import cell


@dataclass(frozen=True)
class _Filled:
    """What a table was filled with, to fit it again at another width."""

    labels: list[Text]
    keys: list[str | None]
    rows: list[tuple[str | None, list[Text]]]
    widths: list[int]
    width: int


_FILLED: WeakKeyDictionary[DataTable[Text], _Filled] = WeakKeyDictionary()


def fill_table(
    table: DataTable[Text],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[str, Sequence[str]]],
) -> None:
    """`columns`: (label, key); `rows`: (row key, cells)."""
    labels = [cell(label) for label, _ in columns]
    shown = [(key, [cell(str(c)) for c in cells]) for key, cells in rows]
    widths = [len(label.plain) for label in labels]
    for _, cells in shown:
        widths = [max(w, len(c.plain)) for w, c in zip(widths, cells, strict=True)]
    keys: list[str | None] = [key for _, key in columns]
    if not _in_place(table, labels, keys, list(shown), widths):
        _fill(table, labels, keys, list(shown), widths)


def _in_place(
    table: DataTable[Text],
    labels: list[Text],
    keys: list[str | None],
    rows: list[tuple[str | None, list[Text]]],
    widths: list[int],
) -> bool:
    """Change only the cells that moved, when the table holds the same rows and columns and
    each new cell fits its column on one line as it stands (False: fill it again). A return to
    the audit list redraws the one audit that moved, not a thousand: the table measures every
    cell it is given, 0.4 s a fill at 1,000 rows."""
    filled = _FILLED.get(table)
    if (
        filled is None
        or [label.plain for label in filled.labels] != [label.plain for label in labels]
        or filled.keys != keys
        or table.row_count != len(rows)
        or [key for key, _ in filled.rows] != [key for key, _ in rows]
    ):
        return False
    room = [column.width for column in table.ordered_columns]
    changed: list[tuple[str, str, Text]] = []
    for (key, old), (_, new) in zip(filled.rows, rows, strict=True):
        for i, (was, now) in enumerate(zip(old, new, strict=True)):
            if was.plain != now.plain:
                if key is None or keys[i] is None:
                    return False
                if cell_len(now.plain) > room[i] or cell_len(was.plain) > room[i]:
                    return False  # it wraps, or would: the row's height may change
                changed.append((key, str(keys[i]), now))
    for row_key, column_key, now in changed:
        table.update_cell(row_key, column_key, now)
    natural = [max(a, b) for a, b in zip(filled.widths, widths, strict=True)]
    _FILLED[table] = replace(filled, rows=rows, widths=natural)
    return True


def fill_measured(
    table: DataTable[Text], head: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]
) -> None:
    """Replace the table's columns and rows, each column as wide as its widest cell measured in
    terminal cells (bars and marks): widths a DataTable would otherwise settle on a later
    refresh, after the first frame showed them cut. A row may have fewer cells than `head`."""
    labels = [cell(label) for label in head]
    shown = [(key, [cell(c) for c in cells]) for key, cells in rows]
    widths = [
        max([cell_len(label.plain), *(cell_len(cs[i].plain) for _, cs in shown if i < len(cs))])
        for i, label in enumerate(labels)
    ]
    _fill(table, labels, [None] * len(labels), list(shown), widths)


def add_rows(table: DataTable[Text], rows: Iterable[Sequence[str]]) -> None:
    """Append rows of stored text to a table whose columns are set (widths left to it)."""
    table.add_rows([tuple(cell(c) for c in row) for row in rows])


def fit_widths(widths: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Column widths that fit `room` cells: the widest column above its floor loses a cell until
    the total fits or every column is at its floor (then the table scrolls)."""
    fitted = list(widths)
    while sum(fitted) > room:
        narrowable = [i for i, (w, f) in enumerate(zip(fitted, floors, strict=True)) if w > f]
        if not narrowable:
            break
        widest = max(narrowable, key=lambda i: fitted[i])
        fitted[widest] -= 1
    return fitted


SHORT = 12
"""A cell this short (a date, a status) stays on one line where the table can fit otherwise: a
column of them is narrowed below its longest cell (up to this many) only as a last resort."""


def _floor(label: Text, cells: Iterable[Text], short: int = SHORT) -> int:
    """The narrowest a column may be: its longest word (heading included), and its longest cell
    up to `short`."""
    texts = [c.plain for c in cells]
    words = (cell_len(word) for text in (label.plain, *texts) for word in text.split())
    return max([*words, min(short, max(map(cell_len, texts), default=0))])


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped at words to `width` cells."""
    lines, used = 1, 0
    for word in text.split():
        size = cell_len(word)
        if used and used + 1 + size > width:
            lines, used = lines + 1, size
        else:
            used += size + (1 if used else 0)
    return lines


_WORD = re.compile(r"\s*\S+\s*")


def wrapped_lines(text: str, width: int) -> int:
    """How many lines Rich wraps `text` onto at `width` cells, folding a word wider than that:
    Rich's own rule (rich/_wrap.py), counted without rendering."""
    lines, used = 1, 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        size = cell_len(word.rstrip())
        if width - used >= size:
            used += cell_len(word)
        elif size > width:  # folded across lines of `width` cells
            pieces = chop_cells(word, width)
            lines += len(pieces) - (0 if match.start() else 1)
            used = cell_len(pieces[-1])
        elif used and match.start():
            lines, used = lines + 1, cell_len(word)
    return lines


def _room(table: DataTable[Text], columns: int) -> int:
    """Cells left for text once padding and a vertical scrollbar are counted; 0 before layout."""
    if table.size.width == 0:
        return 0
    return (
        table.size.width - table.styles.scrollbar_size_vertical - 2 * table.cell_padding * columns
    )


def _fill(
    table: DataTable[Text],
    labels: list[Text],
    keys: list[str | None],
    rows: list[tuple[str | None, list[Text]]],
    widths: list[int],
) -> None:
    room = _room(table, len(labels))
    fitted = widths
    for short in (SHORT, 0) if room else ():  # short cells wrap too if there is no other way
        floors = [
            _floor(label, (cs[i] for _, cs in rows if i < len(cs)), short)
            for i, label in enumerate(labels)
        ]
        fitted = fit_widths(widths, floors, room)
        if sum(fitted) <= room:
            break
    wraps = [f < w for f, w in zip(fitted, widths, strict=True)]
    _FILLED[table] = _Filled(labels, keys, rows, widths, table.size.width)
    _follow_width(table)
    cursor = table.cursor_coordinate
    table.clear(columns=True)
    heads = [_lines(label.plain, width) for label, width in zip(labels, fitted, strict=True)]
    table.header_height = max(heads, default=1)
    for label, key, width in zip(labels, keys, fitted, strict=True):
        table.add_column(
            _wrapping(label) if cell_len(label.plain) > width else label, key=key, width=width
        )
    lines: dict[tuple[str, int], int] = {}  # a column of one rubric title: wrapped once

    def height(cells: list[Text]) -> int:
        tall = 1
        for i, c in enumerate(cells):
            if wraps[i] and cell_len(c.plain) > fitted[i]:
                found = (c.plain, fitted[i])
                if found not in lines:
                    lines[found] = wrapped_lines(c.plain, fitted[i])
                tall = max(tall, lines[found])
        return tall

    for key, cells in rows:
        shown = [_wrapping(c) if wraps[i] else c for i, c in enumerate(cells)]
        # each row's height given, as the table would measure it by rendering every cell
        # (1.8 s for a list of 1,000 audits)
        table.add_row(*shown, key=key, height=height(cells))
    if table.row_count and cursor != Coordinate(0, 0):
        table.cursor_coordinate = Coordinate(min(cursor.row, table.row_count - 1), cursor.column)


def _wrapping(text: Text) -> Text:
    wrapped = text.copy()
    wrapped.no_wrap = False
    wrapped.overflow = "fold"
    return wrapped


def _follow_width(table: DataTable[Text]) -> None:
    """Fit the table again after a layout that changed its width (the first, or a resize)."""
    if getattr(table, "_fits_its_width", False) or not table.is_attached:
        return
    table._fits_its_width = True  # type: ignore[attr-defined]

    def refit(_: object) -> None:
        filled = _FILLED.get(table)
        if filled is not None and table.is_attached and table.size.width != filled.width:
            _fill(table, filled.labels, filled.keys, filled.rows, filled.widths)

    table.screen.screen_layout_refresh_signal.subscribe(table, refit)
