"""The new-audit dialog: name, PDU, region and a rubric from those installed; says what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from audit_tui.tui.text import literal


@dataclass(frozen=True)
class NewAudit:
    name: str
    pdu: str
    region: str
    rubric_id: str


class NewAuditDialog(ModalScreen[NewAudit | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "create", "Create", id="create"),
    ]

    def __init__(self, rubrics: list[tuple[str, str]], taken: set[str]) -> None:
        """`rubrics`: (id, label) pairs; `taken`: audit names already in use."""
        super().__init__()
        self.rubrics, self.taken = rubrics, taken

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Static("New audit", classes="dialog-title")
            yield Label("Name (how reports and the command line refer to it)")
            yield Input(id="name", placeholder="e.g. tameside-2024-q2")
            yield Label("PDU")
            yield Input(id="pdu", placeholder="e.g. Tameside")
            yield Label("Region")
            yield Input(id="region", placeholder="e.g. Greater Manchester")
            yield Label("Framework (rubric)")
            only = self.rubrics[0][0] if len(self.rubrics) == 1 else Select.NULL
            yield Select(
                [(literal(label), rid) for rid, label in self.rubrics],
                id="rubric",
                value=only,
                prompt="choose…",
            )
            yield Static("", id="errors", classes="errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create", variant="primary", id="create")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def problems(self) -> list[str]:
        name = self.query_one("#name", Input).value.strip()
        problems = []
        if not name:
            problems.append("Name: give the audit a name")
        elif len(name) > 80:
            problems.append("Name: keep it under 80 characters")
        elif name in self.taken:
            problems.append(f"Name: an audit named {name!r} already exists")
        if self.query_one("#rubric", Select).value is Select.NULL:
            problems.append("Framework: choose a rubric")
        return problems

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        problems = self.problems()
        if problems:
            self.query_one("#errors", Static).update("\n".join(f"✗ {p}" for p in problems))
            return
        self.dismiss(
            NewAudit(
                self.query_one("#name", Input).value.strip(),
                self.query_one("#pdu", Input).value.strip(),
                self.query_one("#region", Input).value.strip(),
                str(self.query_one("#rubric", Select).value),
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
