"""A yes/no question before something that cannot be undone (replacing a file, say)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button

from audit_tui.tui.screens.help import HELP_IN_A_DIALOG
from audit_tui.tui.text import Plain


class ConfirmDialog(ModalScreen[bool]):
    """Dismisses with True on Enter or `y` (the confirm button has the focus), False on Esc or `n`."""

    BINDINGS = [
        Binding("y", "confirm", "Yes", id="confirm_yes"),
        Binding("escape,n", "cancel", "No", id="confirm_no"),
        HELP_IN_A_DIALOG,
    ]

    def __init__(self, question: str, confirm_label: str = "Yes") -> None:
        super().__init__()
        self.question, self.confirm_label = question, confirm_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Plain(self.question, classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.confirm_label} (y)", variant="warning", id="confirm")
                yield Button("Cancel (n)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
