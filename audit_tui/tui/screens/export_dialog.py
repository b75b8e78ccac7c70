"""Export the audit's report to a file: a format, a folder and a file name, written whole or not
at all. The last format and folder are remembered; the file name proposed is safe to share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, Label, RadioButton, RadioSet, Select

from audit_tui.paths import default_export_folder
from audit_tui.reporting.formats import EXPORT_WORDS
from audit_tui.tui.prefs import existing_folder, remember, remembered, safe_file_stem
from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import literal
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit
    from audit_tui.store.repository import Repository

FORMAT_WORDS = EXPORT_WORDS  # the format table's words (reporting/formats.py)
DEFAULT_FORMAT = "html"


@dataclass
class TargetChecked(Message, bubble=False):
    """The chosen file may be written (`exists`: it would replace one, so ask first)."""

    path: Path
    fmt: str
    notes: bool
    protect: list[Path]
    exists: bool


@dataclass
class Exported(Message, bubble=False):
    """The document is written, whole, to `path`."""

    path: Path
    fmt: str


class ExportDialog(FormDialog[Path]):
    SUBMIT_LABEL = "Export"
    FORMAT_WORDS = FORMAT_WORDS
    NOTES = (
        "Auditors' notes (free text: it may hold personal data)",
        "Leave the notes out",
        "Include the notes",
    )
    """The notes question and its two answers: a subclass exporting something else words them."""
    NOTE_CHOICE: type[RadioButton] = RadioButton
    PURPOSE = (
        "Purpose (why the report leaves; kept in the audit's log)",
        "e.g. for the PDU's quality board",
    )

    def __init__(self, audit: OpenAudit, formats: tuple[str, ...]) -> None:
        super().__init__()
        self.purpose = ""
        self.audit, self.formats = audit, formats
        last = remembered("export")
        fmt = last.get("format")
        self.format = fmt if isinstance(fmt, str) and fmt in formats else DEFAULT_FORMAT
        folder = existing_folder(str(last.get("folder", "")))
        self.folder = folder or default_export_folder()

    def title_text(self) -> str:
        return f"Export the report of {self.audit.info.name}"

    def proposed_name(self, fmt: str) -> str:
        return f"{safe_file_stem(self.audit.info.name)}-report-{date.today().isoformat()}.{fmt}"

    def compose_fields(self) -> ComposeResult:
        yield Label("Format")
        yield Select(
            [(literal(self.FORMAT_WORDS.get(f, f)), f) for f in self.formats],
            value=self.format,
            id="format",
            allow_blank=False,
        )
        yield FieldError("format")
        yield Label("Folder")
        yield self.filled("folder", str(self.folder))  # remembered in a file: shown escaped
        yield FieldError("folder")
        yield Label("File name")
        yield Input(value=self.proposed_name(self.format), id="name")
        yield FieldError("name")
        question, leave_out, include = self.NOTES
        yield Label(question)
        with RadioSet(id="notes"):
            yield self.NOTE_CHOICE(leave_out, value=True, id="notes-out")
            yield self.NOTE_CHOICE(include, id="notes-in")
        label, hint = self.PURPOSE
        yield Label(label)
        yield Input(placeholder=hint, id="purpose")

    def first_field(self) -> Input:
        return self.query_one("#name", Input)

    @property
    def dirty(self) -> bool:
        return False  # choices, not work: Esc leaves without asking

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        name = self.query_one("#name", Input)
        stem = Path(name.value).stem if name.value.strip() else self.proposed_name("x")[:-2]
        name.value = f"{stem}.{event.value}"

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        """A file name ending in a known format's extension picks that format, so a file called
        report.xlsx never holds JSON."""
        suffix = Path(event.value.strip()).suffix.lower().lstrip(".")
        select = self.query_one("#format", Select)
        if suffix in self.formats and select.value != suffix:
            select.value = suffix

    def chosen_path(self) -> Path | None:
        self.clear_errors(("format", "folder", "name"))
        folder = existing_folder(self.typed("folder"))
        name = self.query_one("#name", Input).value.strip()
        if folder is None:
            self.error("folder", "No such folder: give one that exists")
        if not name:
            self.error("name", "Give a file name")
        elif "/" in name or name in (".", ".."):
            self.error("name", "A file name only (the folder goes above)")
            return None
        return (folder / name).resolve() if folder and name else None

    def submit(self) -> None:
        """Check the target off the event loop first: a refusal (a database, a link, a folder)
        shows here, and a file that exists is replaced only once the user says so."""
        path = self.chosen_path()
        if path is None:
            return
        fmt = str(self.query_one("#format", Select).value)
        notes = self.query_one("#notes-in", RadioButton).value
        protect = self._protected()
        self.purpose = self.query_one("#purpose", Input).value

        def check(repo: Repository) -> bool:
            import os

            from audit_tui.domain.errors import AuditError
            from audit_tui.reporting.render import database_files, refusal

            why = refusal(path, [*protect, *database_files(repo)])
            if why:
                raise AuditError.at(str(path), why)
            return os.path.lexists(path)

        audit_app(self).store.write(
            self, check, lambda exists: TargetChecked(path, fmt, notes, protect, exists)
        )

    @on(TargetChecked)
    def _checked(self, message: TargetChecked) -> None:
        path, fmt, notes, protect = message.path, message.fmt, message.notes, message.protect
        if not message.exists:
            self._write(path, fmt, notes, protect)
            return
        from audit_tui.tui.screens.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(path, fmt, notes, protect)
            else:
                self.say(f"{path} was not replaced.")

        self.app.push_screen(
            ConfirmDialog(f"{path} already exists. Replace it?", "Replace"), answered
        )

    def _protected(self) -> list[Path]:
        """The app's SQLite file (not a database URL): a report must never replace it."""
        target = audit_app(self).db_target
        return [Path(target).expanduser()] if target and "://" not in target else []

    def _write(self, path: Path, fmt: str, notes: bool, protect: list[Path]) -> None:
        audit, purpose = self.audit, self.purpose
        self.say(f"Writing {path}…")

        def run(repo: Repository) -> Path:
            from audit_tui.reporting.render import (
                database_files,
                export_detail,
                render_report,
                write_atomically,
            )
            from audit_tui.store import events

            content = render_report(repo, audit, fmt, notes)
            events.record_access(
                repo, audit, "export", export_detail(fmt, notes, str(path), purpose)
            )
            write_atomically(path, content, protect=[*protect, *database_files(repo)])
            return path

        audit_app(self).store.write(self, run, lambda written: Exported(written, fmt))

    @on(Exported)
    def _exported(self, message: Exported) -> None:
        self._done(message.path, message.fmt)

    def _done(self, path: Path, fmt: str) -> None:
        remember("export", {"format": fmt, "folder": str(path.parent)})
        self.app.notify(f"Report written to {path}", title="Exported", markup=False, timeout=12)
        self.dismiss(path)
