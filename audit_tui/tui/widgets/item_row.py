"""One answerable item in the case walk: its answer as a word and a mark, its saving state and note."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.text import Plain, prose
from audit_tui.tui.widgets.in_order import UnreadKeys, act_in_order, in_order_now, send_on

if TYPE_CHECKING:
    from textual.css.styles import RulesMap

    from audit_tui.domain.records import AnswerInfo

ANSWER_MARKS = {"yes": "✓ Yes", "no": "✗ No", "na": "– N/A", None: "· ───"}
STATE_WORDS = {
    "saved": "✓ saved",
    "saving": "saving…",
    "failed": "✗ NOT SAVED",
    "stored": "",
    "loading": "",
}
VALUE_CLASSES: dict[str | None, str] = {"yes": "-yes", "no": "-no", "na": "-na"}
TAG_WORDS = {"strength": "strength", "improvement": "area for improvement"}


class ItemList(UnreadKeys, VerticalScroll):
    """The walk's rows. It keeps the focus while the cursor (the screen's current row, marked
    `-current`) moves: moving focus per answer would restyle the screen and rebuild the footer
    each time, which costs a practised auditor hundreds of milliseconds a key."""

    can_focus = True

    def waits_turn(self) -> bool:
        """The walk's priority keys (`e` a note, `s` the standards), as the app takes them on
        arrival, wait behind the keys typed before them that the list has still to read (the
        screen refuses them, True), and run as the list reads them: Esc, `e` wrote a note in
        the case being left, not the dashboard's edit of a case."""
        return not in_order_now() and self.keys_unread

    async def _on_key(self, event: events.Key) -> None:
        """Each key acts as the list reads it (see in_order): `y` then Down answers this item,
        then moves, however fast they come, and whatever the focus is by then. Once an earlier
        key has left the case (Esc) or opened a screen over it (its screen says `elsewhere`),
        the keys after it are the screen's now shown; those read before the case's answers
        wait for them (the screen `takes` them)."""
        self.read_key()
        takes = getattr(self.screen, "takes", None)
        if takes is not None and await takes(event):
            event.stop()
            event.prevent_default()
            return
        focused = self.screen.focused
        if focused is not self and focused is not None:  # `s` read before it took the focus
            send_on(self.app, [(event.key, event.character)])
            event.stop()
            event.prevent_default()
            return
        await act_in_order(self, event, untried=True)

    # Here rather than on the screen, so they win over the scrolling container's own up/down.
    BINDINGS = [
        Binding("down", "screen.move(1)", "Next item", id="item_down", show=False),
        Binding("up", "screen.move(-1)", "Previous item", id="item_up", show=False),
        Binding("home", "screen.edge(-1)", "First item", id="item_first", show=False),
        Binding("end", "screen.edge(1)", "Last item", id="item_last", show=False),
        Binding("pagedown", "screen.other_section(1)", "Next standard", id="next_standard",
                show=False, tooltip="Its first unanswered item"),
        Binding("pageup", "screen.other_section(-1)", "Previous standard", id="prev_standard",
                show=False, tooltip="Its first unanswered item"),
    ]  # fmt: skip


class ItemRow(Plain):
    """One item; the screen answers the current one. `value` is on disk once `state` is "stored"
    or "saved". Its rubric text and note are stored text: shown escaped and cut."""

    class Picked(Message):
        """The row was clicked: it becomes the current one."""

        def __init__(self, row: ItemRow) -> None:
            super().__init__()
            self.row = row

    def __init__(
        self,
        item_id: str,
        text: str,
        kind: str,
        *,
        applies: bool = True,
        why_not: str = "",
        section: int = 0,
        heading: str = "",
    ) -> None:
        super().__init__(
            id="item-" + item_id.replace(".", "-"), classes=f"item-row -{kind.replace('_', '-')}"
        )
        self.item_id, self.text, self.kind = item_id, text, kind
        self.heading = heading or (f"KEY QUESTION {item_id}" if kind == "key_question" else item_id)
        """What precedes the text: the item's id, or a finding's name where its id is internal."""
        self.applies, self.why_not, self.section = applies, why_not, section
        self.value: str | None = None
        """What the row shows: the answer being saved, or the one on disk."""
        self.stored: str | None = None
        """The last answer known to be on disk."""
        self.note: str = ""
        self.note_tag: str | None = None
        self.state = "loading"
        self.beside = ""
        """Both marks side by side, once a second marker's case is marked complete."""
        self._generation = 0
        self._base_classes = f"item-row -{kind.replace('_', '-')}"
        self.current = False
        self._shown: str | None = None
        if not applies:
            self.add_class("-inapplicable")

    def on_mount(self) -> None:
        self.refresh_row()

    def on_click(self) -> None:
        if self.applies:
            self.post_message(self.Picked(self))

    def set_current(self, current: bool) -> None:
        self.current = current
        self._restyle()

    @property
    def answered(self) -> bool:
        return self.value is not None

    @property
    def on_disk(self) -> bool:
        """Loaded from the database or committed since: never a value still being written."""
        return self.state in ("stored", "saved")

    def show_stored(self, answer: AnswerInfo | None) -> None:
        """The answer as read from the database (on opening the case, or after another writer's
        change). A row with a save in flight keeps showing what is being saved."""
        if self.state == "saving":
            return
        self.stored = self.value = answer.value if answer else None
        self.note, self.note_tag = (answer.note, answer.note_tag) if answer else ("", None)
        self.state = "stored"
        self.refresh_row()

    def begin_save(self, value: str | None) -> int:
        """Show `value` as being saved; returns the token its result must bring back."""
        self._generation += 1
        self.value, self.state = value, "saving"
        self.refresh_row()
        return self._generation

    def save_done(self, token: int, answer: AnswerInfo) -> None:
        """A save committed. Only the latest save of this row decides what it shows; an earlier
        one's result never overwrites an answer typed after it."""
        self.stored = answer.value
        if token == self._generation:
            self.value, self.state = answer.value, "saved"
            self.note, self.note_tag = answer.note, answer.note_tag
            self.refresh_row()

    def save_failed(self, token: int) -> None:
        """A save did not commit: show NOT SAVED and the answer that is on disk."""
        if token == self._generation:
            self.value, self.state = self.stored, "failed"
            self.refresh_row()

    def refresh_row(self) -> None:
        heading, text = one_line(self.heading), one_line(self.text)
        if not self.applies:
            self.update(
                f"  n/a    {heading}  {text}\n         does not apply: {one_line(self.why_not)}"
            )
            return
        mark = ANSWER_MARKS[self.value] if self.state != "loading" else "…"
        state = STATE_WORDS.get(self.state, "")
        lines = [f"{mark:<7} {heading}  {text}"]
        status = state if self.state in ("saved", "saving", "failed") else ""
        if self.note:
            tag = f" ({TAG_WORDS[self.note_tag]})" if self.note_tag in TAG_WORDS else ""
            lines.append(f"        ✎ note{tag}: {prose(self.note)}")
        if self.beside:
            lines.append(f"        ⇄ {self.beside}")
        if status:
            lines[0] += f"   [{status}]"
        self._show("\n".join(lines))
        self._restyle()

    def _show(self, text: str) -> None:
        """Update the text, laying the screen out again only if the row's height changes: an
        answer changes a word or two, and a layout of the whole walk per change costs a fast
        typist tens of milliseconds a key."""
        width = self.content_region.width
        # a widget's styles answer a rule's name as a RulesMap does (Textual passes them as one)
        rules = cast("RulesMap", self.styles)
        same_height = (
            width > 0
            and self._shown is not None
            and Content(text).get_height(rules, width)
            == Content(self._shown).get_height(rules, width)
        )
        self._shown = text
        self.update(text, layout=not same_height)

    def _restyle(self) -> None:
        """Set every class at once: one restyle per change, not one per class."""
        classes = [self._base_classes, VALUE_CLASSES.get(self.value, "-unanswered")]
        if not self.applies:
            classes.append("-inapplicable")
        if self.state in ("saved", "saving", "failed"):
            classes.append("-" + self.state)
        if self.current:
            classes.append("-current")
        wanted = " ".join(classes)
        if set(wanted.split()) != set(self.classes):
            self.set_classes(wanted)
