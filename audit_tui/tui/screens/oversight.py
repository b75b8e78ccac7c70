"""Management oversight: a case added as the manager reads it, as quickly as opening a row of a
spreadsheet. The reference, the practitioner's and team's codes, and the rubric's required
attributes as choices; the last codes and choices used are offered again, so the usual review is
`+`, the reference, Enter, and the case walk is open on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from audit_tui.domain.errors import AuditError
from audit_tui.domain.words import value_label
from audit_tui.tui.prefs import remember, remembered
from audit_tui.tui.screens.form import SHORT, FieldError, FormDialog
from audit_tui.tui.text import literal
from audit_tui.tui.widgets.choices import Choice, Choices
from audit_tui.tui.workers import audit_app

if TYPE_CHECKING:
    from audit_tui.domain.records import CaseInfo, OpenAudit
    from audit_tui.domain.rubric import Attribute
    from audit_tui.tui.store_link import WriteFailed

MEMORY = "oversight-case"
"""The key in the app's state file: the last practitioner, team and attributes used."""


@dataclass
class ReviewedCaseAdded(Message, bubble=False):
    """The reviewed case is on disk, added with these codes and attributes (remembered)."""

    case: CaseInfo
    codes: dict[str, str]
    attributes: dict[str, str]


class ReviewedCaseDialog(FormDialog["CaseInfo"]):
    """Add one reviewed case (the lead's): closes with the case once it is committed."""

    SUBMIT_LABEL = "Add and walk it"
    BINDINGS = [
        Binding("enter", "submit", "Add", id="submit_enter", show=False,
                tooltip="Add the case and walk it (from a choice too)"),
    ]  # fmt: skip

    def __init__(self, audit: OpenAudit, taken: set[str]) -> None:
        super().__init__()
        self.audit, self.taken = audit, taken
        self.required: tuple[Attribute, ...] = tuple(
            a for a in audit.rubric.attributes if a.required
        )
        last = remembered(MEMORY)
        self.last_codes = {k: str(last.get(k, "")) for k in ("practitioner", "team")}
        attrs = last.get("attributes")
        self.last_attrs: dict[str, str] = (
            {k: v for k, v in attrs.items() if isinstance(v, str)}
            if isinstance(attrs, dict)
            else {}
        )

    def on_resize(self) -> None:
        """On a short terminal the choices lose their borders too, as the fields do."""
        super().on_resize()
        for choices in self.query(Choices):
            choices.compact = self.size.height < SHORT

    def title_text(self) -> str:
        return f"Review a case · {self.audit.info.name} (management oversight)"

    def compose_fields(self) -> ComposeResult:
        yield Label("Case reference (a pseudonymous code: no names); Enter adds it")
        yield Input(id="case_ref", placeholder="e.g. OV26-007")
        yield FieldError("case_ref")
        with Horizontal(classes="code-row"):
            yield Label("Practitioner code")
            # the last codes, remembered in a file: shown escaped
            yield self.filled("practitioner", self.last_codes["practitioner"],
                              placeholder="e.g. P-017")  # fmt: skip
            yield Label("Team code")
            yield self.filled("team", self.last_codes["team"], placeholder="e.g. T-NORTH")
        yield FieldError("practitioner")
        yield FieldError("team")
        for attr in self.required:
            last = self.last_attrs.get(attr.id)
            yield Label(literal(attr.label))
            with Choices(id=f"attr-{attr.id}", classes="choices"):
                for value in attr.values:
                    yield Choice(literal(value_label(value)), value=value == last)
            yield FieldError(f"attr-{attr.id}")

    def chosen(self) -> dict[str, str]:
        out = {}
        for attr in self.required:
            pressed = self.query_one(f"#attr-{attr.id}", Choices).pressed_index
            out[attr.id] = attr.values[pressed] if pressed >= 0 else ""
        return out

    def submit(self) -> None:
        from audit_tui.domain.cases import (
            canonical_ref,
            check_case_ref,
            check_code,
            clean_attributes,
        )

        fields = ["case_ref", "practitioner", "team", *(f"attr-{a.id}" for a in self.required)]
        self.clear_errors(fields)
        typed = self.query_one("#case_ref", Input).value
        ref = canonical_ref(typed)
        codes = {k: self.typed(k) for k in ("practitioner", "team")}
        attrs = self.chosen()
        wrong = False
        taken = {canonical_ref(t) for t in self.taken}
        if why := check_case_ref(typed) or (f"{ref} is already in this audit" if ref in taken
                                          else None):  # fmt: skip
            self.error("case_ref", why)
            wrong = True
        for name, code in codes.items():
            if why := check_code(code, name):
                self.error(name, why)
                wrong = True
        _clean, problems = clean_attributes(self.audit.rubric, attrs)
        for name, message in problems:
            self.error(f"attr-{name}", "Choose one (it is required)" if not attrs.get(name)
                       else message)  # fmt: skip
            wrong = True
        if wrong:
            return
        codes = {name: canonical_ref(code) for name, code in codes.items()}  # remembered so
        from audit_tui.store.oversight import add_reviewed_case

        audit = self.audit
        self.say("Adding…")
        audit_app(self).store.write(
            self,
            lambda repo: add_reviewed_case(repo, audit, ref, attrs, **codes),
            lambda case: ReviewedCaseAdded(case, codes, attrs),
        )

    @on(ReviewedCaseAdded)
    def _added(self, message: ReviewedCaseAdded) -> None:
        remember(MEMORY, {**message.codes, "attributes": message.attributes})
        self.dismiss(message.case)

    def write_failed(self, message: WriteFailed) -> None:
        """Nothing was added: each problem on its own line, beside its field where it has one."""
        error = message.error
        if not isinstance(error, AuditError):
            self.error(None, message.line)
            return
        lines = []
        for problem in error.problems:
            field = problem.file if problem.file in ("case_ref", "practitioner", "team") else None
            field = field or (f"attr-{problem.file}" if self.query(f"#error-attr-{problem.file}")
                              else None)  # fmt: skip
            if field:
                self.error(field, problem.message)
            else:
                lines.append(problem.message)
        if lines:
            self.error(None, "\n✗ ".join(lines))
