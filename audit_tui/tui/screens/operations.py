"""The everyday operations on an audit and its cases that need a word from the user: removing a
case (with the reason, kept in the audit's event log; restoring it is in removed_cases.py),
renaming an audit, deleting one (by typing its name, as on the command line)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input, Label

from audit_tui.domain.errors import AuditError
from audit_tui.domain.labels import clean_label
from audit_tui.domain.safe_text import one_line
from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import Plain
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.store.repository import Repository


class _StoreDialog(FormDialog[str]):
    """A dialog whose submit is one write; it closes with `outcome` once that is committed."""

    def run_write(self, run: Callable[[Repository], object], outcome: str) -> None:
        from audit_tui.tui.store_link import Committed

        self.say("Saving…")
        audit_app(self).store.write(self, run, lambda _r: Committed(outcome))


class ReasonDialog(_StoreDialog):
    """A change that must say why (kept in the audit's log): one reason field, then one write."""

    HEADLINE = ""
    LABEL = "Reason"
    EMPTY = "Say why"

    def compose_fields(self) -> ComposeResult:
        yield Plain(self.HEADLINE, classes="headline")
        yield Label(self.LABEL)
        yield Input(id="reason")
        yield FieldError("reason")

    def submit(self) -> None:
        self.clear_errors(("reason",))
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.error("reason", self.EMPTY)
            return
        self.write(reason)

    def write(self, reason: str) -> None:
        raise NotImplementedError


class RemoveCaseDialog(ReasonDialog):
    """Take a case out of the sample, saying why; closes with its reference once removed, and
    keeps the case as removed (`removed`) for the dashboard's ctrl+z to offer it back."""

    SUBMIT_LABEL = "Remove the case"
    LABEL = "Reason (e.g. 'sentence ended before the audit period'; no names)"
    EMPTY = "Say why the case leaves the audit"

    def __init__(self, audit: OpenAudit, case: CaseInfo) -> None:
        super().__init__()
        self.audit, self.case = audit, case
        self.removed: CaseInfo | None = None

    def title_text(self) -> str:
        return f"Remove case {self.case.case_ref} from {self.audit.info.name}"

    def compose_fields(self) -> ComposeResult:
        yield Plain(
            "The case leaves every count, rating and report. Its answers and their history are"
            " kept, and the removal goes in the audit's log with your reason. To undo it: ctrl+z"
            " on the dashboard, R to list the removed cases, or audit-tui restore-case.",
            classes="dialog-note",
        )
        yield Label(self.LABEL)
        yield Input(id="reason")
        yield FieldError("reason")

    def write(self, reason: str) -> None:
        from audit_tui.store import cases

        audit, ref = self.audit, self.case.case_ref
        self.say("Saving…")
        audit_app(self).store.write(self, lambda repo: cases.remove_case(repo, audit, ref, reason))

    def committed(self, result: CaseInfo) -> None:
        self.removed = result
        self.dismiss(result.case_ref)


class RenameAuditDialog(_StoreDialog):
    SUBMIT_LABEL = "Rename"

    def __init__(self, audit: OpenAudit, taken: set[str]) -> None:
        super().__init__()
        self.audit, self.taken = audit, taken

    def title_text(self) -> str:
        return f"Rename {self.audit.info.name}"

    def compose_fields(self) -> ComposeResult:
        yield Label("New name (how reports and the command line will refer to it)")
        yield self.filled("name", self.audit.info.name)
        yield FieldError("name")

    def submit(self) -> None:
        from audit_tui.store import audits

        self.clear_errors(("name",))
        typed = self.typed("name")
        if typed == self.audit.info.name:  # left as shown: nothing changes
            self.unchanged("The audit's name is")
            return
        try:
            name = clean_label(typed, "audit name", required=True)
        except AuditError as exc:
            self.error("name", exc.problems[0].message.capitalize())
            return
        if name == self.audit.info.name:
            self.unchanged("The audit's name is")
            return
        if name in self.taken:
            self.error("name", f"An audit named {name!r} already exists")
            return
        audit = self.audit
        self.run_write(lambda repo: audits.rename_audit(repo, audit, name), name)


class DeleteAuditDialog(_StoreDialog):
    SUBMIT_LABEL = "Delete for good"

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit

    def title_text(self) -> str:
        return f"Delete the audit {self.audit.info.name}"

    def compose_fields(self) -> ComposeResult:
        name = one_line(self.audit.info.name)
        yield Plain(
            f"Every case, answer, judgement and their history in {name} will be deleted. This"
            " cannot be undone: export the report first if you need it.",
            classes="headline",
        )
        yield Label("Type the audit's name to delete it")
        yield Input(id="confirm", placeholder=one_line(self.audit.info.name))
        yield FieldError("confirm")

    def submit(self) -> None:
        from audit_tui.store import audits

        self.clear_errors(("confirm",))
        typed = self.query_one("#confirm", Input).value.strip()
        # the name as shown will do: one holding a control character cannot be typed
        if typed not in (self.audit.info.name, one_line(self.audit.info.name)):
            self.error("confirm", "That is not the audit's name: nothing was deleted")
            return
        name = self.audit.info.name
        self.run_write(lambda repo: audits.delete_audit(repo, name), name)
