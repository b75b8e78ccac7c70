"""Textual's Header, safe to tear down before it has set its title.

Header sets its title from a watcher it starts on mount. The watcher runs later, and Textual 8.2
catches only NoScreen when the title widget is gone. A practised auditor's burst of `>` replaces
each case's screen before that watcher has run, and the NoMatches it raised closed the app.
"""

from __future__ import annotations

from contextlib import suppress

from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header, Static


class SafeHeader(Header):
    """The header every screen shows: Textual's, with the title set only while it is there."""

    def _on_mount(self, event: Mount) -> None:
        event.prevent_default()  # Textual's own watcher is not started beside this one

        async def set_title() -> None:
            with suppress(NoMatches, NoScreen):  # torn down before the watcher ran
                self.query_one("HeaderTitle", Static).update(self.format_title())

        self.watch(self.app, "title", set_title)
        self.watch(self.app, "sub_title", set_title)
        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
