"""What every report format shows, gathered once: results, sample, evidence, uncertainty, breakdowns."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from audit_tui.domain.cases import NOT_RECORDED
from audit_tui.domain.records import AuditInfo, CaseInfo, OpenAudit, TaggedNote
from audit_tui.domain.rubric import Indicator, Rubric
from audit_tui.domain.safe_text import multi_line, one_line
from audit_tui.reporting.draft import cases_draft_line
from audit_tui.reporting.key_findings import Previous, key_findings
from audit_tui.reporting.titles import report_title
from audit_tui.scoring.bands import band_for, band_for_bound
from audit_tui.scoring.breakdowns import (
    CODE_LABELS,
    DEFAULT_MIN_GROUP,
    Breakdown,
    build_breakdown,
)
from audit_tui.scoring.compare import compare
from audit_tui.scoring.intervals import wilson_bounds
from audit_tui.scoring.moderation import Moderation
from audit_tui.scoring.results import AuditResult, ItemResult, StandardResult
from audit_tui.store import answers, audits, scores
from audit_tui.store import cases as case_ops
from audit_tui.store.activity import activity_on
from audit_tui.store.lead_summary import LeadSummary, lead_summary
from audit_tui.store.repository import Repository
from audit_tui.store.sampling import Sample, sample
from audit_tui.store.settlement import summary

OPTION = "--min-group"  # the report command's option that sets the smallest group shown
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")  # fmt: skip


def long_date(day: date) -> str:
    """`26 November 2026`, as a UK reader writes it; not `%B`, which follows the machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def lock_text(info: AuditInfo) -> str:
    """`Locked by lee on 26 November 2026: its figures are final` or, unlocked, that they may
    still change: a reader must know whether the figures can drift."""
    if info.locked_at is None:
        return "Not locked: its figures may still change"
    when = info.locked_at if info.locked_at.tzinfo else info.locked_at.replace(tzinfo=UTC)
    return f"Locked by {info.locked_by} on {long_date(local_day(when))}: its figures are final"


OVERSIGHT_NOTE = (
    "Management oversight: the cases were added as they were reviewed, not drawn as a"
    " representative sample. The ratings describe these cases only, not the unit's work."
)


def local_day(moment: datetime) -> date:
    """The day an aware moment fell on where the report is produced (as `date.today()` is)."""
    return moment.astimezone().date()


@dataclass(frozen=True)
class Period:
    """The audit period: an audit has no such field, so it runs from the day the audit was
    created to the day of its latest recorded answer or judgement (`end` None: none yet)."""

    start: date
    end: date | None = None

    @property
    def text(self) -> str:
        start = long_date(self.start)
        if self.end is None:
            return f"from {start}, when the audit was created; no answers recorded yet"
        if self.end == self.start:
            return f"{start} (the audit was created and last changed that day)"
        return (
            f"{start} to {long_date(self.end)} "
            "(from the audit's creation to the last answer or judgement recorded)"
        )


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
        """For narrow tables: `↑ (the band above) ↓ (the band below)`."""
        return " ".join(
            x for x in (self.higher and f"↑ {self.higher}", self.lower and f"↓ {self.lower}") if x
        )


@dataclass(frozen=True)
class BreakdownPlan:
    """Which breakdowns a report prints as tables, and one sentence for those it leaves out, so
    a small audit prints a reason rather than tables of "suppressed"."""

    shown: list[Breakdown]
    note: str | None


@dataclass
class ReportData:
    audit: OpenAudit
    result: AuditResult
    cases: list[CaseInfo]
    notes: list[TaggedNote] = field(default_factory=list)
    breakdowns: list[Breakdown] = field(default_factory=list)
    min_group: int = DEFAULT_MIN_GROUP
    include_notes: bool = False
    produced: date = field(default_factory=date.today)
    period: Period | None = None
    moderation: Moderation | None = None
    """What moderation found, once the audit has a round."""
    drawn: Sample | None = None
    """How the sample was drawn from a caseload extract (None when its cases were added)."""
    lead_summary: LeadSummary | None = None
    """The lead's own words, shown above the summary generated from the figures."""
    previous: Previous | None = None
    """The audit before this one, of the same PDU and rubric, set against it."""

    @property
    def draft(self) -> str | None:
        """`Draft: 12 of 73 items answered` while an item of a live case is unanswered."""
        return cases_draft_line(self.cases)

    @property
    def findings(self) -> list[str]:
        """The summary generated from the figures: paragraphs of plain sentences."""
        return key_findings(self.result, self.rubric.scoring, self.previous)

    @property
    def title(self) -> str:
        """`Tameside PDU: case audit, January to March 2024`: whose audit and when, in words
        (the audit's name is an id, given among the facts below the title)."""
        return report_title(self.audit.info, title_months(self.drawn, self.period))

    @property
    def rubric(self) -> Rubric:
        return self.audit.rubric

    @property
    def framework(self) -> str:
        """The framework as a reader knows it: its title and version (the id is for machines)."""
        return f"{self.rubric.title}, version {self.rubric.version}"

    def indicator_label(self, item: ItemResult) -> str:
        """An indicator's short name from the rubric ("Management oversight"), or ""."""
        ref = self.rubric.items.get(item.id)
        return ref.item.label if ref and isinstance(ref.item, Indicator) else ""

    @property
    def suppression_words(self) -> str:
        """The rule a breakdown table follows, as md and html say it above their tables."""
        n = self.min_group
        return (
            f"Key questions by case attribute. Groups, and figures, of fewer than {n} cases are"
            " suppressed, and so is the next smallest figure of a row where only one is (the"
            " key question's total would give it away)."
        )

    def breakdown_plan(self) -> BreakdownPlan:
        """The breakdowns worth a table: two groups or more, and some figure not suppressed."""
        compared = [bd for bd in self.breakdowns if len(bd.groups) > 1]
        shown = [bd for bd in compared if not bd.all_suppressed]
        hidden = [bd for bd in compared if bd.all_suppressed]
        if not hidden:
            alike = None if shown else "No breakdowns: the cases do not differ in any attribute."
            return BreakdownPlan(shown=shown, note=alike)
        n = self.min_group
        why = (
            f"every group has fewer than {n} cases"
            if all(bd.too_small for bd in hidden)
            else f"every group has fewer than {n} cases, or fewer than {n} relevant answers"
        )
        if any(bd.gives_away for bd in hidden):
            why += ", or figures from which such a group's could be worked out"
        change = f"({n} is the smallest group a report shows; {OPTION} changes it)"
        if not shown:
            return BreakdownPlan(shown=[], note=f"No breakdowns: {why} {change}.")
        labels = [bd.label.lower() for bd in hidden]
        names = " or ".join((", ".join(labels[:-1]), labels[-1])) if len(labels) > 1 else labels[0]
        return BreakdownPlan(shown=shown, note=f"Not broken down by {names}: {why} {change}.")

    def band(self, item: ItemResult) -> str | None:
        """The band of the exact fraction (a printed figure may round up onto a band's edge: the
        exact one, just under it, is still in the band below)."""
        if not item.relevant or not self.rubric.scoring.bands:
            return None
        return band_for(item.yes, item.relevant, self.rubric.scoring).rating

    def uncertainty(self, item: ItemResult) -> Uncertainty:
        """Where the unrounded 95% interval's ends fall, against the exact figure's band."""
        bounds = wilson_bounds(item.yes, item.relevant)
        here = self.band(item)
        if bounds is None or here is None:
            return Uncertainty(lower=None, higher=None)
        scoring = self.rubric.scoring
        low = band_for_bound(bounds[0], scoring).rating
        high = band_for_bound(bounds[1], scoring).rating
        return Uncertainty(
            lower=low if low != here else None, higher=high if high != here else None
        )

    def evidence(self, st: StandardResult) -> tuple[list[str], list[str]]:
        """(strengths, areas for improvement): the judgement's points, then tagged case notes.
        Each text is cut (`multi_line`) before it is split into points, so a huge one cannot
        become a huge number of points either."""
        strengths, improvements = [], []
        if st.judgement:
            strengths += split_points(multi_line(st.judgement.strengths))
            improvements += split_points(multi_line(st.judgement.improvements))
        for note in self.notes:
            ref = self.rubric.items.get(note.item_id)
            if ref is not None and ref.standard_id == st.id:
                target = strengths if note.tag == "strength" else improvements
                where = f"{one_line(note.case_ref)}, {one_line(note.item_id)}"
                target.append(f"{multi_line(note.note)} ({where})")
        return strengths, improvements

    def question_sets(self) -> list[tuple[str, int]]:
        """How many cases each question set was asked of (the rubric's sets, in order)."""
        return [
            (qs.label, sum(1 for c in self.cases if qs.asked_of(c.attributes)))
            for qs in self.rubric.question_sets
        ]

    def sample(self) -> list[tuple[str, list[tuple[str, int]]]]:
        """Per case attribute, how many cases have each value (in the rubric's order), as stored:
        each screen or report words them (`value_label`)."""
        out = []
        for attr in self.rubric.attributes:
            counts = Counter(c.attributes.get(attr.id, NOT_RECORDED) for c in self.cases)
            order = dict.fromkeys((*attr.values, NOT_RECORDED))  # a rubric may list it too
            values = [(v, counts[v]) for v in order if counts.get(v)]
            out.append((attr.label, values))
        return out


def month_span(start: date, end: date) -> str:
    """`March 2026`, `January to March 2024`, `November 2025 to February 2026`."""
    first, last = MONTHS[start.month - 1], MONTHS[end.month - 1]
    if (start.year, start.month) == (end.year, end.month):
        return f"{first} {start.year}"
    if start.year == end.year:
        return f"{first} to {last} {end.year}"
    return f"{first} {start.year} to {last} {end.year}"


def moderation_title(repo: Repository, audit: OpenAudit) -> str:
    """The title of `report AUDIT --section moderation`, in the full report's style."""
    months = title_months(sample(repo, audit), audit_period(repo, audit))
    return report_title(audit.info, months, "moderation")


def title_months(drawn: Sample | None, period: Period | None) -> str:
    """The months the audit covers: its sample's window when it was drawn from one with both
    ends, else the audit's own period (creation to last change), else "" (nothing known)."""
    if drawn is not None and drawn.window[0] is not None and drawn.window[1] is not None:
        return month_span(drawn.window[0], drawn.window[1])
    if period is None:
        return ""
    return month_span(period.start, max(period.start, period.end or period.start))


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
    produced: date | None = None,
) -> ReportData:
    """Everything a report shows. `produced` (default today) is the date it is printed with;
    tests and golden files pass a fixed one."""
    rubric = audit.rubric
    # an attribute that decides applicability (has_psr) would say nothing new
    names = [a.id for a in rubric.attributes if a.id not in rubric.rule_attributes]
    cases = case_ops.list_cases(repo, audit)  # with progress: a draft says how far it has come
    # per practitioner and team, once any case carries the code (oversight audits, drawn samples)
    names += [
        code
        for code in CODE_LABELS
        if code not in rubric.attributes_by_id and any(getattr(c, code) for c in cases)
    ]
    if breakdowns:
        result, by_attribute = scores.score_with_breakdowns(repo, audit, names)
    else:
        result, by_attribute = scores.score(repo, audit), {}
    data = ReportData(
        audit=audit,
        result=result,
        cases=cases,
        min_group=min_group,
        include_notes=include_notes,
        produced=produced or date.today(),
        period=audit_period(repo, audit),
    )
    if include_notes:
        data.notes = answers.tagged_notes(repo, audit)
    data.moderation = summary(repo, audit)
    data.drawn = sample(repo, audit)
    data.lead_summary = lead_summary(repo, audit)
    data.previous = previous_audit(repo, audit, result)
    for name, (counts, tallies) in by_attribute.items():
        data.breakdowns.append(build_breakdown(rubric, name, counts, tallies, min_group))
    return data


def previous_audit(repo: Repository, audit: OpenAudit, result: AuditResult) -> Previous | None:
    """The audit before this one of the same PDU, rubric and kind (`series`), scored and set
    against it; None when there is none, or when its first marks are hidden from this reader."""
    from audit_tui.store.comparison import series
    from audit_tui.store.moderation import blind_cases

    infos = series(repo, audit)
    if len(infos) < 2:
        return None
    before = audits.open_audit(repo, infos[-2].name)
    if blind_cases(repo, before):
        return None
    earlier = scores.score(repo, before)
    return Previous(
        name=before.info.name,
        created=long_date(local_day(_aware(before.info.created_at))),
        overall=earlier.overall,
        comparison=compare(earlier, result),
    )


def audit_period(repo: Repository, audit: OpenAudit) -> Period:
    """From the audit's creation to its latest recorded change, as days where it is read."""
    with repo.reading() as conn:
        activity = activity_on(conn, audit.info.id)
    if activity is None:  # deleted meanwhile: what the open audit knows
        return Period(start=local_day(_aware(audit.info.created_at)))
    start, last = local_day(activity.created_at), activity.last_change
    return Period(start=start, end=max(start, local_day(last)) if last is not None else None)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
