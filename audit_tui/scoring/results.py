"""From per-item tallies to the audit's ratings, score and overall rating."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Self

from audit_tui.domain.records import Judgement
from audit_tui.domain.rubric import KeyQuestion, Rubric, Standard
from audit_tui.scoring.bands import band_for, overall_for
from audit_tui.scoring.intervals import wilson_interval


@dataclass(frozen=True)
class Tally:
    """How one item was answered across an audit's cases; `applicable` counts the cases it applies to."""

    yes: int = 0
    no: int = 0
    not_applicable: int = 0
    applicable: int = 0

    @property
    def unanswered(self) -> int:
        return max(0, self.applicable - self.yes - self.no - self.not_applicable)


@dataclass(frozen=True)
class ItemResult:
    id: str
    text: str
    yes: int
    no: int
    not_applicable: int
    unanswered: int

    @property
    def relevant(self) -> int:
        """Yes + No: not applicable answers leave the denominator."""
        return self.yes + self.no

    @property
    def percent(self) -> float | None:
        return round(100 * self.yes / self.relevant, 2) if self.relevant else None

    @property
    def ci95(self) -> tuple[float, float] | None:
        return wilson_interval(self.yes, self.relevant)

    @classmethod
    def of(cls, ident: str, text: str, tally: Tally) -> Self:
        return cls(
            id=ident,
            text=text,
            yes=tally.yes,
            no=tally.no,
            not_applicable=tally.not_applicable,
            unanswered=tally.unanswered,
        )


@dataclass(frozen=True)
class KeyQuestionResult(ItemResult):
    label: str = ""
    prompts: tuple[ItemResult, ...] = ()
    question_set: str | None = None
    """The rubric's question set it belongs to (None: asked of every case)."""
    reconstructed_from: str = ""
    """Where a reconstructed question was rebuilt from (its text then starts `[R] `)."""


@dataclass(frozen=True)
class StandardResult:
    id: str
    title: str
    method: str
    rated: bool
    rating: str | None
    points: int | None
    complete: bool
    key_questions: tuple[KeyQuestionResult, ...] = ()
    lowest: KeyQuestionResult | None = None
    judgement: Judgement | None = None
    meeting: ItemResult | None = None
    """Where the rubric asks for shares, or rates by them: the cases meeting the standard (every
    key question asked of the case answered Yes; with one asked per case, its core or adjusted
    question) of the cases it was relevant to."""

    by_cases: bool = False
    """Rated by the share of its cases meeting every key question (`all_key_questions`), not
    by its lowest key question: `meeting` is then the figure its rating rests on."""

    @property
    def rated_by_key_questions(self) -> bool:
        """Whether each key question's band bears on the rating (what a report's 'could be
        lower' beside a key question is about)."""
        return self.rated and not self.by_cases

    @property
    def rests_on(self) -> ItemResult | None:
        """The figure its rating rests on: its lowest key question, or, for a standard rated
        by its cases, the share of them meeting every key question."""
        if self.by_cases:
            return self.meeting if self.rating is not None else None
        return self.lowest

    @property
    def figure_so_far(self) -> ItemResult | None:
        """What a live view shows beside the rating: the figure it rests on, or while there is
        none yet, the lowest key question answered so far (or the share of cases so far)."""
        if self.by_cases:
            return self.meeting if self.meeting is not None and self.meeting.relevant else None
        return self.lowest_so_far

    @property
    def lowest_so_far(self) -> KeyQuestionResult | None:
        """The key question its rating rests on, or, while it has none (not yet rated, or a
        framework that rates nothing), the lowest of those answered so far."""
        answered = [k for k in self.key_questions if k.relevant]
        return self.lowest or min(answered, key=lambda k: k.yes / k.relevant, default=None)


@dataclass(frozen=True)
class AuditResult:
    audit: str
    rubric_id: str
    rubric_version: str
    cases: int
    standards: tuple[StandardResult, ...]
    indicators: tuple[ItemResult, ...]
    score: int | None
    score_max: int
    overall: str | None
    complete: bool
    scored: bool = True
    """Whether the rubric gives a score at all (False: `score` and `overall` are always None)."""
    assignments: ItemResult | None = None
    """Where the rubric asks for shares: assignments (case x standard) meeting the standard."""

    @property
    def progress(self) -> tuple[int, int]:
        """(answered, applicable) over every key question of every case."""
        kqs = [k for s in self.standards for k in s.key_questions]
        answered = sum(k.yes + k.no + k.not_applicable for k in kqs)
        return answered, answered + sum(k.unanswered for k in kqs)


def score_audit(
    rubric: Rubric,
    audit: str,
    cases: int,
    tallies: Mapping[str, Tally],
    judgements: Mapping[str, Judgement],
    verdicts: Mapping[str, Tally] | None = None,
    *,
    key_questions_only: bool = False,
) -> AuditResult:
    """Roll tallies and judgements up into ratings.

    A standard is rated from its lowest key-question percentage, or, where the rubric rates by
    cases (`all_key_questions`), from `verdicts`: per standard, its cases meeting every key
    question asked of them (scoring/verdicts.py). It has no rating (None) while that figure has
    no relevant answers, or a judgement is missing: never a guess. The score and overall rating
    exist only once every rated standard has a rating.

    With `key_questions_only` (tallies of the key questions alone: `tallies_of`'s), every
    figure but the prompts' and indicators', which are left out rather than shown as none.
    """
    standards = tuple(
        _standard(rubric, st, tallies, judgements, verdicts or {}, not key_questions_only)
        for st in rubric.standards
    )
    rated = [s for s in standards if s.rated]
    score = sum(s.points or 0 for s in rated) if all(s.points is not None for s in rated) else None
    if not rubric.has_score:
        score = None
    overall = overall_for(score, rubric.scoring).rating if score is not None else None
    if rubric.scoring.shares:
        standards = tuple(_with_share(s) for s in standards)
    indicators = tuple(
        ItemResult.of(i.id, i.text, tallies.get(i.id, Tally()))
        for i in (() if key_questions_only else rubric.indicators)
    )
    return AuditResult(
        audit=audit,
        rubric_id=rubric.id,
        rubric_version=rubric.version,
        cases=cases,
        standards=standards,
        indicators=indicators,
        score=score,
        score_max=rubric.score_max,
        overall=overall,
        complete=all(s.complete for s in standards),
        scored=rubric.has_score,
        assignments=_summed("assignments", [s.meeting for s in standards if s.meeting]),
    )


def _with_share(st: StandardResult) -> StandardResult:
    if st.method != "cases" or st.meeting is not None:
        return st
    return replace(st, meeting=_summed(st.id, st.key_questions))


def _summed(ident: str, items: Sequence[ItemResult]) -> ItemResult | None:
    """Items added up: the loader lets a case meet at most one key question of a standard, so
    their sums count cases (and, summed over standards, assignments)."""
    if not items:
        return None
    return ItemResult(
        id=ident,
        text="",
        yes=sum(i.yes for i in items),
        no=sum(i.no for i in items),
        not_applicable=sum(i.not_applicable for i in items),
        unanswered=sum(i.unanswered for i in items),
    )


def _standard(
    rubric: Rubric,
    st: Standard,
    tallies: Mapping[str, Tally],
    judgements: Mapping[str, Judgement],
    verdicts: Mapping[str, Tally],
    with_prompts: bool = True,
) -> StandardResult:
    if st.method == "judgement":
        j = judgements.get(st.id)
        points = _points(rubric, j.rating) if j and st.rated else None
        return StandardResult(
            id=st.id,
            title=st.title,
            method=st.method,
            rated=st.rated,
            rating=j.rating if j else None,
            points=points,
            complete=j is not None,
            judgement=j,
        )
    kqs = tuple(_key_question(kq, tallies, with_prompts) for kq in st.key_questions)
    complete = all(k.unanswered == 0 for k in kqs)
    rated = st.rated and rubric.has_ratings
    if rubric.rates_by_cases:
        return _by_cases(rubric, st, kqs, complete, verdicts.get(st.id, Tally()))
    if not rated or any(k.relevant == 0 for k in kqs):
        return StandardResult(
            id=st.id,
            title=st.title,
            method=st.method,
            rated=rated,
            rating=None,
            points=None,
            complete=complete,
            key_questions=kqs,
        )
    lowest = _lowest(kqs)
    band = band_for(lowest.yes, lowest.relevant, rubric.scoring)
    return StandardResult(
        id=st.id,
        title=st.title,
        method=st.method,
        rated=st.rated,
        rating=band.rating,
        points=band.points,
        complete=complete,
        key_questions=kqs,
        lowest=lowest,
    )


def _lowest(kqs: Sequence[KeyQuestionResult]) -> KeyQuestionResult:
    """The first of the lowest percentages (each relevant > 0), compared exactly: by cross
    products of whole numbers, as Fractions would but without making one per comparison."""
    lowest = kqs[0]
    for k in kqs[1:]:
        if k.yes * lowest.relevant < lowest.yes * k.relevant:
            lowest = k
    return lowest


def _by_cases(
    rubric: Rubric,
    st: Standard,
    kqs: tuple[KeyQuestionResult, ...],
    complete: bool,
    verdicts: Tally,
) -> StandardResult:
    """A standard rated by the band of the share of its cases meeting every key question."""
    meeting = ItemResult.of(st.id, "", verdicts)
    band = band_for(meeting.yes, meeting.relevant, rubric.scoring) if meeting.relevant else None
    return StandardResult(
        id=st.id,
        title=st.title,
        method=st.method,
        rated=st.rated,
        rating=band.rating if band and st.rated else None,
        points=band.points if band and st.rated else None,
        complete=complete,
        key_questions=kqs,
        meeting=meeting,
        by_cases=True,
    )


def _key_question(
    kq: KeyQuestion, tallies: Mapping[str, Tally], with_prompts: bool = True
) -> KeyQuestionResult:
    tally = tallies.get(kq.id, Tally())
    return KeyQuestionResult(
        id=kq.id,
        text=kq.shown_text,
        yes=tally.yes,
        no=tally.no,
        not_applicable=tally.not_applicable,
        unanswered=tally.unanswered,
        label=kq.shown_label,
        question_set=kq.set,
        reconstructed_from=kq.reconstructed_from,
        prompts=tuple(
            ItemResult.of(p.id, p.shown_text, tallies.get(p.id, Tally()))
            for p in (kq.prompts if with_prompts else ())
        ),
    )


def _points(rubric: Rubric, rating: str) -> int:
    return next(b.points for b in rubric.scoring.bands if b.rating == rating)
