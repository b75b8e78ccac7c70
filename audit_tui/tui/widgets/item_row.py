"""One answerable item in the case walk: its answer as a word and a mark, its saving state and note."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Static

ANSWER_MARKS = {"yes": "✓ Yes", "no": "✗ No", "na": "– N/A", None: "· ───"}
STATE_WORDS = {
    "saved": "✓ saved",
    "saving": "saving…",
    "failed": "✗ NOT SAVED",
    "stored": "",
    "loading": "",
}
VALUE_CLASSES = ("-yes", "-no", "-na", "-unanswered")
STATE_CLASSES = ("-saved", "-saving", "-failed")
TAG_WORDS = {"strength": "strength", "improvement": "area for improvement"}


class ItemRow(Static):
    """Focusable; the screen answers it. `value` is on disk once `state` is "stored" or "saved"."""

    can_focus = True
    # Here rather than on the screen, so they win over the scrolling container's own up/down.
    BINDINGS = [
        Binding("down", "screen.move(1)", "Next item", id="item_down", show=False),
        Binding("up", "screen.move(-1)", "Previous item", id="item_up", show=False),
    ]

    def __init__(
        self,
        item_id: str,
        text: str,
        kind: str,
        *,
        applies: bool = True,
        why_not: str = "",
        section: int = 0,
    ) -> None:
        super().__init__(
            id="item-" + item_id.replace(".", "-"),
            classes=f"item-row -{kind.replace('_', '-')}",
            markup=False,
        )
        self.item_id, self.text, self.kind = item_id, text, kind
        self.applies, self.why_not, self.section = applies, why_not, section
        self.value: str | None = None
        self.note: str = ""
        self.note_tag: str | None = None
        self.state = "loading"
        self.can_focus = applies
        if not applies:
            self.add_class("-inapplicable")

    def on_mount(self) -> None:
        self.refresh_row()

    @property
    def answered(self) -> bool:
        return self.value is not None

    @property
    def on_disk(self) -> bool:
        """Loaded from the database or committed since: never a value still being written."""
        return self.state in ("stored", "saved")

    def set_answer(
        self, value: str | None, state: str, note: str | None = None, tag: str | None = None
    ) -> None:
        self.value = value
        self.state = state
        if note is not None:
            self.note, self.note_tag = note, tag
        self.refresh_row()

    def refresh_row(self) -> None:
        label = "KEY QUESTION " if self.kind == "key_question" else ""
        if not self.applies:
            self.update(
                f"  n/a    {label}{self.item_id}  {self.text}\n         does not apply: {self.why_not}"
            )
            return
        mark = ANSWER_MARKS[self.value] if self.state != "loading" else "…"
        state = STATE_WORDS.get(self.state, "")
        lines = [f"{mark:<7} {label}{self.item_id}  {self.text}"]
        status = state if self.state in ("saved", "saving", "failed") else ""
        if self.note:
            tag = f" ({TAG_WORDS[self.note_tag]})" if self.note_tag in TAG_WORDS else ""
            lines.append(f"        ✎ note{tag}: {self.note}")
        if status:
            lines[0] += f"   [{status}]"
        self.update("\n".join(lines))
        self.remove_class(*VALUE_CLASSES, *STATE_CLASSES)
        self.add_class(
            {"yes": "-yes", "no": "-no", "na": "-na"}.get(self.value or "", "-unanswered")
        )
        if self.state in ("saved", "saving", "failed"):
            self.add_class("-" + self.state)
