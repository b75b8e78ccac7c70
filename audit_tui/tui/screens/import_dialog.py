"""Import cases from a CSV file: every problem listed, nothing imported unless the whole file is good."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit
    from audit_tui.store.repository import Repository


class ImportCasesDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit

    def compose(self) -> ComposeResult:
        columns = ", ".join(["case_ref", *(a.id for a in self.audit.rubric.attributes)])
        with Vertical(classes="dialog"):
            yield Static(
                f"Import cases into {self.audit.info.name}", classes="dialog-title", markup=False
            )
            yield Label(f"CSV file (UTF-8, header row; columns: {columns})", markup=False)
            yield Input(placeholder="path/to/cases.csv", id="path")
            yield Static("", id="errors", classes="errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Import", variant="primary", id="import")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#import")
    def run_import(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        errors = self.query_one("#errors", Static)
        if not raw:
            errors.update("✗ Give the path of a CSV file.")
            return
        path = Path(raw).expanduser()
        errors.update(f"Importing {path}…")
        audit = self.audit

        def run(repo: Repository) -> int:
            from audit_tui.io.imports import import_cases

            return import_cases(repo, audit, path)

        audit_app(self).store.write(run, self._done, self._failed)

    def _failed(self, error: Exception) -> None:
        """Show at most 20 problems, escaped, as plain text (Content: never read as markup, so a
        file name or cell holding "[...]" or control characters shows as it is)."""
        from audit_tui.domain.errors import AuditError, problem_lines
        from audit_tui.tui.store_link import describe_error

        errors = self.query_one("#errors", Static)
        if isinstance(error, AuditError):
            shown = [f"✗ {line}" for line in problem_lines(error.problems)]
            errors.update(Content("Nothing was imported:\n" + "\n".join(shown)))
        else:
            errors.update(Content(f"✗ {describe_error(error)}"))

    def _done(self, count: int) -> None:
        audit_app(self).audit_changed(self.audit.info.name)
        self.app.notify(f"Imported {count} cases")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
