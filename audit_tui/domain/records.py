"""Plain records the repository hands out: what screens and renderers see, never live ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit_tui.domain.rubric import Rubric


@dataclass(frozen=True)
class AuditInfo:
    id: int
    name: str
    pdu: str
    region: str
    rubric_id: str
    rubric_version: str
    rubric_hash: str
    created_at: datetime
    revision: int = 0
    cases: int = 0


@dataclass(frozen=True)
class OpenAudit:
    """An audit with the rubric it was created against (parsed from its snapshot, not the file)."""

    info: AuditInfo
    rubric: Rubric
    rubric_text: str


@dataclass(frozen=True)
class CaseInfo:
    id: int
    case_ref: str
    attributes: dict[str, str]
    position: int = 0
    answered: int = 0
    applicable: int = 0

    @property
    def complete(self) -> bool:
        return self.applicable > 0 and self.answered >= self.applicable


@dataclass(frozen=True)
class AnswerInfo:
    item_id: str
    value: str | None
    note: str = ""
    note_tag: str | None = None
    updated_at: datetime | None = None
    updated_by: str = ""


@dataclass(frozen=True)
class SavedAnswer:
    """What a save stored (under the write lock), what it replaced, and the audit's revision after
    it: one more than before when nothing else was written in between."""

    answer: AnswerInfo
    old_value: str | None
    changed: bool
    revision: int


@dataclass(frozen=True)
class Judgement:
    """A domain-one judgement: a rating with its evidence."""

    standard_id: str
    rating: str
    strengths: str = ""
    improvements: str = ""


@dataclass(frozen=True)
class TaggedNote:
    """A note an auditor tagged as a strength or an area for improvement, for the report."""

    item_id: str
    case_ref: str
    tag: str
    note: str


@dataclass
class ImportSummary:
    rows: int = 0
    written: int = 0
    unchanged: int = 0
