"""Messages the app passes to its screens: the store is ready, a case was left, an audit was
created, an answer was saved or not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from audit_tui.domain.records import OpenAudit, SavedAnswer
    from audit_tui.tui.screens.case_walk import CaseWalkScreen
    from audit_tui.tui.widgets.item_row import ItemRow


class StoreReady(Message):
    """The database is open: screens waiting for it can load."""


@dataclass
class AuditCreated(Message, bubble=False):
    """A new audit is on disk; `cases` says where its cases come from ("hand", "import", ...)."""

    audit: OpenAudit
    cases: str


@dataclass
class AuditChanged(Message, bubble=False):
    """A write changed the audit (`said` tells the user how): the app says so and counts it
    again. Posted to the app, so it is said even when the screen that asked has gone."""

    name: str
    said: str


@dataclass
class AnswerSaved(Message, bubble=False):
    """An answer given in `walk` is on disk. Posted to the app, whose queue outlives the walk:
    the app counts it into the open audit even when the case was left while it saved."""

    walk: CaseWalkScreen
    row: ItemRow
    token: int
    saved: SavedAnswer
    undoing: bool


@dataclass
class AnswerNotSaved(Message, bubble=False):
    """An answer given in `walk` did not commit; `row` shows it as not saved."""

    walk: CaseWalkScreen
    row: ItemRow
    token: int
    error: Exception
