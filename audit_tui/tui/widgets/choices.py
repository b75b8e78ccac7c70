"""Choices that say which is chosen by a mark, not by colour alone (Textual draws the same
mark, in another colour, for a radio button or a checkbox that is on and one that is off)."""

from __future__ import annotations

from textual import events
from textual.widgets import Checkbox, RadioButton, RadioSet


class Choice(RadioButton):
    """A choice that shows whether it is chosen by its mark, not by colour alone."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual's name: a class attribute
        return "●" if self.value else " "


class Choices(RadioSet, inherit_bindings=False):
    """A row of choices as a browser has them: an arrow key moves the choice itself (nothing to
    confirm), so Enter is left to the dialog, which submits. A key changes the choice at once
    (not through each button's own message, whose order a fast burst does not keep)."""

    BINDINGS = []

    async def _on_key(self, event: events.Key) -> None:
        step = {"right": 1, "down": 1, "left": -1, "up": -1}.get(event.key)
        if step is None:
            return
        event.stop()
        event.prevent_default()
        self.action_choose(step)

    def on_mount(self) -> None:
        self.call_after_refresh(self._highlight_pressed)

    def _highlight_pressed(self) -> None:
        """The cursor on the choice made, or on none (a highlighted first choice looks made)."""
        self._selected = self.pressed_index if self.pressed_index >= 0 else None

    def action_choose(self, step: int) -> None:
        buttons = list(self.query(Choice))
        if not buttons:
            return
        at = self.pressed_index
        chosen = (at + step) % len(buttons) if at >= 0 else (0 if step > 0 else len(buttons) - 1)
        with self.prevent(RadioButton.Changed):
            for index, button in enumerate(buttons):
                button.value = index == chosen
        self._pressed_button = buttons[chosen]
        self._selected = chosen
        self.post_message(self.Changed(self, buttons[chosen]))


class Tick(Checkbox):
    """A checkbox whose box holds an X only when it is ticked."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual's name: a class attribute
        return "X" if self.value else " "
