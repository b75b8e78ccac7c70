"""Add a case or edit its attributes: checked against the rubric, saved only when all is well.

Changing an attribute that decides what applies (a PSR from yes to no) would strand answers:
the dialog says which, and clears them only when the user says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Label, Select

from audit_tui.domain.words import plural, value_label
from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import literal
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.store.repository import Repository


@dataclass
class StrandedFound(Message, bubble=False):
    """Read before changing a case's attributes: the answers `clean` would leave not applying."""

    clean: dict[str, str]
    stranded: list[str]


class CaseDialog(FormDialog[bool]):
    def __init__(self, audit: OpenAudit, case: CaseInfo | None, taken: set[str]) -> None:
        super().__init__()
        self.audit, self.case, self.taken = audit, case, taken

    def title_text(self) -> str:
        return f"Edit case {self.case.case_ref}" if self.case else "Add a case"

    def compose_fields(self) -> ComposeResult:
        yield Label("Case reference (a pseudonymous code: no names)")
        yield self.filled(
            "case_ref",
            self.case.case_ref if self.case else "",
            placeholder="e.g. TS24-031",
            disabled=self.case is not None,
        )
        yield FieldError("case_ref")
        for attr in self.audit.rubric.attributes:
            current = self.case.attributes.get(attr.id) if self.case else None
            yield Label(literal(f"{attr.label}{'' if attr.required else ' (optional)'}"))
            yield Select(
                [(literal(value_label(v)), v) for v in attr.values],
                # a value stored by another tool that the rubric does not know: chosen afresh
                value=current if current in attr.values else Select.NULL,
                id=f"attr-{attr.id}",
                prompt="choose…",
                allow_blank=True,
            )
            yield FieldError(f"attr-{attr.id}")

    def chosen(self) -> tuple[str, dict[str, str]]:
        from audit_tui.domain.cases import canonical_ref

        ref = canonical_ref(self.typed("case_ref"))
        attrs = {}
        for attr in self.audit.rubric.attributes:
            value = self.query_one(f"#attr-{attr.id}", Select).value
            attrs[attr.id] = "" if value is Select.NULL else str(value)
        return ref, attrs

    def submit(self) -> None:
        from audit_tui.domain.cases import canonical_ref, check_case_ref, clean_attributes
        from audit_tui.store import cases

        self.clear_errors(["case_ref", *(f"attr-{a.id}" for a in self.audit.rubric.attributes)])
        ref, raw = self.chosen()
        wrong = False
        if self.case is None:
            issue = check_case_ref(self.typed("case_ref"))  # as typed
            if issue or ref in {canonical_ref(t) for t in self.taken}:
                self.error("case_ref", issue or f"{ref} is already in this audit")
                wrong = True
        clean, problems = clean_attributes(self.audit.rubric, raw)
        for name, message in problems:
            required = not raw.get(name)  # the only problem a choice from the list can have
            self.error(f"attr-{name}", "Choose one (it is required)" if required else message)
            wrong = True
        if wrong:
            return
        if self.case is None:
            self._write(lambda repo: cases.add_cases(repo, self.audit, [(ref, clean)]), ref)
            return
        case = self.case
        if clean == case.attributes:  # as they were: nothing to write
            self.unchanged(f"Case {case.case_ref}")
            return
        audit_app(self).store.write(
            self,
            lambda repo: cases.stranded_answers(repo, self.audit, case.id, clean),
            lambda stranded: StrandedFound(clean, stranded),
        )

    @on(StrandedFound)
    def _confirm_and_update(self, message: StrandedFound) -> None:
        from audit_tui.store import cases

        assert self.case is not None
        case, clean, stranded = self.case, message.clean, message.stranded
        if not stranded:
            self._write(
                lambda repo: cases.update_case(repo, self.audit, case.id, clean), case.case_ref
            )
            return
        from audit_tui.tui.screens.confirm import ConfirmDialog

        shown = ", ".join(stranded[:8]) + (" …" if len(stranded) > 8 else "")

        def answered(clear: bool | None) -> None:
            from audit_tui.store import cases

            if clear:
                self._write(
                    lambda repo: cases.update_case(
                        repo, self.audit, case.id, clean, clear_stranded=True
                    ),
                    case.case_ref,
                )
            else:
                self.say("Not saved: the answers stay as they are.")

        self.app.push_screen(
            ConfirmDialog(
                f"With these attributes {plural(len(stranded), 'answer')} no longer apply to "
                f"{case.case_ref} ({shown}). Clear them and save? (The history keeps them.)",
                "Clear and save",
            ),
            callback=answered,
        )

    def _write(self, run: Callable[[Repository], object], ref: str) -> None:
        from audit_tui.tui.store_link import Committed

        self.say("Saving…")
        audit_app(self).store.write(self, run, lambda _result: Committed(ref))

    def committed(self, result: str) -> None:
        ref = result
        audit_app(self).audit_changed(self.audit.info.name)
        self.app.notify(f"Case {ref} saved", markup=False)
        self.dismiss(True)
