"""Import cases from a CSV file: every problem listed, nothing imported unless the whole file is
good. Cases already in the audit can be updated from the file (their attributes changed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import Input, Label, RadioButton, RadioSet

from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import literal
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit
    from audit_tui.store.repository import Repository
    from audit_tui.tui.store_link import WriteFailed


class ImportCasesDialog(FormDialog[bool]):
    SUBMIT_LABEL = "Import"

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit

    def title_text(self) -> str:
        return f"Import cases into {self.audit.info.name}"

    def compose_fields(self) -> ComposeResult:
        columns = ", ".join(["case_ref", *(a.id for a in self.audit.rubric.attributes)])
        yield Label(literal(f"CSV file (UTF-8, a header row; columns: {columns})"))
        yield Input(placeholder="path/to/cases.csv", id="path")
        yield FieldError("path")
        yield Label("Cases already in the audit")
        with RadioSet(id="existing"):
            yield RadioButton("Refuse the file if it names one", value=True, id="refuse")
            yield RadioButton("Update their attributes from the file", id="update")

    @property
    def dirty(self) -> bool:
        return False  # a path, easily typed again: Esc leaves without asking

    def submit(self) -> None:
        self.clear_errors(("path",))
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.error("path", "Give the path of a CSV file")
            return
        path = Path(raw).expanduser()
        update = self.query_one("#update", RadioButton).value
        self.say(f"Importing {path}…")
        audit = self.audit

        def run(repo: Repository) -> str:
            from audit_tui.io.imports import import_cases

            return str(import_cases(repo, audit, path, update=update))

        audit_app(self).store.write(self, run)

    def write_failed(self, message: WriteFailed) -> None:
        """At most 20 problems, escaped, as plain text (a file name or cell holding "[...]" or
        control characters shows as it is)."""
        from audit_tui.domain.errors import AuditError, problem_lines

        error = message.error
        if isinstance(error, AuditError):
            shown = [f"✗ {line}" for line in problem_lines(error.problems)]
            self.query_one("#error-form", FieldError).say(
                "Nothing was imported:\n" + "\n".join(shown)
            )
        else:
            self.error(None, message.line)

    def committed(self, result: str) -> None:
        audit_app(self).audit_changed(self.audit.info.name)
        self.app.notify(f"Imported: {result}", markup=False)
        self.dismiss(True)
