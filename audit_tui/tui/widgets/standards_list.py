"""The case walk's list of standards, reached by its own key (`s`): the arrows choose one, Enter
goes to its first unanswered item and gives the arrows back to the items, Esc goes back too.

Each key acts as the list reads it (see in_order). A key it reads once Enter or Esc has given
the focus back (typed in the same burst) is the items' key, and acts there, in order.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import ListItem, ListView

from audit_tui.tui.widgets.in_order import act_in_order


class StandardsList(ListView):
    def __init__(
        self, *items: ListItem, go_to: Callable[[int], None], back: Callable[[], None], id: str
    ) -> None:
        super().__init__(*items, id=id)
        self._go_to, self._back = go_to, back

    async def _on_key(self, event: events.Key) -> None:
        focused = self.screen.focused
        if focused is not self and focused is not None:
            await act_in_order(focused, event)  # the items' now
            return
        key = event.key
        if key in ("enter", "escape", "home", "end"):
            event.stop()
            event.prevent_default()
            if key == "enter" and self.index is not None:
                self._go_to(self.index)
            elif key in ("home", "end") and len(self):
                self.index = 0 if key == "home" else len(self) - 1
            if key in ("enter", "escape"):
                self._back()
            return
        await act_in_order(self, event)
