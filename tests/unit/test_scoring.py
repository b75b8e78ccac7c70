"""Scoring at every band edge, the lowest-question rule, N/A and empty cases, and the overall bands."""

from __future__ import annotations

import pytest

from audit_tui.domain.records import Judgement
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring import Tally, band_for, overall_for, score_audit, wilson_interval


@pytest.mark.parametrize(
    ("yes", "relevant", "rating"),
    [
        (80, 100, "Outstanding"),  # 80.00: lower bound inclusive
        (7999, 10000, "Good"),  # 79.99
        (7955, 10000, "Good"),  # 79.55: exact, not rounded up to 80
        (65, 100, "Good"),
        (6499, 10000, "Requires improvement"),
        (50, 100, "Requires improvement"),
        (4999, 10000, "Inadequate"),
        (4950, 10000, "Inadequate"),  # 49.50: exact by default
        (0, 28, "Inadequate"),
        (28, 28, "Outstanding"),
        (7, 12, "Requires improvement"),  # Tameside court work, 58.33%
        (8, 28, "Inadequate"),  # Tameside 2.2.3, 28.57%
        (18, 28, "Requires improvement"),  # 64.29%: just under Good
        (2, 3, "Good"),  # 66.67% as an exact fraction
    ],
)
def test_band_edges_exact(rubric: Rubric, yes: int, relevant: int, rating: str) -> None:
    assert band_for(yes, relevant, rubric.scoring).rating == rating


@pytest.mark.parametrize(
    ("yes", "relevant", "rating"),
    [
        (7955, 10000, "Outstanding"),  # 79.55 rounds to 80
        (7949, 10000, "Good"),  # 79.49 rounds to 79
        (4950, 10000, "Requires improvement"),  # 49.50 rounds half up to 50
        (4949, 10000, "Inadequate"),
        (6450, 10000, "Good"),
        (18, 28, "Requires improvement"),  # 64.29 rounds to 64
    ],
)
def test_band_edges_whole_rounding(rubric: Rubric, yes: int, relevant: int, rating: str) -> None:
    scoring = rubric.scoring.model_copy(update={"rounding": "whole"})
    assert band_for(yes, relevant, scoring).rating == rating


@pytest.mark.parametrize(
    ("score", "overall"),
    [
        (0, "Inadequate"),
        (5, "Inadequate"),
        (6, "Requires improvement"),
        (7, "Requires improvement"),
        (15, "Requires improvement"),
        (16, "Good"),
        (23, "Good"),
        (24, "Outstanding"),
        (27, "Outstanding"),
    ],
)
def test_overall_band_edges(rubric: Rubric, score: int, overall: str) -> None:
    assert overall_for(score, rubric.scoring).rating == overall


def test_points_per_band(rubric: Rubric) -> None:
    assert {b.rating: b.points for b in rubric.scoring.bands} == {
        "Outstanding": 3,
        "Good": 2,
        "Requires improvement": 1,
        "Inadequate": 0,
    }
    assert rubric.score_max == 27


def _all_good_tallies(rubric: Rubric, cases: int = 10) -> dict[str, Tally]:
    return {i: Tally(yes=cases, applicable=cases) for i in rubric.items}


JUDGED_GOOD = {s: Judgement(s, "Good") for s in ("1.1", "1.2", "1.3", "1.4")}


def test_lowest_key_question_drives_the_rating(rubric: Rubric) -> None:
    tallies = _all_good_tallies(rubric)
    tallies["2.3.2"] = Tally(yes=4, no=6, applicable=10)  # 40%
    tallies["2.3.3"] = Tally(yes=6, no=4, applicable=10)  # 60%
    result = score_audit(rubric, "t", 10, tallies, JUDGED_GOOD)
    planning = next(s for s in result.standards if s.id == "2.3")
    assert planning.rating == "Inadequate"
    assert planning.lowest is not None and planning.lowest.id == "2.3.2"
    assert result.score == 4 * 2 + 4 * 3 + 0


def test_not_applicable_leaves_the_denominator(rubric: Rubric) -> None:
    tallies = _all_good_tallies(rubric)
    tallies["2.2.1"] = Tally(yes=4, no=1, not_applicable=5, applicable=10)
    result = score_audit(rubric, "t", 10, tallies, JUDGED_GOOD)
    kq = next(k for s in result.standards for k in s.key_questions if k.id == "2.2.1")
    assert (kq.relevant, kq.percent, kq.unanswered) == (5, 80.0, 0)
    assert next(s for s in result.standards if s.id == "2.2").rating == "Outstanding"


def test_unanswered_makes_the_result_incomplete_not_different(rubric: Rubric) -> None:
    tallies = _all_good_tallies(rubric)
    tallies["2.4.1"] = Tally(yes=5, no=0, applicable=10)
    result = score_audit(rubric, "t", 10, tallies, JUDGED_GOOD)
    kq = next(k for s in result.standards for k in s.key_questions if k.id == "2.4.1")
    assert kq.unanswered == 5 and kq.percent == 100.0
    assert result.complete is False
    assert next(s for s in result.standards if s.id == "2.4").complete is False


def test_a_key_question_with_no_relevant_cases_leaves_the_standard_unrated(rubric: Rubric) -> None:
    tallies = _all_good_tallies(rubric)
    tallies["2.1.1"] = Tally(not_applicable=3, applicable=3)
    result = score_audit(rubric, "t", 10, tallies, JUDGED_GOOD)
    court = next(s for s in result.standards if s.id == "2.1")
    assert court.rating is None and court.points is None
    assert result.score is None and result.overall is None


def test_empty_audit_is_unrated_and_incomplete(rubric: Rubric) -> None:
    result = score_audit(rubric, "t", 0, {}, {})
    assert all(s.rating is None for s in result.standards)
    assert (result.score, result.overall, result.complete, result.score_max) == (
        None,
        None,
        False,
        27,
    )


def test_missing_judgement_leaves_score_unset(rubric: Rubric) -> None:
    judged = {k: v for k, v in JUDGED_GOOD.items() if k != "1.3"}
    result = score_audit(rubric, "t", 10, _all_good_tallies(rubric), judged)
    assert result.score is None
    assert next(s for s in result.standards if s.id == "1.3").rating is None


def test_outcomes_are_reported_never_rated(rubric: Rubric) -> None:
    outstanding = {s: Judgement(s, "Outstanding") for s in JUDGED_GOOD}
    tallies = _all_good_tallies(rubric)
    tallies["2.6.1"] = Tally(yes=0, no=10, applicable=10)  # 0% outcomes change nothing
    result = score_audit(rubric, "t", 10, tallies, outstanding)
    outcomes = next(s for s in result.standards if s.id == "2.6")
    assert outcomes.rated is False and outcomes.rating is None
    assert outcomes.key_questions[0].percent == 0.0
    assert result.score == 27 and result.overall == "Outstanding"


@pytest.mark.parametrize(
    ("yes", "relevant", "interval"),
    [(11, 28, (23.6, 57.6)), (0, 10, (0.0, 27.8)), (10, 10, (72.2, 100.0)), (7, 12, (32.0, 80.7))],
)
def test_wilson_interval(yes: int, relevant: int, interval: tuple[float, float]) -> None:
    assert wilson_interval(yes, relevant) == interval


def test_wilson_interval_needs_relevant_cases() -> None:
    assert wilson_interval(0, 0) is None
