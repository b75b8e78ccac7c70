"""The audits a person may see, with the figures the app's audit list shows: read once for the
command line's `audits` (the database decides what a PostgreSQL login may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from audit_tui.domain.rubric import Scale
from audit_tui.store import audits, scores
from audit_tui.store.moderation import blind_audits
from audit_tui.store.repository import Repository


@dataclass(frozen=True)
class AuditSummary:
    name: str
    rubric_id: str
    rubric_version: str
    rubric_title: str
    pdu: str
    region: str
    kind: str
    cases: int
    answered: int
    applicable: int
    score: int | None
    score_max: int
    rating: str | None
    scale: Scale
    """The rubric's ratings, for showing `rating` by its place on them."""
    locked_by: str | None
    locked_at: datetime | None
    hidden: bool
    """The person second-marks a case of it blind: its progress, score and rating are not
    theirs to see yet (the figures above are then zero and None)."""

    @property
    def percent(self) -> float | None:
        """Items answered of those that apply, unrounded to two decimals as reports give it."""
        return round(100 * self.answered / self.applicable, 2) if self.applicable else None


def audit_summaries(repo: Repository) -> list[AuditSummary]:
    """Every audit the current user may read, by name, scored from the kept counts as the app's
    list is (cheap: no answer row is read)."""
    blind = blind_audits(repo)
    found = []
    for info in audits.list_audits(repo):
        audit = audits.open_audit(repo, info.name)
        hidden = info.id in blind
        result = None if hidden else scores.score(repo, audit, exact=False)
        answered, applicable = result.progress if result else (0, 0)
        found.append(
            AuditSummary(
                name=info.name,
                rubric_id=audit.rubric.id,
                rubric_version=audit.rubric.version,
                rubric_title=audit.rubric.title,
                pdu=info.pdu,
                region=info.region,
                kind=info.kind,
                cases=info.cases,
                answered=answered,
                applicable=applicable,
                score=result.score if result else None,
                score_max=audit.rubric.score_max,
                rating=result.overall if result else None,
                scale=audit.rubric.scale,
                locked_by=info.locked_by,
                locked_at=info.locked_at,
                hidden=hidden,
            )
        )
    return found
