"""Add a case or edit its attributes: checked against the rubric, saved only when all is well."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit


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
            yield Static(title, classes="dialog-title")
            yield Label("Case reference (pseudonymous: no names)")
            yield Input(
                value=self.case.case_ref if self.case else "",
                id="case_ref",
                placeholder="e.g. TS24-031",
                disabled=self.case is not None,
            )
            for attr in self.audit.rubric.attributes:
                current = self.case.attributes.get(attr.id) if self.case else None
                yield Label(f"{attr.label}{'' if attr.required else ' (optional)'}")
                yield Select(
                    [(v, v) for v in attr.values],
                    value=current if current else Select.NULL,
                    id=f"attr-{attr.id}",
                    prompt="choose…",
                    allow_blank=True,
                )
            yield Static("", id="errors", classes="errors")
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

        def run(repo: Any) -> Any:
            if case is None:
                return repo.add_cases(audit, [(ref, clean)])
            return repo.update_case(audit, case.id, clean)

        self.app.link.submit(run, lambda _r, err: self.app.call_from_thread(self._done, err))  # type: ignore[attr-defined]

    def _done(self, error: BaseException | None) -> None:
        if error is not None:
            self.query_one("#errors", Static).update(f"✗ {error}")
            return
        self.app.audit_changed(self.audit.info.name)  # type: ignore[attr-defined]
        self.app.notify(f"Case {self.case.case_ref if self.case else self.values()[0]} saved")
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
