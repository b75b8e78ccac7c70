"""A note on an answer, optionally tagged as a strength or an area for improvement."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Label, RadioButton, RadioSet, TextArea

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.screens.form import FieldError, FormDialog
from audit_tui.tui.text import Plain, editable, kept

TAGS = (("No tag", None), ("Strength", "strength"), ("Area for improvement", "improvement"))


class NoteDialog(FormDialog[tuple[str, str | None]]):
    """The note as stored is shown escaped and cut (`editable`); left as shown, the stored note
    is what comes back, unchanged (a new tag alone changes nothing else)."""

    SUBMIT_LABEL = "Save note"

    def __init__(self, item_id: str, text: str, note: str, tag: str | None) -> None:
        super().__init__()
        self.item_id, self.text, self.note, self.tag = item_id, text, note, tag

    def title_text(self) -> str:
        return f"Note on {self.item_id}"

    def compose_fields(self) -> ComposeResult:
        yield Plain(one_line(self.text), classes="headline")
        yield Label("Note (no names: refer to the person on probation by role); ctrl+s saves")
        yield TextArea(editable(self.note), id="note", soft_wrap=True)
        yield FieldError("note")
        with RadioSet(id="tag", classes="choices"):  # one line: every tag in sight
            for label, value in TAGS:
                yield RadioButton(label, value=value == self.tag)

    def submit(self) -> None:
        typed = self.query_one("#note", TextArea).text.strip()
        note = kept(typed, editable(self.note).strip(), self.note)
        pressed = self.query_one("#tag", RadioSet).pressed_index
        tag = TAGS[pressed][1] if pressed >= 0 and note else None
        self.dismiss((note, tag))
