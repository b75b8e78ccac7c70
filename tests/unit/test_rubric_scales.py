"""Rating scales declared by the rubric, checked against figures worked out by hand: three
ratings with their own edges, `none` at standard level, and two question sets with shares of
cases and assignments. Every expectation below is computed in the comment beside it."""

from __future__ import annotations

import pytest

from audit_tui.domain.errors import RubricError
from audit_tui.domain.loader import load_rubric_file, parse_rubric
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring.results import AuditResult, Tally, score_audit
from tests.support.paths import ROOT, RUBRICS


def _rubric(name: str) -> Rubric:
    return load_rubric_file(RUBRICS / f"{name}.toml")


def _score(rubric: Rubric, cases: int, counts: dict[str, tuple[int, int, int]]) -> AuditResult:
    """counts: item -> (yes, no, not applicable), every case answered."""
    tallies = {
        item: Tally(yes=y, no=n, not_applicable=na, applicable=y + n + na)
        for item, (y, n, na) in counts.items()
    }
    return score_audit(rubric, "t", cases, tallies, {})


@pytest.mark.parametrize(
    ("yes", "no", "rating", "points"),
    [
        (3, 1, "Meets", 2),  # 75% exactly: the edge belongs to the band above
        (74, 26, "Partly meets", 1),  # 74%
        (2, 3, "Partly meets", 1),  # 40% exactly
        (39, 61, "Does not meet", 0),  # 39%
        (0, 5, "Does not meet", 0),  # 0%
        (5, 0, "Meets", 2),  # 100%
    ],
)
def test_three_ratings_place_a_standard_at_their_own_edges(
    yes: int, no: int, rating: str, points: int
) -> None:
    rubric = _rubric("three-point")
    result = _score(rubric, yes + no, {"S1.1": (yes, no, 0), "S1.2": (5, 0, 0), "S2.1": (5, 0, 0)})
    s1 = result.standards[0]
    assert (s1.rating, s1.points) == (rating, points)
    # S2 is 100%: Meets, 2 points; the score is S1's points + 2, of 4
    assert result.score == points + 2 and result.score_max == 4
    # overall: Meets from 4, Partly meets from 2
    assert result.overall == ("Meets" if points + 2 >= 4 else "Partly meets")


def test_three_ratings_lowest_key_question_and_overall_bands() -> None:
    rubric = _rubric("three-point")
    # S1.1 3/4 = 75% Meets, S1.2 2/5 = 40% Partly: S1 takes the lowest, Partly meets (1)
    # S2.1 39/100 = 39%: Does not meet (0); score 1 of 4: below 2, so Does not meet overall
    result = _score(rubric, 100, {"S1.1": (3, 1, 0), "S1.2": (2, 3, 0), "S2.1": (39, 61, 0)})
    assert [s.rating for s in result.standards] == ["Partly meets", "Does not meet"]
    assert result.standards[0].lowest is not None and result.standards[0].lowest.id == "S1.2"
    assert (result.score, result.overall, result.scored) == (1, "Does not meet", True)
    assert result.assignments is None  # this rubric asks for no shares


def test_none_at_standard_level_gives_no_rating_and_no_score() -> None:
    rubric = _rubric("bands-no-standard-rating")
    assert not rubric.has_ratings and not rubric.has_score and rubric.score_max == 0
    result = _score(rubric, 10, {"S1.1": (9, 1, 0)})  # 90%: would be High, but nothing is rated
    st = result.standards[0]
    assert (st.rated, st.rating, st.points) == (False, None, None)
    assert (result.score, result.overall, result.scored) == (None, None, False)
    assert st.key_questions[0].percent == 90.0


def test_two_question_sets_give_shares_of_cases_and_assignments() -> None:
    rubric = _rubric("two-sets")
    # a full-route case is asked F1, F1.a, F2; a short-route one Q1, Q2
    assert rubric.applicable_ids({"route": "full"}) == {"F1", "F1.a", "F2"}
    assert rubric.applicable_ids({"route": "short"}) == {"Q1", "Q2"}
    assert rubric.applicable_ids({}) == frozenset()  # no route: no set applies
    # 10 full cases, 4 short. ST1: F1 6 yes 4 no, Q1 1 yes 3 no -> cases 7 of 14 = 50%
    # ST2: F2 3 yes 5 no 2 n/a, Q2 4 yes 0 no -> cases 7 of 12 = 58.33%
    # assignments: (7 + 7) of (14 + 12) = 14 of 26 = 53.85%
    result = _score(
        rubric,
        14,
        {"F1": (6, 4, 0), "F1.a": (7, 3, 0), "Q1": (1, 3, 0), "F2": (3, 5, 2), "Q2": (4, 0, 0)},
    )
    st1, st2 = result.standards
    assert st1.meeting is not None and (st1.meeting.yes, st1.meeting.relevant) == (7, 14)
    assert st1.meeting.percent == 50.0
    assert st2.meeting is not None and (st2.meeting.yes, st2.meeting.relevant) == (7, 12)
    assert st2.meeting.percent == 58.33
    a = result.assignments
    assert a is not None and (a.yes, a.relevant, a.percent) == (14, 26, 53.85)
    assert a.ci95 is not None and a.ci95[0] < 53.85 < a.ci95[1]
    # rated as well (lowest key question): ST1's lowest is Q1 at 25%, Poor; ST2's F2 at 37.5%
    assert [s.rating for s in result.standards] == ["Poor", "Poor"]
    assert (result.scored, result.score, result.overall) == (False, None, None)  # no overall


def test_the_dipp_rubric_shares_assignments_and_marks_reconstructions() -> None:
    rubric = load_rubric_file(ROOT / "rubric" / "hmip-dipp-2025.toml")
    assert not rubric.has_ratings and rubric.scoring.shares and not rubric.scale.ratings
    verbatim = {"C1", "C1.a", "C1.b", "C1.c", "C2", "C2.a", "C2.b"}
    for item_id, ref in rubric.items.items():
        if item_id in verbatim:
            assert ref.item.source == "P" and not ref.item.reconstructed_from
            assert not ref.item.shown_text.startswith("[R]")
        else:  # every other question is reconstructed, and says so wherever it is shown
            assert ref.item.source == "R" and "2021 PDU framework" in ref.item.reconstructed_from
            assert ref.item.shown_text.startswith("[R] ")
    core = rubric.applicable_ids({"contact_suspended": "no"})
    adjusted = rubric.applicable_ids({"contact_suspended": "yes"})
    assert {"C1", "C2", "C3", "C4"} <= core and not any(i.startswith("A") for i in core)
    assert {"A1", "A2", "A3", "A4"} <= adjusted and not any(i.startswith("C") for i in adjusted)
    mapping = rubric.mapping_from("hmip-probation-pdu-2021")
    assert mapping is not None
    assert mapping.items == {"2.2.3": "C1", "2.3.3": "C2", "2.4.3": "C3", "2.5.3": "C4"}


SHARED = """
schema = 1
id = "x"
version = "1"
title = "X"
source = "R"
nested_ids = false
{scoring}
[[attributes]]
id = "route"
label = "Route"
values = ["full", "short"]
source = "R"

[[question_sets]]
id = "full"
label = "Full"
applies_when = {{ route = ["full"] }}
source = "R"

[[standards]]
id = "S"
domain = 1
title = "S"
method = "{method}"
source = "R"
{questions}
"""


def _problems(scoring: str, questions: str, method: str = "cases") -> list[str]:
    text = SHARED.format(scoring=scoring, questions=questions, method=method)
    with pytest.raises(RubricError) as err:
        parse_rubric(text, "x.toml")
    return [f"{p.path}: {p.message}" for p in err.value.problems]


NONE = '[scoring]\nstandard_rule = "none"\nshares = true\nsource = "R"\n'
KQ = '[[standards.key_questions]]\nid = "{id}"\n{extra}text = "Q?"\nsource = "R"\n'


def test_an_unknown_question_set_is_named() -> None:
    problems = _problems(NONE, KQ.format(id="K1", extra='set = "shrot"\n'))
    assert problems == [
        'standards["S"].key_questions["K1"].set: unknown question set "shrot" (declared: full)'
    ]


def test_shares_refuse_two_key_questions_one_case_could_be_asked() -> None:
    questions = KQ.format(id="K1", extra='set = "full"\n') + KQ.format(id="K2", extra="")
    assert _problems(NONE, questions) == [
        'standards["S"].key_questions: shares count each case once, but a case can be asked both'
        " K1 and K2: give them question sets that exclude each other"
    ]


def test_no_ratings_refuse_overall_bands_and_judgements() -> None:
    scoring = NONE + '[[scoring.overall]]\nrating = "A"\nmin_score = 0\nsource = "R"\n'
    assert _problems(scoring, KQ.format(id="K1", extra="")) == [
        'scoring.overall: a score needs rated standards: standard_rule is "none"'
    ]
    assert _problems(NONE, "", method="judgement") == [
        'standards["S"].method: a judgement is a rating: standard_rule is "none", so rate from cases'
    ]


def test_rating_standards_needs_bands() -> None:
    scoring = '[scoring]\nsource = "R"\n'
    assert _problems(scoring, KQ.format(id="K1", extra="")) == [
        'scoring.bands: at least one band is needed to rate standards (standard_rule = "none"'
        " reports percentages only)"
    ]


def test_a_reconstruction_must_not_claim_to_be_published() -> None:
    questions = KQ.format(id="K1", extra='reconstructed_from = "2021, 2.2.3"\n').replace(
        'source = "R"', 'source = "P"'
    )
    assert _problems(NONE, questions) == [
        'items["K1"].source: a reconstructed question is not the framework\'s own words: give it'
        ' source "R"'
    ]
