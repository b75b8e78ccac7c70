"""Everything one document shows, read in ONE snapshot (`Repository.snapshot`) into a frozen
record, so a report's case list, score and moderation come from the same moment however many
others commit meanwhile. Renderers are then pure functions of the record: no store access."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from audit_tui.domain.records import AnswerInfo, CaseInfo, OpenAudit
from audit_tui.reporting.formats import Reads as Reads  # re-exported
from audit_tui.reporting.model import ReportData, build_report, moderation_title
from audit_tui.scoring.breakdowns import DEFAULT_MIN_GROUP
from audit_tui.scoring.moderation import Moderation
from audit_tui.scoring.results import AuditResult
from audit_tui.store import answers as answer_ops
from audit_tui.store import cases as case_ops
from audit_tui.store import scores
from audit_tui.store.moderation import refuse_if_blind
from audit_tui.store.repository import Repository
from audit_tui.store.sampling import Sample, sample
from audit_tui.store.settlement import summary


@dataclass(frozen=True)
class ReportRecord:
    """One document's data, all read in one snapshot. Fields a document does not read keep
    their empty defaults; `report` and `score` refuse rather than hand back nothing."""

    audit: OpenAudit
    include_notes: bool = False
    result: AuditResult | None = None
    cases: list[CaseInfo] = field(default_factory=list)
    values: dict[int, dict[str, str]] = field(default_factory=dict)
    answers: dict[int, dict[str, AnswerInfo]] | None = None
    """Every answer with its note: only with include_notes."""
    moderation: Moderation | None = None
    drawn: Sample | None = None
    data: ReportData | None = None
    title: str = ""

    @property
    def report(self) -> ReportData:
        if self.data is None:
            raise ValueError("this record was gathered without Reads.REPORT")
        return self.data

    @property
    def score(self) -> AuditResult:
        if self.result is None:
            raise ValueError("this record was gathered without a score")
        return self.result


def gather(
    repo: Repository,
    audit: OpenAudit,
    reads: Reads,
    *,
    include_notes: bool = False,
    min_group: int = DEFAULT_MIN_GROUP,
    produced: date | None = None,
) -> ReportRecord:
    """Read what `reads` names, in one transaction. Refused to a second marker still marking
    blind (checked in the same snapshot): it would show them the first marks."""
    with repo.snapshot() as snap:
        refuse_if_blind(snap, audit, "report")
        data = result = moderation = drawn = None
        cases: list[CaseInfo] = []
        if Reads.REPORT in reads:
            data = build_report(
                snap, audit, include_notes=include_notes, min_group=min_group, produced=produced
            )
            result, moderation, drawn, cases = data.result, data.moderation, data.drawn, data.cases
        else:
            if Reads.SAMPLE in reads:
                drawn = sample(snap, audit)
            if Reads.CASES in reads and (drawn is not None or Reads.SAMPLE not in reads):
                cases = case_ops.list_cases(snap, audit, progress=False)
            if Reads.SCORE in reads:
                result = scores.score(snap, audit)
            if Reads.MODERATION in reads:
                moderation = summary(snap, audit)
        values, answers = {}, None
        if Reads.VALUES in reads:
            values = answer_ops.answer_values(snap, audit)
            answers = answer_ops.all_answers(snap, audit) if include_notes else None
        title = moderation_title(snap, audit) if Reads.TITLE in reads else ""
    return ReportRecord(
        audit=audit,
        include_notes=include_notes,
        result=result,
        cases=cases,
        values=values,
        answers=answers,
        moderation=moderation,
        drawn=drawn,
        data=data,
        title=title,
    )
