"""`?`: the keys of the screen beneath, read from its bindings (so remapped keys show as they are),
then the help text, which lives in help.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from audit_tui.tui.text import WIDGET_LIMIT, prose

HELP_FILE = Path(__file__).resolve().parent.parent / "help.md"
HELP_IN_A_DIALOG = Binding("f1", "app.help", "Help", id="dialog_help", show=False,
                           tooltip="This dialog's keys, then the help")  # fmt: skip
"""F1 in a dialog: the app's own F1 is not looked up above a modal screen."""


def keys_table(screen: Screen[Any]) -> str:
    """audit-tui's own keys on `screen` (they have binding ids a user can remap); the scrolling
    keys Textual gives its widgets are left out."""
    rows = ["| Key | Does | Binding id (for remapping) |", "|---|---|---|"]
    seen = set()
    for active in screen.active_bindings.values():
        b = active.binding
        if not b.id or b.id in seen or not b.description:
            continue
        seen.add(b.id)
        shown = screen.app.get_key_display(b).replace("|", "\\|")
        does = b.description
        if b.tooltip and b.tooltip.casefold() != b.description.casefold():
            does += f": {b.tooltip[0].lower()}{b.tooltip[1:]}"
        rows.append(f"| `{shown}` | {does} | `{b.id}` |")
    return "\n".join(rows)


def screen_title(screen: Screen[Any]) -> str:
    """What a user calls the screen: its HELP_TITLE ("Case walk"), never the class name."""
    return str(getattr(screen, "HELP_TITLE", "") or "This screen")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close"),
        Binding("question_mark", "dismiss", "Close", id="close_help", show=False),
        Binding("f1", "dismiss", "Close", id="close_help_f1", show=False),
    ]

    def __init__(self, beneath: Screen[Any]) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        text = HELP_FILE.read_text(encoding="utf-8")
        title = screen_title(self.beneath)
        with VerticalScroll(classes="dialog wide", id="help"):
            # keys come from the user's keymap file: shown, never obeyed
            shown = prose(f"# Keys: {title}\n\n{keys_table(self.beneath)}\n\n{text}", WIDGET_LIMIT)
            yield Markdown(shown)
