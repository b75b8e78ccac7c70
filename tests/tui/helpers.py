"""Driving the app in tests: wait for workers and the write queue, never sleep."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from textual import events
from textual.command import CommandList, CommandPalette
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.screen import Screen
from textual.worker import WorkerCancelled

from audit_tui.tui.app import AuditApp


def top(app: AuditApp) -> Screen[Any]:
    """The screen on top, read afresh (a type checker keeps `app.screen` narrowed from an
    earlier `isinstance`, though a key may have changed it since)."""
    return app.screen


def _busy(app: AuditApp) -> bool:
    return app.link is None or any(w.is_running for w in app.workers) or app.link.pending > 0


async def settle(pilot: Pilot[Any], app: AuditApp) -> None:
    """Let the store connect, workers finish and queued writes commit, then let the UI catch up.

    Quiet means quiet three times running: a message handled in one pause may start a worker
    (the store being ready starts each screen's load), which the next check must see.
    """
    quiet = 0
    for _ in range(200):
        await pilot.pause()
        with suppress(WorkerCancelled):  # its screen left while it read (opened, then left)
            await app.workers.wait_for_complete()
        if app.link is not None:
            await asyncio.to_thread(app.link.wait_idle)
        await pilot.pause()
        quiet = 0 if _busy(app) else quiet + 1
        if quiet >= 3:
            return
    raise AssertionError("the app did not settle")


class Typed(str):
    """Text typed into one field as one step (`steps(pilot, app, "tab", Typed("2024-01-01"))`):
    its characters are pressed in order, then the app settles once, not after each."""


async def steps(pilot: Pilot[Any], app: AuditApp, *keys: str) -> None:
    """Settle, then press each key (or `Typed` text) and settle again: one user step at a time."""
    await settle(pilot, app)
    for key in keys:
        await pilot.press(*key) if isinstance(key, Typed) else await pilot.press(key)
        await settle(pilot, app)


CHARACTERS = {"enter": "\r", "tab": "\t", "escape": "\x1b", "space": " "}


def key_event(key: str) -> events.Key:
    """The event a terminal delivers for `key`: a single character as typed ("/" is "slash"
    with the character "/"), or a key's name ("down", "enter", "f1")."""
    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    return events.Key(key, CHARACTERS.get(key))


def burst(app: AuditApp, *keys: str) -> None:
    """Every key queued at once, with no pause for the app to catch up, as a terminal delivers
    a practised user's keys: `burst(app, "/", *"015", "down", "enter")`."""
    for key in keys:
        app.post_message(key_event(key))


async def until(pilot: Pilot[Any], condition: Callable[[], bool], tries: int = 2000) -> None:
    """Let the app run until `condition` holds (a screen shown, a case open): the test waits
    for the app, never for the clock. Fails if it never does."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the app never got there")


async def the_moment(condition: Callable[[], bool], within: float = 30.0) -> None:
    """Return the moment `condition` holds, letting the event loop run one step at a time (no
    pause for the app to settle): the keys that follow arrive as fast as a person's would.
    `within` seconds only bounds a failure; it decides nothing else."""
    give_up = time.monotonic() + within
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError("the app never got there")
        await asyncio.sleep(0)


def palette_highlights(app: AuditApp, words: str) -> Callable[[], bool]:
    """For `until`: the command palette has found its commands and highlights one holding
    `words`, so that Enter runs it (what a person waits to see, whatever the search takes)."""

    def highlighted() -> bool:
        palette = app.screen
        if not isinstance(palette, CommandPalette) or not palette._list_visible:
            return False
        found = palette.query_one(CommandList)
        if found.highlighted is None:
            return False
        prompt = found.get_option_at_index(found.highlighted).prompt
        return words in getattr(prompt, "plain", str(prompt))

    return highlighted


def hold_writes(app: AuditApp) -> threading.Event:
    """Hold the app's write queue until the event is set: whatever is queued behind (a case's
    answers being read, a dialog's save) is surely still under way while the keys arrive."""
    gate = threading.Event()
    app.store.write(app, lambda _repo: gate.wait(30))
    return gate
