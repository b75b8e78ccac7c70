"""A note on an answer, optionally tagged as a strength or an area for improvement."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, RadioButton, RadioSet, Static, TextArea

from audit_tui.tui.screens.form import FieldError, FormDialog

TAGS = (("No tag", None), ("Strength", "strength"), ("Area for improvement", "improvement"))


class NoteDialog(FormDialog[tuple[str, str | None]]):
    SUBMIT_LABEL = "Save note"

    def __init__(self, item_id: str, text: str, note: str, tag: str | None) -> None:
        super().__init__()
        self.item_id, self.text, self.note, self.tag = item_id, text, note, tag

    def title_text(self) -> str:
        return f"Note on {self.item_id}"

    def compose_fields(self) -> ComposeResult:
        yield Static(self.text, classes="headline", markup=False)
        yield Label("Note (no names: refer to the person on probation by role); ctrl+s saves")
        yield TextArea(self.note, id="note", soft_wrap=True)
        yield FieldError("note")
        with RadioSet(id="tag"):
            for label, value in TAGS:
                yield RadioButton(label, value=value == self.tag)

    def submit(self) -> None:
        note = self.query_one("#note", TextArea).text.strip()
        pressed = self.query_one("#tag", RadioSet).pressed_index
        tag = TAGS[pressed][1] if pressed >= 0 and note else None
        self.dismiss((note, tag))
