"""A team's operations that need a word from the user: allocating a case to an auditor, and
the reason for unlocking an audit; and an item's history, read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from audit_tui.domain.errors import AuditError
from audit_tui.domain.safe_text import one_line
from audit_tui.tui.screens.form import FieldError
from audit_tui.tui.screens.help import HELP_IN_A_DIALOG
from audit_tui.tui.screens.operations import ReasonDialog, _StoreDialog
from audit_tui.tui.text import Plain
from audit_tui.tui.widgets.tables import add_rows

if TYPE_CHECKING:
    from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit
    from audit_tui.store.trail import Change


class AllocateDialog(_StoreDialog):
    SUBMIT_LABEL = "Allocate"

    def __init__(self, audit: OpenAudit, case: CaseInfo) -> None:
        super().__init__()
        self.audit, self.case = audit, case

    def title_text(self) -> str:
        return f"Allocate case {self.case.case_ref}"

    def compose_fields(self) -> ComposeResult:
        now = one_line(self.case.allocated_to) or "nobody yet"
        yield Plain(f"Allocated to: {now}", classes="headline")
        yield Label("Auditor (their login name; someone new joins the audit as an auditor)")
        yield self.filled("auditor", self.case.allocated_to)
        yield FieldError("auditor")

    def submit(self) -> None:
        from audit_tui.domain.identity import login_name
        from audit_tui.store import team

        self.clear_errors(("auditor",))
        typed = self.typed("auditor")
        if typed and typed == self.case.allocated_to:  # left as shown: nothing changes
            self.unchanged(f"Case {self.case.case_ref}'s auditor is")
            return
        try:
            name = login_name(typed, "auditor")
        except AuditError as exc:
            self.error("auditor", exc.problems[0].message)  # as typed: no case changed
            return
        if name == self.case.allocated_to:
            self.unchanged(f"Case {self.case.case_ref}'s auditor is")
            return
        audit, ref = self.audit, self.case.case_ref
        self.run_write(lambda repo: team.allocate(repo, audit, [name], cases=[ref]), name)


class UnlockDialog(ReasonDialog):
    SUBMIT_LABEL = "Unlock"
    HEADLINE = "Its figures may change again once unlocked. Your reason is kept in the audit's log."
    LABEL = "Reason (e.g. 'moderation found an answer to correct')"
    EMPTY = "Say why the audit is unlocked"

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit

    def title_text(self) -> str:
        return f"Unlock {self.audit.info.name}"

    def write(self, reason: str) -> None:
        from audit_tui.store import team

        audit = self.audit
        self.run_write(lambda repo: team.unlock_audit(repo, audit, reason), reason)


class ConflictDialog(ModalScreen[bool]):
    """Another auditor changed an answer between the moment you saw it and your key: theirs
    and yours side by side; you choose. Dismisses True for yours, False to keep theirs."""

    BINDINGS = [
        Binding("m", "mine", "Use mine", id="conflict_mine"),
        Binding("escape,k", "theirs", "Keep theirs", id="conflict_theirs"),
        HELP_IN_A_DIALOG,
    ]

    def __init__(
        self, case_ref: str, item_id: str, text: str, theirs: AnswerInfo, mine: str | None
    ) -> None:
        super().__init__()
        self.case_ref, self.item_id, self.text = case_ref, item_id, text
        self.theirs, self.mine = theirs, mine

    def compose(self) -> ComposeResult:
        words = {"yes": "Yes", "no": "No", "na": "N/A"}
        who = one_line(self.theirs.updated_by) or "someone"
        with Vertical(classes="dialog"):
            yield Plain(
                f"{who} changed {self.item_id} of case {one_line(self.case_ref)} since you looked",
                classes="dialog-title",
            )
            yield Plain(one_line(self.text), classes="headline")
            yield Plain(
                f"Theirs: {words.get(self.theirs.value or '', 'unanswered')}"
                f"      Yours: {words.get(self.mine or '', 'unanswered')}",
                id="conflict-values",
            )
            with Horizontal(classes="buttons"):
                yield Button("Keep theirs (k)", id="theirs", variant="primary")
                yield Button("Use mine (m)", id="mine", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#theirs", Button).focus()

    @on(Button.Pressed, "#mine")
    def action_mine(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#theirs")
    def action_theirs(self) -> None:
        self.dismiss(False)


class HistoryScreen(ModalScreen[None]):
    """Every change to one item of one case: when, who, from what to what, how."""

    HELP_TITLE = "History"
    BINDINGS = [Binding("escape,h", "close", "Close", id="close_history"), HELP_IN_A_DIALOG]

    def __init__(self, title: str, changes: list[Change]) -> None:
        super().__init__()
        self.title_line, self.changes = title, changes

    def compose(self) -> ComposeResult:
        from audit_tui.reporting.trail import entries, noted_keys, readable_rows

        with Vertical(classes="dialog"):
            yield Plain(self.title_line, classes="dialog-title")
            if not self.changes:
                yield Plain("No change recorded yet.")
                return
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("When (UTC)", "Who", "Change", "Via")
            rows = readable_rows(entries(self.changes, []), noted_keys(self.changes))
            add_rows(table, ((when, who, change, how) for when, who, _what, change, how in rows))
            yield table
            yield Static("Esc to close", classes="status")

    def action_close(self) -> None:
        self.dismiss(None)
