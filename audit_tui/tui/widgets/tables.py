"""Filling a DataTable in one go with widths taken from its content, so it lays out the same
every time (auto widths computed lazily can be caught half-done). Every cell and heading is shown
literally: audit names and attribute values are data, never markup."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

from audit_tui.tui.text import cell


def fill_table(
    table: DataTable[Text],
    columns: Sequence[tuple[str, str]],
    rows: Sequence[tuple[str, Sequence[str]]],
) -> None:
    """`columns`: (label, key); `rows`: (row key, cells)."""
    widths = [len(label) for label, _ in columns]
    for _, cells in rows:
        widths = [max(w, len(str(c))) for w, c in zip(widths, cells, strict=True)]
    table.clear(columns=True)
    for (label, key), width in zip(columns, widths, strict=True):
        table.add_column(cell(label), key=key, width=width)
    for key, cells in rows:
        table.add_row(*(cell(str(c)) for c in cells), key=key)
