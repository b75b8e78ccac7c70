"""The audit's timeline: every change to its answers and judgements and every event (members,
allocation, sign-off, lock, cases opened, reports taken out), newest first, filtered as typed by
person, case, item, event or date (`2026-11-26`, `ann`, `QA-001`, `export`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.widgets.tables import add_rows
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit

SHOWN = 2000
"""Rows drawn at most: a 10,000-case audit has hundreds of thousands of changes; the filter
searches them all and shows the newest matches."""
Row = tuple[str, ...]


@dataclass
class TimelineRead(Message, bubble=False):
    """The timeline's rows (newest first) and the text each is searched by."""

    rows: list[Row]
    haystack: list[str]


class TimelineScreen(ReportsFailures, Screen[None]):
    HELP_TITLE = "Timeline"
    AUTO_FOCUS = "#timeline-filter"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit
        self.rows: list[Row] = []
        self._haystack: list[str] = []

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(f"Timeline of {one_line(self.audit.info.name)}", classes="screen-title")
        yield Input(
            placeholder="Filter: a person, case, item, event or date (e.g. ann, QA-001, 2026-11)",
            id="timeline-filter",
        )
        table: DataTable[Text] = DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("Reading the audit trail…", id="timeline-status", classes="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("When (UTC)", "Who", "What", "Change", "How / why")
        self.load()

    @work(thread=True, exclusive=True, group="timeline", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.reporting.trail import entries, noted_keys, readable_rows
        from audit_tui.store import trail

        repo = audit_app(self).store.repo
        changes = trail.changes(repo, self.audit)
        found = entries(changes, trail.events(repo, self.audit))
        rows = readable_rows(found, noted_keys(changes))[::-1]  # newest first
        haystack = [" ".join(row).casefold() for row in rows]
        self.post_message(TimelineRead(rows, haystack))

    @on(TimelineRead)
    def _loaded(self, message: TimelineRead) -> None:
        rows, haystack = message.rows, message.haystack
        self.rows, self._haystack = rows, haystack
        self._show(self.query_one("#timeline-filter", Input).value)

    @on(Input.Changed, "#timeline-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#timeline-filter")
    def _to_table(self) -> None:
        self.set_focus(self.query_one(DataTable))

    def _show(self, query: str) -> None:
        """Every word typed must appear in the row (in any column)."""
        words = query.casefold().split()
        picked = [
            row
            for row, text in zip(self.rows, self._haystack, strict=True)
            if all(w in text for w in words)
        ]
        table = self.query_one(DataTable)
        table.clear()
        add_rows(table, picked[:SHOWN])
        more = f" (the newest {SHOWN:,} shown)" if len(picked) > SHOWN else ""
        total = f" of {len(self.rows):,}" if words else ""
        self.query_one("#timeline-status", Static).update(
            f"{len(picked):,}{total} entries{more} · newest first · Esc back"
        )

    def action_back(self) -> None:
        box = self.query_one("#timeline-filter", Input)
        if self.focused is box and box.value:
            box.value = ""
            return
        self.app.pop_screen()
