"""Add a case or edit its attributes: checked against the rubric, saved only when all is well."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from audit_tui.tui.text import literal
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.store.repository import Repository


class CaseDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "save", "Save", id="save"),
    ]

    def __init__(self, audit: OpenAudit, case: CaseInfo | None, taken: set[str]) -> None:
        super().__init__()
        self.audit, self.case, self.taken = audit, case, taken

    def compose(self) -> ComposeResult:
        title = f"Edit case {self.case.case_ref}" if self.case else "Add a case"
        with VerticalScroll(classes="dialog"):
            yield Static(title, classes="dialog-title", markup=False)
            yield Label("Case reference (pseudonymous: no names)")
            yield Input(
                value=self.case.case_ref if self.case else "",
                id="case_ref",
                placeholder="e.g. TS24-031",
                disabled=self.case is not None,
            )
            for attr in self.audit.rubric.attributes:
                current = self.case.attributes.get(attr.id) if self.case else None
                yield Label(f"{attr.label}{'' if attr.required else ' (optional)'}", markup=False)
                yield Select(
                    [(literal(v), v) for v in attr.values],
                    value=current if current else Select.NULL,
                    id=f"attr-{attr.id}",
                    prompt="choose…",
                    allow_blank=True,
                )
            yield Static("", id="errors", classes="errors", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus() if self.case is None else self.query(
            Select
        ).first().focus()

    def values(self) -> tuple[str, dict[str, str]]:
        ref = self.query_one("#case_ref", Input).value.strip()
        attrs = {}
        for attr in self.audit.rubric.attributes:
            value = self.query_one(f"#attr-{attr.id}", Select).value
            attrs[attr.id] = "" if value is Select.NULL else str(value)
        return ref, attrs

    def problems(self) -> tuple[list[str], dict[str, str]]:
        from audit_tui.domain.cases import check_case_ref, clean_attributes

        ref, raw = self.values()
        problems = []
        if self.case is None:
            issue = check_case_ref(ref)
            if issue:
                problems.append(issue)
            elif ref in self.taken:
                problems.append(f"case_ref {ref!r} is already in this audit")
        clean, attr_problems = clean_attributes(self.audit.rubric, raw)
        labels = {a.id: a.label for a in self.audit.rubric.attributes}
        problems += [f"{labels.get(name, name)}: {msg}" for name, msg in attr_problems]
        return problems, clean

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        problems, clean = self.problems()
        errors = self.query_one("#errors", Static)
        if problems:
            errors.update("\n".join(f"✗ {p}" for p in problems))
            return
        errors.update("Saving…")
        audit, case = self.audit, self.case
        ref = self.values()[0]

        def run(repo: Repository) -> object:
            if case is None:
                return repo.add_cases(audit, [(ref, clean)])
            return repo.update_case(audit, case.id, clean)

        audit_app(self).store.write(run, lambda _result: self._done(ref), self._failed)

    def _failed(self, error: Exception) -> None:
        from audit_tui.tui.store_link import describe_error

        self.query_one("#errors", Static).update(f"✗ {describe_error(error)}")

    def _done(self, ref: str) -> None:
        audit_app(self).audit_changed(self.audit.info.name)
        self.app.notify(f"Case {ref} saved", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
