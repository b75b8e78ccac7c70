"""The text box above a list that filters it, as fzf or a command palette has one: Down goes into
the list on its first match, Enter opens the highlighted (or first) match.

The box acts on these keys as it reads them, after the text typed before them: its own
`Changed` messages come later, so it applies its text to the list first. Its editing keys
(Backspace, ctrl+u) act as it reads them too, not after the text typed behind them. A key it reads after
the focus has gone into the list (typed in the same burst, on its way before the focus moved)
is the list's: its binding there (the list's, the screen's) runs, in order.
"""

from __future__ import annotations

from typing import Protocol, cast

from textual import events
from textual.widgets import Input

from audit_tui.tui.widgets.in_order import act_in_order


class Filterable(Protocol):
    """What a filter box needs of its list (a focusable widget)."""

    def filter(self, needle: str) -> None: ...

    def enter_at_first(self) -> bool:
        """Put the cursor on the first row shown; False when none is."""
        ...

    def choose(self) -> None:
        """Say which row is chosen (Enter), and keep the keys typed after it."""
        ...

    def keep_typed_ahead(self, event: events.Key) -> bool:
        """Keep `event` for what Enter is opening (True), if it is."""
        ...


class FilterBox(Input):
    def __init__(self, list_id: str, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id)
        self.list_id = list_id

    async def _on_key(self, event: events.Key) -> None:
        widget = self.screen.query_one(f"#{self.list_id}")
        rows = cast("Filterable", widget)
        if rows.keep_typed_ahead(event):  # typed after Enter: for the case it opens
            return
        held = self.screen.focused is self
        if held and event.key not in ("down", "enter"):
            if not event.is_printable:  # Backspace, ctrl+u, Esc: in order with the text
                await act_in_order(self, event)
            return  # text: Input's own handling
        rows.filter(self.value)  # nothing to do unless the box's Changed is still on its way
        if event.key == "enter":
            rows.choose()
        elif held:  # Down: into the list, on its first match
            if rows.enter_at_first():
                self.screen.set_focus(widget)
        elif not await act_in_order(widget, event, untried=True):
            # no key of the list's (its priority keys too: refused as text on arrival, `e`
            # after `/`, text, Down edits the case): typed into the box, as it was sent
            return
        event.stop()
        event.prevent_default()
