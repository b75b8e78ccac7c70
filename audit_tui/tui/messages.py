"""Messages the app passes between screens when the store is ready or an audit's data changes."""

from __future__ import annotations

from textual.message import Message


class StoreReady(Message):
    """The database is open: screens waiting for it can load."""


class AuditChanged(Message):
    """Something in an audit changed (an answer, a case, a judgement): ratings must be redone."""

    def __init__(self, audit: str) -> None:
        super().__init__()
        self.audit = audit
