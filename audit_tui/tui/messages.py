"""Messages the app passes to its screens: the store is ready, a case was left, a write's result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message


class StoreReady(Message):
    """The database is open: screens waiting for it can load."""


class Deliver(Message):
    """A store result for the event loop, posted from the writer thread without waiting for the
    loop (which may itself be waiting for the writer, when quitting)."""

    def __init__(self, callback: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self.callback, self.args = callback, args


class CaseLeft(Message):
    """The case walk was left (Esc) on this case: the list beneath highlights it."""

    def __init__(self, case_id: int) -> None:
        super().__init__()
        self.case_id = case_id
