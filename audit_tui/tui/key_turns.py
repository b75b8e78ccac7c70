"""Keys typed in a burst act one after another where the screen on top is not ready for them.

Textual hands each key to the focused widget's queue as it arrives; the key then climbs its
widgets' queues to the app, which runs the bindings. The next key does not wait for it. In a
dialog that let a burst act out of order: after an Esc that closes the dialog, an Enter reached
the dialog's field and submitted it before the Esc climbed to its binding, and the Esc then left
the dashboard below (`e`, Esc, Down, Enter left the audit). And the keys typed after the Enter
that saves a dialog reached the dialog while its write was under way, and were lost with it.

So the keys wait, in order (`_waiting`): while a key is on its way up through a dialog
(`KeyClimbed` follows it up the same queues: when it reaches the app, the key has been acted
on; a second follows what its binding posted, Enter in a field Submitted, on a button Pressed;
and when the key closed the dialog, one more follows the dialog's result into the screen
below); while the dialog on top has a write under way (`WriteSettled` follows its outcome);
and while the screen on top is still opening, until it is drawn (a key forwarded meanwhile
reached the bare screen, or a field not ready for it, ahead of the keys after it). Full screens
keep their own typed-ahead rules (`widgets/in_order.py`); only dialogs take keys one at a time.
An Esc pressed while a dialog's write runs is the dialog's, and the quit key never waits.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from weakref import WeakKeyDictionary

from textual import events
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen

from audit_tui.tui.widgets.in_order import action_of

LOST_AFTER = 1.0
"""Seconds after which a key's follower counts as lost (a widget it waited in was removed with
its queue): the keys after it go on rather than wait for good."""


ROUNDS = 2
"""Followers sent up behind a key at least: the second follows the messages its binding
posted (Enter in a field posts Submitted, on a button Pressed), which climb to the dialog
after the key itself has reached the app."""
MAX_ROUNDS = 6
"""At most: more go only while the dialog still has messages queued."""
MAX_CLOSES = 3
"""Screens closed one by the other's result (a confirm, then the dialog that asked it), at
most, before the keys go on."""


class KeyClimbed(Message):
    """Posted behind a key into a dialog: arriving at the app, the key before it has been read
    by every widget it climbed through, and its binding run; from the `ROUNDS`th on, what its
    binding posted has been acted on too."""

    def __init__(self, target: MessagePump, round: int = 1, closes: int = 0) -> None:
        super().__init__()
        self.target, self.round = target, round
        self.closes = closes
        """How many screens closed while it climbed: from 1, it follows what a closed
        dialog asked of the screen below (its result, run there next)."""


class WriteSettled(Message):
    """Posted to a dialog behind its write's outcome: arriving at the app, the dialog has
    acted on the outcome (closed, or said what failed)."""

    def __init__(self, dialog: MessagePump) -> None:
        super().__init__()
        self.dialog = dialog


def wait_for_write(to: MessagePump) -> bool:
    """Keys typed into a dialog while its write is under way wait for its outcome (True: the
    write must be followed by `WriteSettled`). The Enter that saves is acted on first, so the
    keys after it act where the save leaves the app, not in the closing dialog."""
    if isinstance(to, ModalScreen) and isinstance(to.app, KeysInTurn):
        to.app.waits_for_write(to)
        return True
    return False


class KeysInTurn(App[Any]):
    """The app's side: keys wait their turn (`_waiting`) behind a screen still opening, a key
    still climbing through a dialog and a dialog's write, and are then acted on in the order
    typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._waiting: list[tuple[events.Key, Screen[Any] | None]] = []
        """Keys typed and not yet handed on, in order, each with the dialog it cancels if it
        was typed while that dialog's write was under way (`_aimed`)."""
        self._opening: Screen[Any] | None = None
        """The screen on top, waited for to be drawn."""
        self._climbing: tuple[Screen[Any], KeyClimbed] | None = None
        """The dialog a key went into, and the message following it up."""
        self._writing: WeakKeyDictionary[MessagePump, int] = WeakKeyDictionary()
        """Dialogs with writes under way, and how many."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            if (self._waiting or self._waits()) and self._quits(event):
                await super().on_event(event)  # a write that hangs never keeps the app open
                return
            self._waiting.append((event, self._aimed(event)))
            await self._hand_on()
            return
        await super().on_event(event)

    def _aimed(self, key: events.Key) -> Screen[Any] | None:
        """The dialog on top, when the key cancels it while its write is under way: the key is
        that dialog's, and dropped if the write closes it (Esc pressed while a long export ran
        waited for it, then left the dashboard the export closed back to)."""
        dialog = self.screen
        if not self._writing.get(dialog):
            return None
        return dialog if action_of(dialog.focused or dialog, key.key) == "cancel" else None

    @property
    def keys_waiting(self) -> int:
        """How many keys typed are waiting their turn."""
        return len(self._waiting)

    def _quits(self, key: events.Key) -> bool:
        """Whether the key is the app's quit key (ctrl+q, or as the keymap says)."""
        chain = self.screen._binding_chain
        own = next((bindings for node, bindings in chain if node is self), None)
        found = own.key_to_bindings.get(key.key, []) if own is not None else []
        return any(binding.action == "quit" for binding in found)

    def waits_for_write(self, dialog: MessagePump) -> None:
        self._writing[dialog] = self._writing.get(dialog, 0) + 1

    def on_write_settled(self, message: WriteSettled) -> None:
        message.stop()
        left = self._writing.get(message.dialog, 0) - 1
        if left > 0:
            self._writing[message.dialog] = left
        else:
            self._writing.pop(message.dialog, None)
        self.call_later(self._hand_on)

    def _on_mount(self, _event: events.Mount) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        """A dialog closed by its key, or a screen gone before it was drawn: the keys waiting
        for it go on (the message following a key up a closed dialog may never arrive)."""
        if self._waiting:
            self.call_later(self._hand_on)

    def _waits(self) -> bool:
        """Whether the next key must wait: for the screen on top to be drawn, for the key
        before it to climb out of its dialog, or for the dialog's write."""
        if self._opening is not None:
            if self._opening in self.screen_stack:
                return True
            self._opening = None  # gone before it was up
        if self._climbing is not None:
            dialog, follow = self._climbing
            if dialog in self.screen_stack:
                return True
            self._climbing = None  # closed by the key (or by something else)
            if follow.closes < MAX_CLOSES:  # its result runs below it next: wait for that too
                self._follow(self.screen, KeyClimbed(self.screen, ROUNDS, follow.closes + 1))
                return True
        if self._writing.get(self.screen):
            return True
        if not self.screen.is_mounted:
            self._opening = screen = self.screen
            screen.call_after_refresh(self._drawn, screen)
            return True
        return False

    def _drawn(self, screen: Screen[Any]) -> None:
        if self._opening is screen:
            self._opening = None
            self.call_later(self._hand_on)  # on the app's own queue, as typed keys are

    async def _hand_on(self) -> None:
        """The keys waiting, in order, for as long as none has to wait."""
        while self._waiting and not self._waits():
            key, aimed = self._waiting.pop(0)
            if aimed is not None and aimed not in self.screen_stack:
                continue  # its dialog has closed
            screen, target = self.screen, self.focused or self.screen
            await super().on_event(key)
            if key.is_forwarded and isinstance(screen, ModalScreen) and screen in self.screen_stack:
                self._follow(screen, KeyClimbed(target))

    def _follow(self, dialog: Screen[Any], follow: KeyClimbed) -> None:
        self._climbing = (dialog, follow)
        follow.target.post_message(follow)
        self.set_timer(LOST_AFTER, partial(self._climbed, follow))

    def on_key_climbed(self, message: KeyClimbed) -> None:
        message.stop()
        if self._climbing is None or self._climbing[1] is not message:
            return
        dialog, target = self._climbing[0], message.target
        still = dialog in self.screen_stack and target.is_attached and message.round < MAX_ROUNDS
        if still and (message.round < ROUNDS or _queued(dialog)):
            self._follow(dialog, KeyClimbed(target, message.round + 1))
            return
        self._climbed(message)

    def _climbed(self, follow: KeyClimbed) -> None:
        if self._climbing is not None and self._climbing[1] is follow:
            self._climbing = None
            self.call_later(self._hand_on)


def _queued(dialog: Screen[Any]) -> bool:
    """Whether anything in the dialog has messages still to read."""
    return any(node.message_queue_size for node in dialog.walk_children(with_self=True))
