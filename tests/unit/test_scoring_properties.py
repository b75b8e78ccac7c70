"""Invariants of scoring, checked over many generated audits (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_tui.domain.records import Judgement
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring import Tally, score_audit
from audit_tui.scoring.results import ItemResult, KeyQuestionResult, _lowest


@st.composite
def tallies(draw: st.DrawFn, item_ids: list[str]) -> dict[str, Tally]:
    out = {}
    for item in item_ids:
        yes, no, na, gap = (draw(st.integers(0, 30)) for _ in range(4))
        out[item] = Tally(yes=yes, no=no, not_applicable=na, applicable=yes + no + na + gap)
    return out


JUDGED = {s: Judgement(s, "Requires improvement") for s in ("1.1", "1.2", "1.3", "1.4")}


@pytest.fixture(scope="module")
def kq_ids(rubric: Rubric) -> list[str]:
    return [k.id for s in rubric.standards for k in s.key_questions]


def _ratings(rubric: Rubric, t: dict[str, Tally]) -> dict[str, str | None]:
    return {s.id: s.rating for s in score_audit(rubric, "p", 28, t, JUDGED).standards}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_turning_a_no_into_a_yes_never_lowers_a_rating(
    rubric: Rubric, kq_ids: list[str], data: st.DataObject
) -> None:
    before = data.draw(tallies(kq_ids))
    candidates = [k for k in kq_ids if before[k].no > 0]
    if not candidates:
        return
    item = data.draw(st.sampled_from(candidates))
    t = before[item]
    after = {**before, item: Tally(t.yes + 1, t.no - 1, t.not_applicable, t.applicable)}
    old, new = _ratings(rubric, before), _ratings(rubric, after)
    for sid, rating in old.items():
        if rating is not None:
            was, now = rubric.scale.rank(rating), rubric.scale.rank(new[sid])
            assert was is not None and now is not None and now >= was
    old_score = score_audit(rubric, "p", 28, before, JUDGED).score
    new_score = score_audit(rubric, "p", 28, after, JUDGED).score
    if old_score is not None:
        assert new_score is not None and new_score >= old_score


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_marking_an_unanswered_item_not_applicable_never_changes_its_percentage(
    rubric: Rubric, kq_ids: list[str], data: st.DataObject
) -> None:
    before = data.draw(tallies(list(rubric.items)))
    candidates = [i for i in rubric.items if before[i].unanswered > 0]
    if not candidates:
        return
    item = data.draw(st.sampled_from(candidates))
    t = before[item]
    after = {**before, item: Tally(t.yes, t.no, t.not_applicable + 1, t.applicable)}

    def percent(tal: dict[str, Tally]) -> float | None:
        res = score_audit(rubric, "p", 28, tal, JUDGED)
        kqs = [k for s in res.standards for k in s.key_questions]
        every: list[ItemResult] = [*kqs, *(p for k in kqs for p in k.prompts), *res.indicators]
        return next(x.percent for x in every if x.id == item)

    assert percent(after) == percent(before)
    assert _ratings(rubric, after) == _ratings(rubric, before)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_score_is_the_sum_of_points_and_within_bounds(
    rubric: Rubric, kq_ids: list[str], data: st.DataObject
) -> None:
    result = score_audit(rubric, "p", 28, data.draw(tallies(kq_ids)), JUDGED)
    rated = [s for s in result.standards if s.rated]
    if all(s.points is not None for s in rated):
        assert result.score == sum(s.points for s in rated)  # type: ignore[misc]
        assert 0 <= result.score <= result.score_max
    else:
        assert result.score is None and result.overall is None


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_each_standard_rests_on_its_first_lowest_key_question(
    rubric: Rubric, kq_ids: list[str], data: st.DataObject
) -> None:
    """Compared exactly, the first of equal lowest percentages (1 of 3 ties with 2 of 6)."""
    t = data.draw(tallies(kq_ids))
    for s in score_audit(rubric, "p", 28, t, JUDGED).standards:
        if s.lowest is None:
            continue
        exact = [Fraction(k.yes, k.relevant) for k in s.key_questions]
        assert s.lowest is s.key_questions[exact.index(min(exact))]


def _kq(ident: str, yes: int, no: int) -> KeyQuestionResult:
    return KeyQuestionResult(id=ident, text="", yes=yes, no=no, not_applicable=0, unanswered=0)


def test_ties_and_near_ties_between_key_questions() -> None:
    third, same, less = _kq("a", 1, 2), _kq("b", 2, 4), _kq("c", 333_333, 666_668)
    assert _lowest((third, same)) is third and _lowest((same, third)) is same
    assert _lowest((third, less, same)) is less  # 33.33332% is below a third


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_key_questions_alone_give_every_figure_but_the_prompts(
    rubric: Rubric, data: st.DataObject
) -> None:
    """What the audit list and the regional view count (`key_questions_only`) rates, scores
    and tallies the key questions exactly as a report does, from their tallies alone."""
    t = data.draw(tallies(list(rubric.items)))
    full = score_audit(rubric, "p", 28, t, JUDGED)
    kqs_only = {i: v for i, v in t.items() if i in rubric.key_question_ids}
    alone = score_audit(rubric, "p", 28, kqs_only, JUDGED, key_questions_only=True)
    assert alone.indicators == () and full.indicators
    assert (alone.score, alone.overall, alone.complete, alone.progress) == (
        full.score,
        full.overall,
        full.complete,
        full.progress,
    )
    for a, f in zip(alone.standards, full.standards, strict=True):
        assert (a.rating, a.points, a.complete) == (f.rating, f.points, f.complete)
        assert [replace(k, prompts=()) for k in f.key_questions] == list(a.key_questions)
        assert (a.lowest and a.lowest.id) == (f.lowest and f.lowest.id)
