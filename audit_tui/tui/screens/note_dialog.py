"""A note on an answer, optionally tagged as a strength or an area for improvement."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, RadioButton, RadioSet, Static, TextArea

TAGS = (("No tag", None), ("Strength", "strength"), ("Area for improvement", "improvement"))


class NoteDialog(ModalScreen[tuple[str, str | None] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "save", "Save note", id="save"),
    ]

    def __init__(self, item_id: str, text: str, note: str, tag: str | None) -> None:
        super().__init__()
        self.item_id, self.text, self.note, self.tag = item_id, text, note, tag

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Note on {self.item_id}", classes="dialog-title", markup=False)
            yield Static(self.text, classes="headline", markup=False)
            yield Label("Note (no names: refer to the person on probation by role)")
            yield TextArea(self.note, id="note", soft_wrap=True)
            with RadioSet(id="tag"):
                for label, value in TAGS:
                    yield RadioButton(label, value=value == self.tag)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#note", TextArea).focus()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        note = self.query_one("#note", TextArea).text.strip()
        pressed = self.query_one("#tag", RadioSet).pressed_index
        tag = TAGS[pressed][1] if pressed >= 0 and note else None
        self.dismiss((note, tag))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
