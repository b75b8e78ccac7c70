"""Export the audit's report to a file: a name, a format, written whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit
    from audit_tui.store.repository import Repository


class ExportDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, audit: OpenAudit, formats: tuple[str, ...]) -> None:
        super().__init__()
        self.audit, self.formats = audit, formats

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Export the report of {self.audit.info.name}", classes="dialog-title", markup=False
            )
            yield Label("Format")
            yield Select(
                [(f, f) for f in self.formats],
                value=self.formats[0],
                id="format",
                allow_blank=False,
            )
            yield Label("File name")
            yield Input(value=f"{self.audit.info.name}-report.{self.formats[0]}", id="path")
            yield Checkbox("Include auditors' notes (free text may hold personal data)", id="notes")
            yield Static("", id="errors", classes="errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        stem = Path(path.value).with_suffix("") if path.value else Path(self.audit.info.name)
        path.value = f"{stem}.{event.value}"

    @on(Input.Changed, "#path")
    def _name_changed(self, event: Input.Changed) -> None:
        """A file name ending in a known format's extension picks that format, so a file called
        report.xlsx never holds JSON."""
        suffix = Path(event.value.strip()).suffix.lower().lstrip(".")
        select = self.query_one("#format", Select)
        if suffix in self.formats and select.value != suffix:
            select.value = suffix

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#export")
    def export(self) -> None:
        """Check the target off the event loop first: a refusal (a database, a link, a folder)
        shows here, and a file that exists is replaced only once the user says so."""
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.query_one("#errors", Static).update("✗ Give a file name.")
            return
        path = Path(raw).expanduser()
        fmt = str(self.query_one("#format", Select).value)
        notes = self.query_one("#notes", Checkbox).value
        protect = self._protected()

        def check(repo: Repository) -> bool:
            import os

            from audit_tui.domain.errors import AuditError
            from audit_tui.reporting.render import database_files, refusal

            why = refusal(path, [*protect, *database_files(repo)])
            if why:
                raise AuditError.at(str(path), why)
            return os.path.lexists(path)

        def checked(exists: bool) -> None:
            if exists:
                from audit_tui.tui.screens.confirm import ConfirmDialog

                def answered(yes: bool | None) -> None:
                    if yes:
                        self._write(path, fmt, notes, protect)
                    else:
                        self.query_one("#errors", Static).update(f"{path} not replaced.")

                self.app.push_screen(
                    ConfirmDialog(f"{path} already exists. Replace it?", "Replace"), answered
                )
            else:
                self._write(path, fmt, notes, protect)

        audit_app(self).store.write(check, checked, self._failed)

    def _protected(self) -> list[Path]:
        """The app's SQLite file (not a database URL): a report must never replace it."""
        target = str(getattr(self.app, "db_target", "") or "")
        return [Path(target).expanduser()] if target and "://" not in target else []

    def _write(self, path: Path, fmt: str, notes: bool, protect: list[Path]) -> None:
        audit = self.audit
        self.query_one("#errors", Static).update(f"Writing {path}…")

        def run(repo: Repository) -> Path:
            from audit_tui.reporting.render import database_files, render_report, write_atomically

            content = render_report(repo, audit, fmt, notes)
            write_atomically(path, content, protect=[*protect, *database_files(repo)])
            return path

        audit_app(self).store.write(run, self._done, self._failed)

    def _failed(self, error: Exception) -> None:
        """A refusal or a failed write, in one line; the dialog stays open to choose again."""
        from audit_tui.tui.store_link import describe_error

        self.query_one("#errors", Static).update(f"✗ {describe_error(error)}")

    def _done(self, path: Path) -> None:
        self.app.notify(f"Report written to {path}", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
