"""What every report format shows, gathered once: results, sample, evidence, uncertainty, breakdowns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from audit_tui.domain.cases import NOT_RECORDED
from audit_tui.domain.records import CaseInfo, OpenAudit, TaggedNote
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring.bands import band_for, band_for_bound
from audit_tui.scoring.breakdowns import DEFAULT_MIN_GROUP, Breakdown, build_breakdown
from audit_tui.scoring.intervals import wilson_bounds
from audit_tui.scoring.results import AuditResult, ItemResult, StandardResult
from audit_tui.store.repository import Repository


@dataclass(frozen=True)
class Uncertainty:
    """Whether a key question's 95% interval reaches into another band than its percentage's."""

    lower: str | None  # the band the interval's low end falls in, when different
    higher: str | None

    @property
    def note(self) -> str:
        parts = []
        if self.higher:
            parts.append(f"higher (up to {self.higher})")
        if self.lower:
            parts.append(f"lower (down to {self.lower})")
        return "could be " + " or ".join(parts) if parts else ""

    @property
    def short(self) -> str:
        """For narrow tables: `↑ Good ↓ Inadequate`."""
        return " ".join(
            x for x in (self.higher and f"↑ {self.higher}", self.lower and f"↓ {self.lower}") if x
        )


@dataclass
class ReportData:
    audit: OpenAudit
    result: AuditResult
    cases: list[CaseInfo]
    notes: list[TaggedNote] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    min_group: int = DEFAULT_MIN_GROUP
    include_notes: bool = False

    @property
    def rubric(self) -> Rubric:
        return self.audit.rubric

    def band(self, item: ItemResult) -> str | None:
        """The band of the exact fraction (a printed 65% may be 64.995%, which is not Good)."""
        if not item.relevant:
            return None
        return band_for(item.yes, item.relevant, self.rubric.scoring).rating

    def uncertainty(self, item: ItemResult) -> Uncertainty:
        """Where the unrounded 95% interval's ends fall, against the exact figure's band."""
        bounds = wilson_bounds(item.yes, item.relevant)
        here = self.band(item)
        if bounds is None or here is None:
            return Uncertainty(None, None)
        scoring = self.rubric.scoring
        low = band_for_bound(bounds[0], scoring).rating
        high = band_for_bound(bounds[1], scoring).rating
        return Uncertainty(low if low != here else None, high if high != here else None)

    def evidence(self, st: StandardResult) -> tuple[list[str], list[str]]:
        """(strengths, areas for improvement): the judgement's points, then tagged case notes."""
        strengths, improvements = [], []
        if st.judgement:
            strengths += split_points(st.judgement.strengths)
            improvements += split_points(st.judgement.improvements)
        for note in self.notes:
            if note.item_id.startswith(st.id + "."):
                target = strengths if note.tag == "strength" else improvements
                target.append(f"{note.note} ({note.case_ref}, {note.item_id})")
        return strengths, improvements

    def sample(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Per case attribute, how many cases have each value (in the rubric's order)."""
        out = []
        for attr in self.rubric.attributes:
            counts = Counter(c.attributes.get(attr.id, NOT_RECORDED) for c in self.cases)
            order = dict.fromkeys((*attr.values, NOT_RECORDED))  # a rubric may list it too
            values = [(v, counts[v]) for v in order if counts.get(v)]
            out.append((attr.label, values))
        return out


def split_points(text: str) -> list[str]:
    """Evidence is kept as lines, or as '; '-separated points in a spreadsheet cell."""
    parts = [p.strip(" -•") for line in text.splitlines() for p in line.split(";")]
    return [p for p in parts if p]


def build_report(
    repo: Repository,
    audit: OpenAudit,
    *,
    include_notes: bool = False,
    breakdowns: bool = True,
    min_group: int = DEFAULT_MIN_GROUP,
) -> ReportData:
    rubric = audit.rubric
    # an attribute that decides applicability (has_psr) would say nothing new
    names = [a.id for a in rubric.attributes if a.id not in rubric.rule_attributes]
    if breakdowns:
        result, by_attribute = repo.score_with_breakdowns(audit, names)
    else:
        result, by_attribute = repo.score(audit), {}
    data = ReportData(
        audit,
        result,
        repo.list_cases(audit, progress=False),
        min_group=min_group,
        include_notes=include_notes,
    )
    if include_notes:
        data.notes = repo.tagged_notes(audit)
    for name, (counts, tallies) in by_attribute.items():
        data.breakdowns.append(build_breakdown(rubric, name, counts, tallies, min_group))
    return data
