"""`?`: the keys of the screen beneath, read from its bindings (so remapped keys show as they are),
then the help text, which lives in help.md."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

HELP_FILE = Path(__file__).resolve().parent.parent / "help.md"


def keys_table(screen: Screen) -> str:
    rows = ["| Key | Does | Binding id |", "|---|---|---|"]
    seen = set()
    for key, active in screen.active_bindings.items():
        b = active.binding
        if b.id in seen or not b.description:
            continue
        seen.add(b.id)
        shown = screen.app.get_key_display(b)
        rows.append(
            f"| `{shown}` | {b.description}{' · ' + b.tooltip if b.tooltip else ''} | {b.id or '–'} |"
        )
        _ = key
    return "\n".join(rows)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="close"),
        Binding("question_mark", "dismiss", "Close", id="close_help", show=False),
    ]

    def __init__(self, beneath: Screen) -> None:
        super().__init__()
        self.beneath = beneath

    def compose(self) -> ComposeResult:
        text = HELP_FILE.read_text(encoding="utf-8")
        title = type(self.beneath).__name__.removesuffix("Screen")
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Markdown(f"# Keys: {title}\n\n{keys_table(self.beneath)}\n\n{text}")
