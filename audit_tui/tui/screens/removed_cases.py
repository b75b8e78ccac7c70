"""Removal undone in the app: the cases removed from an audit (when, by whom, why), filtered as
typed, and the dialog that brings one back with its answers and history (the lead's; the
reason goes in the audit's log). `ctrl+z` on the dashboard offers it for the case just removed;
`R` lists every removed case."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Label, Static

from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural
from audit_tui.tui.screens.form import FieldError
from audit_tui.tui.screens.operations import ReasonDialog
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.header import SafeHeader
from audit_tui.tui.workers import ReportsFailures, audit_app

if TYPE_CHECKING:
    from audit_tui.domain.access import Access
    from audit_tui.domain.records import CaseInfo, OpenAudit

UNDO_REASON = "removed by mistake"
"""The reason offered when ctrl+z undoes a removal just made (the user may write another)."""
MIN_REASON = 20
"""The narrowest the reasons are wrapped to, however narrow the terminal."""
COLUMNS = (("Case", "ref"), ("Removed", "at"), ("By", "by"), ("Answered", "answered"),
           ("Reason", "reason"))  # fmt: skip


def removal_words(case: CaseInfo) -> str:
    """`removed on 2026-12-06 by ann: transferred out`."""
    day = f" on {case.removed_at:%Y-%m-%d}" if case.removed_at is not None else ""
    return f"removed{day} by {one_line(case.removed_by)}: {one_line(case.removed_reason)}"


class RestoreCaseDialog(ReasonDialog):
    """Bring a removed case back, saying why; closes with its reference once restored."""

    SUBMIT_LABEL = "Restore the case"
    LABEL = "Reason (kept in the audit's log; no names)"
    EMPTY = "Say why the case comes back"

    def __init__(self, audit: OpenAudit, case: CaseInfo, reason: str = "") -> None:
        super().__init__()
        self.audit, self.case, self.reason = audit, case, reason

    def title_text(self) -> str:
        return f"Restore case {self.case.case_ref} to {self.audit.info.name}"

    def compose_fields(self) -> ComposeResult:
        ref = one_line(self.case.case_ref)
        yield Plain(
            f"Case {ref} comes back into every count, rating and report, with its"
            f" {plural(self.case.answered, 'answer')} and their history. It was"
            f" {removal_words(self.case)}.",
            classes="dialog-note",
        )
        yield Label(self.LABEL)
        yield Input(self.reason, id="reason")
        yield FieldError("reason")

    def write(self, reason: str) -> None:
        from audit_tui.store.restore import restore_case

        audit, ref = self.audit, self.case.case_ref
        self.run_write(lambda repo: restore_case(repo, audit, ref, reason), ref)


@dataclass
class RemovedRead(Message, bubble=False):
    """The cases removed from the audit, the last removed first."""

    cases: list[CaseInfo]


class RemovedCasesScreen(ReportsFailures, Screen[str]):
    """The removed cases, newest removal first; Enter restores the highlighted one (the lead).
    Closes with the reference of a case restored, or None."""

    HELP_TITLE = "Removed cases"
    AUTO_FOCUS = "#removed"
    BINDINGS = [
        Binding("enter", "restore", "Restore", id="restore_removed",
                tooltip="Bring the highlighted case back into the audit, with a reason (the lead)"),
        Binding("slash", "filter", "Filter", id="filter_removed",
                tooltip="Show only removed cases holding some text"),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the dashboard"),
    ]  # fmt: skip

    def __init__(self, audit: OpenAudit, access: Access | None) -> None:
        super().__init__()
        self.audit, self.access = audit, access
        self.cases: list[CaseInfo] = []

    def compose(self) -> ComposeResult:
        yield SafeHeader()
        yield Plain(f"Cases removed from {one_line(self.audit.info.name)}", classes="screen-title")
        yield Input(
            placeholder="Filter: a case, a person, a reason or a date  /", id="removed-filter"
        )
        table: DataTable[Text] = DataTable(id="removed", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("Reading the removed cases…", id="removed-status", classes="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="removed-cases", exit_on_error=False)
    def load(self) -> None:
        from audit_tui.store import cases as case_ops

        cases = case_ops.removed_cases(audit_app(self).store.repo, self.audit)
        self.post_message(RemovedRead(cases[::-1]))

    @on(RemovedRead)
    def _loaded(self, message: RemovedRead) -> None:
        cases = message.cases
        self.cases = cases
        self._show(self.query_one("#removed-filter", Input).value)

    def on_resize(self) -> None:
        if self.cases:
            self._show(self.query_one("#removed-filter", Input).value)

    def _show(self, needle: str) -> None:
        needle = needle.strip().casefold()
        rows = [
            (
                str(c.id),
                [
                    one_line(c.case_ref),
                    f"{c.removed_at:%Y-%m-%d}" if c.removed_at is not None else "–",
                    one_line(c.removed_by),
                    f"{c.answered}/{c.applicable}",
                ],
                one_line(c.removed_reason),
            )
            for c in self.cases
        ]
        shown = [r for r in rows if needle in " ".join([*r[1], r[2]]).casefold()]
        self._fill(shown)
        if not self.cases:
            said = "No case has been removed from this audit"
        else:
            filtered = f" · {len(shown):,} shown" if needle else ""
            said = (
                f"{plural(len(self.cases), 'case')} removed{filtered} · Enter restores the"
                " highlighted case, with its answers and history (the lead)"
            )
        self.query_one("#removed-status", Static).update(said)

    def _fill(self, rows: list[tuple[str, list[str], str]]) -> None:
        """The table, its reasons wrapped at words in the width left to them (a reason is as
        long as 500 characters, a terminal as narrow as 80)."""
        table: DataTable[Text] = self.query_one("#removed", DataTable)
        widths = [len(label) for label, _ in COLUMNS[:-1]]
        for _, cells, _ in rows:
            widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
        # each column is padded by one cell either side; room is kept for the scroll bar
        room = max(MIN_REASON, self.size.width - sum(w + 2 for w in widths) - 4)
        table.clear(columns=True)
        for (label, key), width in zip(COLUMNS, [*widths, room], strict=True):
            table.add_column(Text(label), key=key, width=width)
        for key, cells, reason in rows:
            lines = textwrap.wrap(reason, room) or [""]
            table.add_row(
                *(Text(c, no_wrap=True, end="") for c in cells),
                Text("\n".join(lines), end=""),
                key=key,
                height=len(lines),
            )

    @on(Input.Changed, "#removed-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#removed-filter")
    def _filter_done(self) -> None:
        self.set_focus(self.query_one("#removed", DataTable))

    def action_filter(self) -> None:
        self.set_focus(self.query_one("#removed-filter", Input))

    def current(self) -> CaseInfo | None:
        table: DataTable[Text] = self.query_one("#removed", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((c for c in self.cases if str(c.id) == key), None)

    @on(DataTable.RowSelected, "#removed")
    def action_restore(self) -> None:
        case = self.current()
        if case is None:
            return
        if self.access is not None:
            from audit_tui.domain.errors import AuditError

            try:
                self.access.lead("restore")
            except AuditError as exc:
                self.notify(exc.problems[0].message, severity="warning", markup=False)
                return

        def restored(ref: str | None) -> None:
            if ref:
                self.dismiss(ref)

        self.app.push_screen(RestoreCaseDialog(self.audit, case), callback=restored)

    def action_back(self) -> None:
        if self.focused is self.query_one("#removed-filter", Input):
            self.set_focus(self.query_one("#removed", DataTable))
            return
        self.dismiss(None)
