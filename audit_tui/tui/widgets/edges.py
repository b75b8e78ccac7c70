"""Home and End on a list: its first and last row, in every table and list of the app (a
DataTable's own Home and End scroll it sideways, and a ListView has none)."""

from __future__ import annotations

from textual.widget import Widget
from textual.widgets import DataTable, ListView


def to_edge(widget: Widget | None, last: bool) -> bool:
    """Put the cursor of `widget` (a list whose cursor is a row) on its first or last row;
    False for anything else, which keeps its own Home and End (a text box, a scrolling pane)."""
    if isinstance(widget, DataTable):
        if not (widget.show_cursor and widget.cursor_type == "row" and widget.row_count):
            return False
        widget.move_cursor(row=widget.row_count - 1 if last else 0)
        return True
    if isinstance(widget, ListView) and len(widget):
        widget.index = len(widget) - 1 if last else 0
        return True
    return False
