"""The lead's own summary of an audit, written in the report screen (`s`): shown in every report
above the summary generated from the figures. Empty clears it; every wording stays in the log."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import TextArea

from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import Plain, editable, kept


class SummaryDialog(FormDialog[str]):
    SUBMIT_LABEL = "Save summary"

    def __init__(self, audit_name: str, text: str) -> None:
        super().__init__()
        self.audit_name, self.text = audit_name, text

    def title_text(self) -> str:
        return f"Your summary of {self.audit_name}"

    def compose_fields(self) -> ComposeResult:
        yield Plain(
            "What the figures mean for the PDU, a paragraph a line; shown above the summary"
            " generated from the figures. Empty clears it. ctrl+s saves"
        )
        yield TextArea(editable(self.text), id="summary", soft_wrap=True)
        yield FieldError("summary")

    def submit(self) -> None:
        typed = self.query_one("#summary", TextArea).text.strip()
        self.dismiss(kept(typed, editable(self.text).strip(), self.text))
