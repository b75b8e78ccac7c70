"""Keys acted on by the widget that reads them, in the order they were typed.

Textual hands a key to the focused widget, which passes it up to the app; only there is its
binding looked up, against whatever has the focus by then. A widget that handles some keys
itself (Enter on a list) would act on them before the movement keys typed ahead of them reach
the app: a burst of Down, Down, Enter opened the first row. A widget using `act_on_own_keys`
acts on its own bindings as it reads each key, so each key sees the work of the one before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual import events
    from textual.widget import Widget


async def act_on_own_keys(widget: Widget, event: events.Key) -> bool:
    """Run `widget`'s own binding for `event` (the user's keymap applied) and stop the key:
    True when one ran. Call from the widget's `_on_key`."""
    bindings = widget._bindings.copy()
    keymap = widget.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    for binding in bindings.key_to_bindings.get(event.key, ()):
        if await widget.app.run_action(binding.action, widget):
            event.stop()
            event.prevent_default()
            return True
    return False
