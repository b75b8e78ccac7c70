"""Export the audit's report to a file: a name, a format, written whole or not at all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit


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
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self.query_one("#errors", Static).update("✗ Give a file name.")
            return
        path = Path(raw).expanduser()
        fmt = str(self.query_one("#format", Select).value)
        notes = self.query_one("#notes", Checkbox).value
        audit = self.audit
        self.query_one("#errors", Static).update(f"Writing {path}…")

        def run(repo: Any) -> Path:
            from audit_tui.reporting.render import render_report, write_atomically

            write_atomically(path, render_report(repo, audit, fmt, notes))
            return path

        self.app.link.submit(run, lambda p, err: self.app.call_from_thread(self._done, p, err))  # type: ignore[attr-defined]

    def _done(self, path: Path | None, error: BaseException | None) -> None:
        if error is not None:
            self.query_one("#errors", Static).update(f"✗ {error}")
            return
        self.app.notify(f"Report written to {path}")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
