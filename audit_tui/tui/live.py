"""The open audit as the screens share it: cases with their progress, and live counts.

Counted in full when the audit opens, then kept current by the app's own saves (one tally and
one case's progress per answer). A save whose revision shows that another writer got in first,
or a poll that finds a newer revision, marks it stale: it is counted again, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from audit_tui.domain.access import Access
    from audit_tui.domain.records import CaseInfo, OpenAudit, SavedAnswer
    from audit_tui.scoring.live import LiveScore
    from audit_tui.scoring.results import AuditResult
    from audit_tui.store.repository import Repository


@dataclass(eq=False)  # one audit as read once: the app's `live` reactive compares identity
class LiveAudit:
    audit: OpenAudit
    cases: list[CaseInfo]
    score: LiveScore
    access: Access | None = None
    """Who the user is in this audit (role, and whether it is locked), read with the counts."""
    result: AuditResult = field(init=False)
    changed_cases: set[int] = field(default_factory=set)
    """Cases whose progress moved since the dashboard last drew them."""
    stale: bool = False
    """Another writer changed the audit: cases and counts must be read again."""
    blind: dict[int, str] = field(default_factory=dict)
    """Cases (id -> reference) the user second-marks blind and has not completed: while there
    are any, the audit's answers (ratings, reports, trail) are hidden from them."""

    def __post_init__(self) -> None:
        self.result = self.score.result(self.audit.rubric, self.audit.info.name)
        self._index = {c.id: i for i, c in enumerate(self.cases)}

    @classmethod
    def read(cls, repo: Repository, name: str) -> LiveAudit:
        """The audit counted in full, with the user's standing in it (on a worker thread)."""
        from audit_tui.store import audits, cases, scores, team
        from audit_tui.store.moderation import blind_cases

        audit = audits.open_audit(repo, name)
        return cls(
            audit=audit,
            cases=cases.list_cases(repo, audit),
            score=scores.live_score(repo, audit),
            access=team.standing(repo, audit),
            blind=blind_cases(repo, audit),
        )

    def blind_refusal(self) -> str:
        """Why the audit's answers are hidden from the user ("" when they are not)."""
        if not self.blind:
            return ""
        refs = list(self.blind.values())
        shown = ", ".join(refs[:5]) + (f" and {len(refs) - 5} more" if len(refs) > 5 else "")
        return (
            f"You are second-marking {len(refs)} case{'s' if len(refs) != 1 else ''} blind"
            f" ({shown}): the audit's answers, ratings and reports are hidden until you mark"
            " them complete"
        )

    @property
    def name(self) -> str:
        return self.audit.info.name

    @property
    def revision(self) -> int:
        return self.score.revision

    def case(self, case_id: int) -> CaseInfo | None:
        at = self._index.get(case_id)
        return None if at is None else self.cases[at]

    def apply(self, case_id: int, item_id: str, saved: SavedAnswer) -> bool:
        """Count one of our own saves. False (and stale) when the revision shows a change by
        someone else in between: the counts can no longer be trusted."""
        if saved.revision <= self.score.revision and saved.changed:
            return True  # counted already: a recount read the audit after this save
        expected = self.score.revision + (1 if saved.changed else 0)
        if saved.revision != expected:
            self.stale = True
            return False
        if not saved.changed:
            return True
        old, new = saved.old_value, saved.answer.value
        self.score.apply(item_id, old, new, case_id)
        self.score.revision = saved.revision
        step = (new is not None) - (old is not None)
        at = self._index.get(case_id)
        if step and at is not None:
            case = self.cases[at]
            self.cases[at] = case._replace(answered=case.answered + step)
            self.changed_cases.add(case_id)
        self.result = self.score.result(self.audit.rubric, self.audit.info.name)
        return True
