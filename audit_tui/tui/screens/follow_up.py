"""What the feedback screen and the actions screen share: an action's status in words (overdue
said, not only coloured), who may change a case's follow-up, and the two small dialogs that
agree an action and move it on (done, dropped, open again) with a note."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input, Label

from audit_tui.domain.errors import AuditError
from audit_tui.domain.safe_text import one_line
from audit_tui.domain.words import plural
from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import Plain
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from audit_tui.domain.access import Access
    from audit_tui.domain.records import OpenAudit
    from audit_tui.store.follow_up import Action
    from audit_tui.store.repository import Repository
    from audit_tui.tui.store_link import WriteFailed

DATE_HINT = "dd/mm/yyyy or yyyy-mm-dd"


def day_text(day: date) -> str:
    """`13 Nov 2026`: a date as a UK reader says it, never ambiguous like 11/12."""
    return f"{day.day} {day:%b %Y}"


def status_text(action: Action, today: date) -> str:
    """The status in words with a mark: `open`, `⚠ OVERDUE by 13 days`, `✓ done`, `✗ dropped`."""
    if action.overdue(today):
        return f"⚠ OVERDUE by {plural((today - action.due).days, 'day')}"
    return {"done": "✓ done", "dropped": "✗ dropped"}.get(action.status, action.status)


def follow_up_refusal(access: Access | None, case_ref: str, allocated_to: str | None) -> str:
    """Why this user may not change the case's feedback and actions ("" when they may): the
    store's rule (the lead, or the auditor the case is allocated to; lock and sign-off do not
    close follow-up), said before a key is taken. The store checks again when writing."""
    from audit_tui.domain.access import Role

    if access is None or access.acts_as_lead:
        return ""
    try:
        access.member("feedback")
    except AuditError as exc:
        return exc.problems[0].message
    if access.role is Role.AUDITOR and allocated_to == access.user:
        return ""
    return (
        f"only the lead or the auditor case {one_line(case_ref)} is allocated to may change its"
        f" feedback and actions ({one_line(access.user)} is {access.role})"
    )


def parse_day(text: str) -> date:
    """A due date typed as 31/12/2026 or 2026-12-31; ValueError says what is wrong."""
    from audit_tui.io.caseload import parse_date

    if not text.strip():
        raise ValueError(f"give a date ({DATE_HINT})")
    return parse_date(text)


class _ActionWrite(FormDialog["Action"]):
    """One write, then close with the action as it is stored; a refusal is one line here."""

    def run_write(self, run: Callable[[Repository], Action]) -> None:
        self.say("Saving…")
        audit_app(self).store.write(self, run)

    def write_failed(self, message: WriteFailed) -> None:
        error = message.error
        if isinstance(error, AuditError):
            self.clear_errors()
            for problem in error.problems:  # one line per problem, beside its field if it has one
                field = {"action": "what", "note": "step-note"}.get(problem.file)
                if field and self.query(f"#error-{field}"):
                    self.error(field, problem.message)
                else:
                    self.error(None, problem.message)
            return
        self.error(None, message.line)


class ActionDialog(_ActionWrite):
    """Agree an action with the case's practitioner: what, and by when."""

    SUBMIT_LABEL = "Add the action"

    def __init__(self, audit: OpenAudit, case_ref: str) -> None:
        super().__init__()
        self.audit, self.case_ref = audit, case_ref

    def title_text(self) -> str:
        return f"An action for case {one_line(self.case_ref)}"

    def compose_fields(self) -> ComposeResult:
        yield Label("What the practitioner will do (no names)")
        yield Input(id="what", placeholder="e.g. Complete a risk of serious harm analysis")
        yield FieldError("what")
        yield Label(f"Due by ({DATE_HINT})")
        yield Input(id="due", placeholder="e.g. 31/12/2026")
        yield FieldError("due")

    def submit(self) -> None:
        from audit_tui.store.follow_up import add_action

        self.clear_errors(("what", "due"))
        what = self.query_one("#what", Input).value.strip()
        if not what:
            self.error("what", "Say what the practitioner will do")
        try:
            due = parse_day(self.query_one("#due", Input).value)
        except ValueError as exc:
            self.error("due", str(exc).capitalize())
            return
        if not what:
            return
        audit, ref = self.audit, self.case_ref
        self.run_write(lambda repo: add_action(repo, audit, ref, what, due))


STEPS = {
    "done": ("Mark done", "Note (optional: what was done)", False),
    "dropped": ("Drop the action", "Why it is dropped (required: kept in its history)", True),
    "open": ("Reopen", "Why it is open again (required: kept in its history)", True),
}


class ActionStepDialog(_ActionWrite):
    """Move an action on: done (a note if wished), dropped or open again (a note required)."""

    def __init__(self, action: Action, status: str) -> None:
        super().__init__()
        self.action, self.status = action, status
        self.SUBMIT_LABEL, self.label, self.required = STEPS[status]

    def title_text(self) -> str:
        a = self.action
        return f"{self.SUBMIT_LABEL}: action {a.id} on case {one_line(a.case_ref)} ({one_line(a.audit)})"

    def compose_fields(self) -> ComposeResult:
        a = self.action
        # not a .headline: those go on narrow screens, and this says which action it is
        yield Plain(f"{one_line(a.what)} (due {day_text(a.due)})", classes="action-what")
        yield Label(self.label)
        yield Input(id="step-note")  # not #note: that is the note dialog's box of text
        yield FieldError("step-note")

    def submit(self) -> None:
        from audit_tui.store.follow_up import update_action

        self.clear_errors(("step-note",))
        note = self.query_one("#step-note", Input).value.strip()
        if self.required and not note:
            self.error("step-note", "Say why (someone will ask)")
            return
        action_id, status = self.action.id, self.status
        self.run_write(lambda repo: update_action(repo, action_id, status=status, note=note))


class ActionDueDialog(_ActionWrite):
    """Move an action's due date, saying why (kept in its history)."""

    SUBMIT_LABEL = "Move the date"

    def __init__(self, action: Action) -> None:
        super().__init__()
        self.action = action

    def title_text(self) -> str:
        a = self.action
        return f"New date: action {a.id} on case {one_line(a.case_ref)} ({one_line(a.audit)})"

    def compose_fields(self) -> ComposeResult:
        a = self.action
        yield Plain(f"{one_line(a.what)} (due {day_text(a.due)})", classes="action-what")
        yield Label(f"Due by ({DATE_HINT})")
        yield Input(id="due", placeholder="e.g. 31/12/2026")
        yield FieldError("due")
        yield Label("Why the date moves (required: kept in its history)")
        yield Input(id="step-note")
        yield FieldError("step-note")

    def submit(self) -> None:
        from audit_tui.store.follow_up import update_action

        self.clear_errors(("due", "step-note"))
        note = self.query_one("#step-note", Input).value.strip()
        try:
            due = parse_day(self.query_one("#due", Input).value)
        except ValueError as exc:
            self.error("due", str(exc).capitalize())
            return
        if not note:
            self.error("step-note", "Say why (someone will ask)")
            return
        action_id = self.action.id
        self.run_write(lambda repo: update_action(repo, action_id, due=due, note=note))


DUE = "due"
"""The step that moves an action's date rather than its status."""


def step_dialog(action: Action, step: str) -> _ActionWrite:
    """The dialog for a step: a new status, or (DUE) a new date."""
    return ActionDueDialog(action) if step == DUE else ActionStepDialog(action, step)


def already(action: Action, status: str) -> str:
    """Said instead of opening the dialog when the action is in that state already."""
    if action.status == status:
        return f"Action {action.id} is already {status}"
    return ""
