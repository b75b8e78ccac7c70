"""The new-audit dialog: name, PDU, region, a rubric from those installed, its kind (a sample, or
management oversight) and how its cases will come (by hand, from a file, or drawn from a caseload
extract); says what is wrong."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import Input, Label, Select

from audit_tui.domain.errors import AuditError
from audit_tui.domain.labels import clean_label
from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import literal


@dataclass(frozen=True)
class NewAudit:
    name: str
    pdu: str
    region: str
    rubric_id: str
    cases: str = "hand"
    """How the cases will come: "hand" (the dashboard), "import" (a CSV file of cases) or
    "sample" (drawn from a caseload extract, as the inspectorate samples)."""
    kind: str = "sample"
    """`sample`, or `oversight`: a manager's reviews, cases added one by one as they are read."""


CASE_SOURCES = (
    ("hand", "Add them one by one on the dashboard"),
    ("import", "Import a list of cases (CSV file)"),
    ("sample", "Draw a sample from a caseload extract (strata, window, seed)"),
)

KINDS = (
    ("sample", "A sample of cases (rated as a sample of the unit's work)"),
    ("oversight", "Management oversight (cases added as you review them: not a sample)"),
)


class NewAuditDialog(FormDialog[NewAudit]):
    TITLE_TEXT = "New audit"
    SUBMIT_LABEL = "Create"

    def __init__(self, rubrics: list[tuple[str, str]], taken: set[str]) -> None:
        """`rubrics`: (id, label) pairs; `taken`: audit names already in use."""
        super().__init__()
        self.rubrics, self.taken = rubrics, taken

    def compose_fields(self) -> ComposeResult:
        yield Label("Name (how reports and the command line refer to it)")
        yield Input(id="name", placeholder="e.g. tameside-2024-q2")
        yield FieldError("name")
        yield Label("PDU")
        yield Input(id="pdu", placeholder="e.g. Tameside")
        yield FieldError("pdu")
        yield Label("Region")
        yield Input(id="region", placeholder="e.g. Greater Manchester")
        yield FieldError("region")
        yield Label("Framework")
        only = self.rubrics[0][0] if len(self.rubrics) == 1 else Select.NULL
        yield Select(
            [(literal(label), rid) for rid, label in self.rubrics],
            id="rubric",
            value=only,
            prompt="choose…",
        )
        yield FieldError("rubric")
        yield Label("Kind")
        yield Select(
            [(literal(label), key) for key, label in KINDS],
            id="kind",
            value="sample",
            allow_blank=False,
        )
        yield Label("Cases")
        yield Select(
            [(literal(label), key) for key, label in CASE_SOURCES],
            id="cases",
            value="hand",
            allow_blank=False,
        )
        yield FieldError("cases")

    def submit(self) -> None:
        self.clear_errors(("name", "pdu", "region", "rubric", "cases"))
        checked: dict[str, str] = {}
        if not self.query_one("#name", Input).value.strip():
            self.error("name", "Give the audit a name")
        for field, what in (("name", "audit name"), ("pdu", "PDU"), ("region", "region")):
            value = self.query_one(f"#{field}", Input).value
            if field == "name" and not value.strip():
                continue
            try:
                checked[field] = clean_label(value, what, required=field == "name")
            except AuditError as exc:
                self.error(field, exc.problems[0].message.capitalize())
        if checked.get("name") in self.taken:
            self.error("name", f"An audit named {checked['name']!r} already exists")
            checked.pop("name")
        rubric = self.query_one("#rubric", Select).value
        if rubric is Select.NULL:
            self.error("rubric", "Choose a framework")
        if len(checked) < 3 or rubric is Select.NULL:
            return
        chosen = self.query_one("#cases", Select).value
        cases = chosen if isinstance(chosen, str) else "hand"
        kind = "oversight" if self.query_one("#kind", Select).value == "oversight" else "sample"
        if kind == "oversight" and cases == "sample":
            self.error("cases", "An oversight audit is not drawn: add its cases as you review them")
            return
        self.dismiss(NewAudit(name=checked["name"], pdu=checked["pdu"], region=checked["region"],
                              rubric_id=str(rubric), cases=cases, kind=kind))  # fmt: skip
