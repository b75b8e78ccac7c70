"""What every dialog with fields does the same way: Enter submits, Esc cancels (asking first when
something typed would be lost), an error shows under the field that caused it and goes when that
field is edited, the buttons stay in view on a short terminal, and keys typed straight after the
key that opened the dialog land in its first field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, TypeVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from audit_tui.domain.safe_text import one_line
from audit_tui.tui.screens.help import HELP_IN_A_DIALOG
from audit_tui.tui.store_link import Committed, WriteFailed
from audit_tui.tui.text import Plain, kept, literal
from audit_tui.tui.widgets.choices import Choices

T = TypeVar("T")
SHORT = 32
"""Below this height, fields are drawn compact (the app's "-short" breakpoint)."""
FIELDS = (Input, Select, TextArea, Checkbox)


class FieldError(Plain):
    """The error line under one field (empty when the field is fine): plain text, escaped (it
    may quote a file name, a cell or a stored name)."""

    DEFAULT_CSS = "FieldError { height: auto; color: $error; display: none; }"

    def __init__(self, field: str) -> None:
        super().__init__("", id=f"error-{field}", classes="field-error")

    def say(self, message: str) -> None:
        """Show `message`, or nothing (and take no room) when it is empty."""
        self.update(message)
        self.display = bool(message)


def submits_on_enter(field: Widget | None) -> bool:
    """A closed dropdown, or a row of choices whose arrows choose: Enter there is the form's, as
    in a text box. (An open dropdown's list has the focus itself, and Enter there picks.)"""
    return (isinstance(field, Select) and not field.expanded) or isinstance(field, Choices)


class FormDialog(ModalScreen[T | None], Generic[T]):
    TITLE_TEXT = ""
    SUBMIT_LABEL = "Save"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("ctrl+s", "submit", "Save", id="submit", tooltip="Enter does it too"),
        # priority: moving on at once, so the text typed (or pasted) straight after Tab lands in
        # the next field, not in this one
        Binding("tab", "app.focus_next", "Next field", id="next_field", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "Previous field", id="previous_field",
                show=False, priority=True),
        HELP_IN_A_DIALOG,
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self._initial: dict[str, object] | None = None
        self._stored: dict[str, tuple[str, str]] = {}
        """Field id -> (the value shown, the stored value it stands for)."""

    # ---- what a dialog provides ----------------------------------------------------------

    def compose_fields(self) -> ComposeResult:
        """Labels, fields (with ids) and a FieldError(field id) under each."""
        yield from ()

    def submit(self) -> None:
        """Check the fields (say what is wrong with `error`), then act or dismiss."""

    def title_text(self) -> str:
        return self.TITLE_TEXT

    def filled(self, field: str, stored: str, **options: Any) -> Input:
        """A field holding a stored value (a name, a case reference, a remembered folder),
        shown escaped and cut (`one_line`). While it holds just that, `typed` gives the stored
        value back: the shown form counts as unedited."""
        shown = one_line(stored)
        self._stored[field] = (shown, stored)
        return Input(value=shown, id=field, **options)

    def typed(self, field: str) -> str:
        """What a field stands for, stripped: the stored value behind a `filled` field the user
        left as shown, else what is in it."""
        value = self.query_one(f"#{field}", Input).value.strip()
        if field not in self._stored:
            return value
        shown, stored = self._stored[field]
        return kept(value, shown.strip(), stored)

    # ---- the common frame ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.title_text()), classes="dialog-title")
            with VerticalScroll(classes="dialog-fields"):
                yield from self.compose_fields()
            yield FieldError("form")
            with Horizontal(classes="buttons"):
                yield Button(self.SUBMIT_LABEL, variant="primary", id="submit")
                yield Button("Cancel", id="cancel")

    def on_resize(self) -> None:
        """On a short terminal fields lose their borders: three lines each is too many at 24."""
        short = self.size.height < SHORT
        for widget in self.query("*"):
            if isinstance(widget, Input | Select):
                widget.compact = short
        self.call_after_refresh(self._show_focused)

    def _show_focused(self) -> None:
        """After fields change height, the one being typed in is still the one in view."""
        fields = self.query_one(".dialog-fields", VerticalScroll)
        if self.focused is not None and self.focused is self.first_field():
            fields.scroll_home(animate=False)
        elif self.focused is not None:
            self.focused.scroll_visible(animate=False)

    def on_mount(self) -> None:
        first = self.first_field()
        if first is not None:
            self.set_focus(first)
        self.call_after_refresh(self._remember)

    def _remember(self) -> None:
        self._initial = self.values()

    def first_field(self) -> Widget | None:
        return next((w for w in self.query("*") if isinstance(w, FIELDS) and w.focusable), None)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for widget in self.query("*"):
            if isinstance(widget, Input | Select | Checkbox) and widget.id:
                out[widget.id] = widget.value
            elif isinstance(widget, TextArea) and widget.id:
                out[widget.id] = widget.text
        return out

    @property
    def dirty(self) -> bool:
        return self._initial is not None and self.values() != self._initial

    def unchanged(self, what: str) -> None:
        """Close having written nothing, saying so: a save is never met with silence."""
        self.app.notify(f"{what} unchanged", markup=False)
        self.dismiss(None)

    # ---- a write's outcome (`StoreLink.write(self, ...)`) -----------------------------------

    @on(Committed)
    def _committed(self, message: Committed[Any]) -> None:
        self.committed(message.result)

    def committed(self, result: Any) -> None:
        """The dialog's write is on disk: close with what it returned (a subclass may do more)."""
        self.dismiss(result)

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        message.stop()  # said here, beside the fields, not again by the app
        self.write_failed(message)

    def write_failed(self, message: WriteFailed) -> None:
        """The dialog's write did not commit: one line above the buttons; the dialog stays open
        with what was typed (a subclass may put each problem beside its field)."""
        self.error(None, message.line)

    # ---- errors --------------------------------------------------------------------------

    def error(self, field: str | None, message: str) -> None:
        """Show `message` under `field` (or above the buttons when None)."""
        self.query_one(f"#error-{field or 'form'}", FieldError).say(f"✗ {message}")

    def say(self, message: str) -> None:
        """A line above the buttons that is not an error ("Writing …")."""
        self.query_one("#error-form", FieldError).say(message)

    def clear_errors(self, fields: Iterable[str] = ()) -> None:
        for field in (*fields, "form"):
            self.query_one(f"#error-{field}", FieldError).say("")

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _edited(self, event: Input.Changed | Select.Changed | TextArea.Changed) -> None:
        """Editing a field clears what was said about it."""
        field = event.control.id if event.control is not None else None
        if field and self.query(f"#error-{field}"):
            self.query_one(f"#error-{field}", FieldError).say("")

    # ---- keys ----------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Enter submits from a closed dropdown or a row of choices too (Space or Down opens a
        dropdown). Keys typed before the first field had the focus (a fast typist's "c", then
        the case reference) go to it, in order, instead of being lost."""
        if event.key == "enter" and submits_on_enter(self.focused):
            event.stop()
            event.prevent_default()  # not the dropdown's own Enter, which would open it
            self.action_submit()
            return
        if self.focused is None and event.is_printable:
            first = self.first_field()
            if first is not None:
                event.stop()
                self.set_focus(first)
                first.post_message(events.Key(event.key, event.character))

    @on(Input.Submitted)
    def _entered(self) -> None:
        self.action_submit()

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        self.submit()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from audit_tui.tui.screens.confirm import ConfirmDialog

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog("Discard what you have typed here?", "Discard"), callback=answered
        )
