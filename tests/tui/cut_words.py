"""Finding words cut at a border in what a screen draws.

A word is cut when the screen shows only its start: "Requires impro" where a column, a panel or
the terminal ended, or "Overall ra…" before an ellipsis. The screen's text is read cell by cell
from Textual's compositor, which also says which widget drew each cell, so a token can be tested
where it ends: at the edge of the widget that drew it (only spaces after it), at a DataTable
column's edge, or before "…". Such a token is cut when it is the proper start of a word the app
could show and not itself such a word.

The words the app could show: every word of the app's own strings (its modules and help), of the
rubrics and the demo data, and, from the screen itself, every full cell and heading of its
tables and every key's description, which may be cut where they are drawn.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable

from tests.support.paths import ROOT

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Cut:
    """A token drawn at `row`, `column` that is only the start of a word such as `word`."""

    token: str
    word: str
    row: int
    column: int
    line: str

    def __str__(self) -> str:
        return (
            f"{self.token!r} (of {self.word!r}) at {self.row},{self.column}: {self.line.rstrip()!r}"
        )


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def _string_constants(source: str) -> Iterator[str]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


@cache
def app_vocabulary() -> frozenset[str]:
    """Every word in the app's string literals, its help, the shipped rubrics and demo data."""
    found: set[str] = set()
    for module in (ROOT / "audit_tui").rglob("*.py"):
        for constant in _string_constants(module.read_text(encoding="utf-8")):
            found |= words(constant)
    for pattern in ("audit_tui/**/*.md", "rubric/*.toml", "data/*"):
        for path in ROOT.glob(pattern):
            if path.is_file() and path.suffix in {".md", ".toml", ".csv", ".txt"}:
                found |= words(path.read_text(encoding="utf-8"))
    return frozenset(found)


def screen_vocabulary(screen: Screen[object]) -> set[str]:
    """Words the screen holds in full but may draw cut: its tables' cells and headings, its keys."""
    found: set[str] = set()
    for table in screen.query(DataTable):
        for column in table.ordered_columns:
            found |= words(column.label.plain)
        for row in table.ordered_rows:
            for value in table.get_row(row.key):
                found |= words(str(value))
    for node in (screen.app, *screen.ancestors_with_self, *screen.walk_children()):
        for bindings in node._bindings.key_to_bindings.values():
            for binding in bindings:
                found |= words(binding.description) | words(binding.tooltip or "")
    found |= words(screen.app.title) | words(screen.app.sub_title)
    found |= words(str(getattr(screen, "title", "") or "")) | words(
        str(getattr(screen, "sub_title", "") or "")
    )
    return found


def _owners(screen: Screen[object]) -> tuple[list[str], list[list[Widget | None]]]:
    """The screen's lines of text, and which widget drew each cell."""
    compositor = screen._compositor
    strips = compositor.render_strips()
    lines = [strip.text for strip in strips]
    owners: list[list[Widget | None]] = [[None] * len(line) for line in lines]
    for widget, (region, clip) in compositor.visible_widgets.items():  # the topmost first
        seen = region.intersection(clip)
        for y in range(max(seen.y, 0), min(seen.bottom, len(owners))):
            for x in range(max(seen.x, 0), min(seen.right, len(owners[y]))):
                if owners[y][x] is None:
                    owners[y][x] = widget
    return lines, owners


def _column_edges(screen: Screen[object]) -> set[tuple[int, int]]:
    """(row, x) just past the text of each visible DataTable column: where a cell ends."""
    edges: set[tuple[int, int]] = set()
    for table in screen.query(DataTable):
        if not table.display or table.region.area == 0:
            continue
        region = table.content_region
        scroll_x = int(table.scroll_x)
        x = region.x - scroll_x + table._row_label_column_width
        for column in table.ordered_columns:
            width = column.get_render_width(table)
            edge = x + width - table.cell_padding
            if region.x <= edge <= region.right:
                for y in range(region.y, region.bottom):
                    edges.add((y, edge))
            x += width
    return edges


def _at_border(line: str, owner: list[Widget | None], end: int) -> bool:
    """Nothing but spaces from `end` to the edge of the widget that drew the token."""
    widget = owner[end - 1]
    x = end
    while x < len(line) and owner[x] is widget:
        if line[x] != " ":
            return (
                line[x] == ELLIPSIS or not line[x].isprintable() or line[x] in "▁▂▃▄▅▆▇█▉▊▋▌▍▎▏▐▕"
            )
        x += 1
    return True


def _clipped_edges(screen: Screen[object]) -> set[tuple[int, int]]:
    """(row, x) just past the last shown column of each widget whose text goes on beyond it:
    wider than the container showing it, or scrolled with more to its right."""
    edges: set[tuple[int, int]] = set()
    for widget, (region, clip) in screen._compositor.visible_widgets.items():
        content = widget.scrollable_content_region.intersection(clip)
        more_right = widget.max_scroll_x > widget.scroll_x if widget.is_scrollable else False
        if content.area and (region.right > clip.right or more_right):
            edges |= {(y, content.right) for y in range(content.y, content.bottom)}
    return edges


def find_cuts(screen: Screen[object], vocabulary: Iterable[str] = ()) -> list[Cut]:
    """Tokens the screen draws cut at a border (see the module's docstring)."""
    known = set(app_vocabulary()) | screen_vocabulary(screen) | set(vocabulary)
    by_length = sorted(known)
    lines, owners = _owners(screen)
    column_edges = _column_edges(screen)
    clipped = _clipped_edges(screen)
    cuts: list[Cut] = []
    for y, line in enumerate(lines):
        for match in WORD.finditer(line):
            token, end = match.group(), match.end()
            if isinstance(owners[y][end - 1], Screen | None):
                continue  # a screen beneath a dialog, showing through: checked on its own
            lower = token.lower()
            if (y, end) in clipped:  # the text goes on past the edge: a word there is cut too
                word = _longer_word(lower, by_length)
                if word is not None:
                    cuts.append(Cut(token, word, y, match.start(), line))
                continue
            if lower in known:
                continue
            ellipsis = end < len(line) and line[end] == ELLIPSIS
            if not (ellipsis or (y, end) in column_edges or _at_border(line, owners[y], end)):
                continue
            word = _longer_word(lower, by_length)
            if word is not None:
                cuts.append(Cut(token, word, y, match.start(), line))
    return cuts


def _longer_word(prefix: str, ordered: list[str]) -> str | None:
    """A known word that starts with `prefix` and is longer (`ordered` is sorted)."""
    from bisect import bisect_right

    i = bisect_right(ordered, prefix)
    if i < len(ordered) and ordered[i].startswith(prefix) and ordered[i] != prefix:
        return ordered[i]
    return None


def screen_text(screen: Screen[Any]) -> str:
    return "\n".join(_owners(screen)[0])
