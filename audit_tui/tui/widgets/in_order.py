"""Keys acted on by the widget that reads them, in the order they were typed.

Textual hands a key to the focused widget, which passes it up through its containers to the
app; only there is the key's binding looked up, against whatever has the focus by then. A key
that a widget handles itself (Enter on a list) or one whose binding moves the focus (Down from
a filter, `s` to the standards) then overtakes the keys typed before it: a burst of Down, Down,
Enter opened the first row. A widget calling `act_in_order` from its `_on_key` looks the key up
as it reads it, in its own chain of bindings (itself, its containers, the screen, the app; the
user's keymap applied), so each key acts after the one before, wherever the focus is by then.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from textual import events

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.app import App
    from textual.binding import BindingsMap, Keymap
    from textual.dom import DOMNode
    from textual.message import Message
    from textual.widget import Widget

    _Counted = Widget
else:  # a plain mixin: a Widget base here would add its styles to the widget's own
    _Counted = object


_IN_ORDER: ContextVar[bool] = ContextVar("audit_tui_in_order", default=False)


def in_order_now() -> bool:
    """A key's priority binding is running where the key was read, in the order typed (not as
    the app took it on arrival): a screen refusing priority keys that would overtake others
    (`VirtualTable.waits_turn`) lets this one run."""
    return _IN_ORDER.get()


class UnreadKeys(_Counted):
    """A widget that counts the keys sent to it and not read yet: while any are, its screen's
    priority keys must wait their turn behind them (`keys_unread`, in the widget's
    `waits_turn`). Its `_on_key` calls `read_key` first."""

    _unread = 0

    def post_message(self, message: Message) -> bool:
        if isinstance(message, events.Key):
            self._unread += 1
        return super().post_message(message)

    def read_key(self) -> None:
        """One key sent here has been read."""
        self._unread = max(0, self._unread - 1)

    @property
    def keys_unread(self) -> bool:
        return self._unread > 0


async def act_in_order(widget: Widget, event: events.Key, *, untried: bool = False) -> bool:
    """Run the first binding for `event` from `widget` up, now, and stop the key: True when one
    ran. Priority bindings are left out (the app tried them as the key arrived), unless the key
    is `untried` here (handed on from the screen it was typed at), and so are the containers'
    bindings for a key a widget below them types as text (a letter in a box)."""
    keymap = widget.app._keymap
    chain = _chain(widget)
    if untried:  # first, as the app would have: priority bindings from the app down
        token = _IN_ORDER.set(True)
        try:
            for node in reversed(chain):
                for binding in _bindings(node, keymap).key_to_bindings.get(event.key, ()):
                    if binding.priority and await widget.app.run_action(binding.action, node):
                        event.stop()
                        event.prevent_default()
                        return True
        finally:
            _IN_ORDER.reset(token)
    consumed = False
    for node in chain:
        if consumed:
            break
        for binding in _bindings(node, keymap).key_to_bindings.get(event.key, ()):
            if not binding.priority and await widget.app.run_action(binding.action, node):
                event.stop()
                event.prevent_default()
                return True
        consumed = node.check_consume_key(event.key, event.character)
    return False


def action_of(widget: Widget, key: str) -> str | None:
    """The action `key` runs from `widget` up (its first binding there, as the user's keymap
    has it; priority bindings left out, as in `act_in_order`), or None."""
    keymap = widget.app._keymap
    for node in _chain(widget):
        for binding in _bindings(node, keymap).key_to_bindings.get(key, ()):
            if not binding.priority:
                return binding.action
    return None


def _bindings(node: DOMNode, keymap: Keymap) -> BindingsMap:
    """The node's bindings as the user's keymap has them."""
    bindings = node._bindings.copy()
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def _chain(widget: Widget) -> list[DOMNode]:
    """`widget`, its containers, its screen, and the app above a screen that is not modal."""
    nodes: list[DOMNode] = []
    for node in widget.ancestors_with_self:
        nodes.append(node)
        if node.is_modal:
            break
    return nodes


def send_on(app: App[object], keys: Sequence[tuple[str, str | None]]) -> None:
    """Keys read for a screen that an earlier one of them left (Back) or took the focus from:
    they go where the focus is now. A table takes them in order (`hand_on`), acting on them
    at once or once its rows are here; anything else reads them from the app, which keeps
    them, with any typed after, while the screen on top is still opening (`key_turns`)."""
    from textual import events

    focused = app.focused
    hand_on = getattr(focused, "hand_on", None)
    if hand_on is not None:
        hand_on(keys)
        return
    for key, character in keys:
        app.post_message(events.Key(key, character))


def act_now(widget: Widget, key: str, character: str | None) -> bool:
    """`act_in_order` for a key kept to be acted on later (typed ahead of a screen): its
    binding from `widget` up, run now; only actions that are plain methods (the walk's)."""
    from textual.actions import parse

    keymap = widget.app._keymap
    for node in _chain(widget):
        for binding in _bindings(node, keymap).key_to_bindings.get(key, ()):
            target_name, name, params = parse(binding.action)
            target = widget.screen if target_name == "screen" else node
            if target_name == "app":
                target = widget.app
            method = getattr(target, f"action_{name}", None)
            token = _IN_ORDER.set(True)  # in order, as `act_in_order`'s priority bindings
            try:
                allowed = method is not None and target.check_action(name, params) is not False
            finally:
                _IN_ORDER.reset(token)
            if method is not None and allowed:
                method(*params)
                return True
        if node.check_consume_key(key, character):
            return False
    return False
