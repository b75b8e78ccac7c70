"""A checkbox whose state shows as a mark, not as colour alone."""

from __future__ import annotations

from textual.widgets import Checkbox


class MarkedCheckbox(Checkbox):
    """A checkbox whose state is a mark (✓ or empty), not only the colour of its button."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "✓" if self.value else " "
