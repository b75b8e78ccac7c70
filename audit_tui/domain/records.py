"""Plain records the repository hands out: what screens and renderers see, never live ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

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
    locked_by: str | None = None
    locked_at: datetime | None = None
    """When the lead locked the audit (None while it is open to changes)."""
    kind: str = "sample"
    """`sample`, or `oversight`: cases added as a manager reviews them, not a representative
    sample (its ratings describe those cases only, and every report says so)."""

    @property
    def oversight(self) -> bool:
        return self.kind == OVERSIGHT


SAMPLE, OVERSIGHT = "sample", "oversight"
KINDS = (SAMPLE, OVERSIGHT)


@dataclass(frozen=True)
class OpenAudit:
    """An audit with the rubric it was created against (parsed from its snapshot, not the file)."""

    info: AuditInfo
    rubric: Rubric
    rubric_text: str


class CaseInfo(NamedTuple):
    """One case of an audit, with its progress. A named tuple rather than a dataclass: an audit
    of 10,000 cases builds 10,000 of them each time it is opened, at a third of the cost."""

    id: int
    case_ref: str
    attributes: dict[str, str]
    """Shared by cases whose attributes are the same (decoded once): read it, never change it."""
    position: int = 0
    answered: int = 0
    applicable: int = 0
    removed_at: datetime | None = None
    """When the case was withdrawn from the sample (None while it is in it)."""
    removed_by: str = ""
    removed_reason: str = ""
    allocated_to: str = ""
    """The auditor who answers the case ("" while not allocated)."""
    completed_by: str = ""
    """Who marked it complete ("" until then)."""
    signed_off_by: str = ""
    signed_off_at: datetime | None = None
    """When the lead signed it off (its answers then no longer change)."""
    practitioner: str = ""
    """The practitioner's pseudonymous code ("" when not recorded)."""
    team: str = ""

    @property
    def signed_off(self) -> bool:
        return self.signed_off_at is not None

    @property
    def complete(self) -> bool:
        return self.applicable > 0 and self.answered >= self.applicable

    @property
    def removed(self) -> bool:
        return self.removed_at is not None


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


@dataclass(frozen=True)
class AuditEvent:
    """One entry of an audit's event log: renamed, a case removed, cases updated, answers
    cleared, deleted. `audit_id` is None once the audit is deleted; `audit_name` is its name
    when the event happened."""

    id: int
    audit_id: int | None
    audit_name: str
    at: datetime
    by: str
    event: str
    detail: str = ""


@dataclass(frozen=True)
class CaseChange:
    """One case whose attributes changed: before and after, and the answers cleared because
    their items stopped applying (empty unless the caller asked for them to be cleared)."""

    case_ref: str
    before: dict[str, str]
    after: dict[str, str]
    cleared: tuple[str, ...] = ()

    def describe(self) -> str:
        """`C-1 has_psr yes → no, rosh low → high` (an attribute left empty shows as `-`)."""
        names = list(dict.fromkeys([*self.before, *self.after]))
        moves = [
            f"{n} {self.before.get(n) or '-'} → {self.after.get(n) or '-'}"
            for n in names
            if self.before.get(n) != self.after.get(n)
        ]
        return f"{self.case_ref} {', '.join(moves)}"


@dataclass(frozen=True)
class UpdateSummary:
    """What an update of case attributes did: cases changed (each with its change), added, and
    left as they were."""

    updated: int = 0
    added: int = 0
    unchanged: int = 0
    changes: tuple[CaseChange, ...] = ()

    @property
    def answers_cleared(self) -> int:
        """Answers cleared because their items stopped applying (only when asked to)."""
        return sum(len(change.cleared) for change in self.changes)

    def __str__(self) -> str:
        """`updated 3 cases, added 1 case, 24 unchanged` (the command line's words)."""
        from audit_tui.domain.words import plural

        return (
            f"updated {plural(self.updated, 'case')}, added {plural(self.added, 'case')},"
            f" {self.unchanged:,} unchanged"
        )
