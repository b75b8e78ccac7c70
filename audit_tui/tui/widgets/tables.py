"""Filling a DataTable in one go with widths taken from its content, so it lays out the same
every time (auto widths computed lazily can be caught half-done). Every cell and heading goes in
through `cell`: shown literally (audit names and attribute values are data, never markup), one
line, control characters escaped and cut; every DataTable of the app is filled from here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

from audit_tui.tui.text import cell


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
    table.clear(columns=True)
    for label, (_, key), width in zip(labels, columns, widths, strict=True):
        table.add_column(label, key=key, width=width)
    for key, cells in shown:
        table.add_row(*cells, key=key)


def fill_measured(
    table: DataTable[Text], head: Sequence[str], rows: Sequence[tuple[str, Sequence[str]]]
) -> None:
    """Replace the table's columns and rows, each column as wide as its widest cell measured in
    terminal cells (bars and marks): widths a DataTable would otherwise settle on a later
    refresh, after the first frame showed them cut. A row may have fewer cells than `head`."""
    labels = [cell(label) for label in head]
    shown = [(key, [cell(c) for c in cells]) for key, cells in rows]
    table.clear(columns=True)
    for i, label in enumerate(labels):
        widest = max(
            [
                cell_len(label.plain),
                *(cell_len(cells[i].plain) for _, cells in shown if i < len(cells)),
            ]
        )
        table.add_column(label, width=widest)
    for key, cells in shown:
        table.add_row(*cells, key=key)


def add_rows(table: DataTable[Text], rows: Iterable[Sequence[str]]) -> None:
    """Append rows of stored text to a table whose columns are set (widths left to it)."""
    table.add_rows([tuple(cell(c) for c in row) for row in rows])
