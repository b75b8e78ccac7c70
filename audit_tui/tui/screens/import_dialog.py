"""Import cases from a CSV file: every problem listed, nothing imported unless the whole file is good."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit


class ImportCasesDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, audit: OpenAudit) -> None:
        super().__init__()
        self.audit = audit

    def compose(self) -> ComposeResult:
        columns = ", ".join(["case_ref", *(a.id for a in self.audit.rubric.attributes)])
        with Vertical(classes="dialog"):
            yield Static(f"Import cases into {self.audit.info.name}", classes="dialog-title")
            yield Label(f"CSV file (UTF-8, header row; columns: {columns})")
            yield Input(placeholder="path/to/cases.csv", id="path")
            yield Static("", id="errors", classes="errors")
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

        def run(repo: Any) -> int:
            from audit_tui.io.imports import import_cases

            return import_cases(repo, audit, path)

        self.app.link.submit(run, lambda n, err: self.app.call_from_thread(self._done, n, err))  # type: ignore[attr-defined]

    def _done(self, count: int | None, error: BaseException | None) -> None:
        from audit_tui.domain.errors import AuditError

        errors = self.query_one("#errors", Static)
        if isinstance(error, AuditError):
            lines = [f"✗ {p}" for p in error.problems]
            shown = lines[:30] + ([f"… and {len(lines) - 30} more"] if len(lines) > 30 else [])
            errors.update("Nothing was imported:\n" + "\n".join(shown))
            return
        if error is not None:
            errors.update(f"✗ {error}")
            return
        self.app.audit_changed(self.audit.info.name)  # type: ignore[attr-defined]
        self.app.notify(f"Imported {count} cases")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
