"""An audit's counts kept current answer by answer, so a live rating costs the same at 28 cases
as at 10,000: one answer changes one item's tally, never a recount of the audit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from audit_tui.domain.answers import Answer
from audit_tui.domain.records import Judgement
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring.results import AuditResult, Tally, score_audit
from audit_tui.scoring.verdicts import CaseVerdicts

_FIELD = {
    Answer.YES.value: "yes",
    Answer.NO.value: "no",
    Answer.NOT_APPLICABLE.value: "not_applicable",
}


@dataclass
class LiveScore:
    """Tallies, judgements and the audit revision they were counted at."""

    cases: int
    tallies: dict[str, Tally]
    judgements: Mapping[str, Judgement]
    revision: int
    verdicts: CaseVerdicts | None = None
    """Each case's verdict per standard, where the rubric rates standards by their cases."""
    applied: int = field(default=0)
    """Answers applied since the full count (for tests and benchmarks: no hidden recounts)."""

    def apply(self, item_id: str, old: str | None, new: str | None, case_id: int) -> None:
        """Move case `case_id`'s answer to `item_id` from `old` to `new` (None: unanswered)."""
        if old == new:
            return
        if self.verdicts is not None:
            self.verdicts.apply(case_id, item_id, new)
        tally = self.tallies.get(item_id, Tally())
        changes: dict[str, int] = {}
        if old is not None:
            changes[_FIELD[old]] = getattr(tally, _FIELD[old]) - 1
        if new is not None:
            changes[_FIELD[new]] = getattr(tally, _FIELD[new]) + 1
        self.tallies[item_id] = replace(tally, **changes)
        self.applied += 1

    def result(self, rubric: Rubric, audit: str) -> AuditResult:
        verdicts = self.verdicts.tallies if self.verdicts is not None else None
        return score_audit(rubric, audit, self.cases, self.tallies, self.judgements, verdicts)
