"""A standard rated by the share of its cases meeting every key question asked of them
(`standard_rule = "all_key_questions"`), checked against figures worked out by hand in the
comments: the rule differs from HMIP's lowest key question exactly when different cases fail
different questions. The rubric is tests/rubrics/all-questions.toml (bands at 80% and 50%)."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest

from audit_tui.domain.errors import RubricError
from audit_tui.domain.loader import load_rubric_file, parse_rubric
from audit_tui.domain.rubric import Rubric
from audit_tui.scoring.live import LiveScore
from audit_tui.scoring.moderation import Mark, ModeratedCase, moderate
from audit_tui.scoring.results import AuditResult, Tally, score_audit
from audit_tui.scoring.verdicts import NOT_ASKED, CaseVerdicts, verdict
from tests.support.paths import RUBRICS

Case = tuple[dict[str, str], dict[str, str]]  # (attributes, answers)


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric_file(RUBRICS / "all-questions.toml")


def _score(rubric: Rubric, cases: list[Case]) -> AuditResult:
    """Tallies per item and verdicts per case, both counted here from the cases themselves."""
    tallies: dict[str, Tally] = {}
    for item in rubric.items:
        asked = [answers for attrs, answers in cases if item in rubric.applicable_ids(attrs)]
        values = [a.get(item) for a in asked]
        tallies[item] = Tally(
            yes=values.count("yes"),
            no=values.count("no"),
            not_applicable=values.count("na"),
            applicable=len(asked),
        )
    verdicts = CaseVerdicts.count(
        rubric,
        ((i, attrs) for i, (attrs, _) in enumerate(cases)),
        ((i, item, v) for i, (_, answers) in enumerate(cases) for item, v in answers.items()),
    )
    return score_audit(rubric, "t", len(cases), tallies, {}, verdicts.tallies)


NO_PLAN = {"plan_due": "no"}
ALL_YES = {"O1.1": "yes", "O1.2": "yes", "O2.1": "yes", "O2.2": "yes"}


@pytest.mark.parametrize(
    ("asked", "answers", "expected"),
    [
        (["a", "b"], {"a": "yes", "b": "yes"}, "yes"),
        (["a", "b"], {"a": "yes", "b": "no"}, "no"),
        (["a", "b"], {"a": "no"}, "no"),  # one No settles it, whatever is still open
        (["a", "b"], {"a": "yes"}, None),  # one open: not yet known
        (["a", "b"], {"a": "yes", "b": "na"}, "yes"),  # not applicable leaves the question out
        (["a", "b"], {"a": "na", "b": "na"}, "na"),  # nothing to meet: the case is left out
        ([], {"a": "no"}, NOT_ASKED),  # no key question of the standard applies
    ],
)
def test_a_case_meets_a_standard_when_every_question_asked_is_yes(
    asked: list[str], answers: dict[str, str], expected: str | None
) -> None:
    assert verdict(asked, answers) == expected


def test_a_standard_is_rated_by_its_cases_not_by_its_lowest_key_question(rubric: Rubric) -> None:
    # ten cases: O1.1 fails cases 0-1, O1.2 fails cases 2-3, so each key question is 80% (Met by
    # the lowest-key-question rule) but only cases 4-9 meet both: 6 of 10 = 60%, Partly met (1)
    cases: list[Case] = []
    for i in range(10):
        answers = dict(ALL_YES)
        if i < 2:
            answers["O1.1"] = "no"
        elif i < 4:
            answers["O1.2"] = "no"
        cases.append((NO_PLAN, answers))
    result = _score(rubric, cases)
    o1, o2 = result.standards
    assert [k.percent for k in o1.key_questions[:2]] == [80.0, 80.0]
    assert (o1.rating, o1.points, o1.by_cases, o1.lowest) == ("Partly met", 1, True, None)
    assert o1.meeting is not None and (o1.meeting.yes, o1.meeting.relevant) == (6, 10)
    assert o1.rests_on is o1.meeting
    # O2 every case yes: 10 of 10, Met (2); score 3 of 4, Partly met overall (from 2)
    assert (o2.rating, o2.points) == ("Met", 2)
    assert (result.score, result.score_max, result.overall) == (3, 4, "Partly met")
    # assignments: 6 + 10 = 16 of 20
    assert result.assignments is not None
    assert (result.assignments.yes, result.assignments.relevant) == (16, 20)


@pytest.mark.parametrize(
    ("meeting", "of", "rating"),
    [
        (4, 5, "Met"),  # 80% exactly: the edge belongs to the band above
        (79, 100, "Partly met"),  # 79%
        (1, 2, "Partly met"),  # 50% exactly
        (49, 100, "Not met"),  # 49%
        (0, 5, "Not met"),  # 0%
        (5, 5, "Met"),  # 100%
    ],
)
def test_the_share_of_cases_meets_the_rubrics_own_edges(
    rubric: Rubric, meeting: int, of: int, rating: str
) -> None:
    # cases past `meeting` fail O1.1 or O1.2 in turn, so neither question alone is that low
    cases = [
        (NO_PLAN, {**ALL_YES, **({} if i < meeting else {f"O1.{1 + i % 2}": "no"})})
        for i in range(of)
    ]
    o1 = _score(rubric, cases).standards[0]
    assert o1.rating == rating
    assert o1.meeting is not None and (o1.meeting.yes, o1.meeting.relevant) == (meeting, of)


def test_questions_asked_of_some_cases_only_and_not_applicable_throughout(rubric: Rubric) -> None:
    cases: list[Case] = [
        ({"plan_due": "yes"}, {**ALL_YES, "O1.3": "yes"}),  # asked O1.3 too: meets
        ({"plan_due": "yes"}, {**ALL_YES, "O1.3": "no"}),  # fails the question only it is asked
        (NO_PLAN, ALL_YES),  # never asked O1.3: meets on O1.1 and O1.2
        (NO_PLAN, {**ALL_YES, "O1.2": "na"}),  # O1.2 left out: meets on O1.1
        (NO_PLAN, {**ALL_YES, "O1.1": "na", "O1.2": "na"}),  # nothing to meet: left out
        ({"plan_due": "yes"}, ALL_YES),  # O1.3 still open: not yet known
    ]
    result = _score(rubric, cases)
    o1 = result.standards[0]
    assert o1.meeting is not None
    # yes: cases 0, 2, 3; no: case 1; n/a: case 4; unanswered: case 5 -> 3 of 4, 75%
    assert (o1.meeting.yes, o1.meeting.no, o1.meeting.not_applicable) == (3, 1, 1)
    assert o1.meeting.unanswered == 1 and o1.rating == "Partly met"
    assert not o1.complete and not result.complete


def test_no_relevant_case_gives_no_rating_and_no_score(rubric: Rubric) -> None:
    result = _score(rubric, [(NO_PLAN, {"O2.1": "yes", "O2.2": "yes"})])  # O1 not yet answered
    o1 = result.standards[0]
    assert (o1.rating, o1.points, o1.rests_on, o1.figure_so_far) == (None, None, None, None)
    assert result.score is None and result.overall is None


def test_live_verdicts_moved_one_answer_at_a_time_equal_a_recount(rubric: Rubric) -> None:
    """Bursts of answers, changed and cleared in any order, on cases asked different
    questions: after every step the kept verdicts equal a count from scratch."""
    rng = random.Random(20261207)
    attrs = {i: {"plan_due": rng.choice(["yes", "no"])} for i in range(12)}
    answers: dict[int, dict[str, str]] = {i: {} for i in attrs}
    live = LiveScore(
        cases=len(attrs),
        tallies={},
        judgements={},
        revision=0,
        verdicts=CaseVerdicts.count(rubric, attrs.items(), []),
    )
    items = list(rubric.items)
    for _ in range(600):
        case = rng.randrange(len(attrs))
        item = rng.choice(items)
        new = rng.choice(["yes", "no", "na", None])
        old = answers[case].get(item)
        if new is None:
            answers[case].pop(item, None)
        else:
            answers[case][item] = new
        live.apply(item, old, new, case)
        again = CaseVerdicts.count(
            rubric,
            attrs.items(),
            ((c, i, v) for c, given in answers.items() for i, v in given.items()),
        )
        assert live.verdicts is not None and live.verdicts.tallies == again.tallies
    assert live.verdicts is not None and any(t.yes and t.no for t in live.verdicts.tallies.values())


def _moderated(answers: Mapping[str, str], second: Mapping[str, str]) -> ModeratedCase:
    return ModeratedCase(
        round=1,
        case_ref="C",
        first_marker="a",
        second_marker="b",
        attributes=NO_PLAN,
        first={k: Mark(v) for k, v in answers.items()},
        second={k: Mark(v) for k, v in second.items()},
    )


def test_moderation_rates_each_markers_cases_by_the_same_rule(rubric: Rubric) -> None:
    # first marker: every case meets O1 (Met); second: cases 0-1 fail O1.1 and cases 2-3 fail
    # O1.2, so 6 of 10 (Partly met), though each key question alone is 80% (Met)
    cases = []
    for i in range(10):
        second = dict(ALL_YES)
        if i < 4:
            second[f"O1.{1 + i // 2}"] = "no"
        cases.append(_moderated(ALL_YES, second))
    o1 = moderate(rubric, [], cases).standards[0]
    assert (o1.first_rating, o1.second_rating, o1.differs) == ("Met", "Partly met", True)


def _problems(text: str) -> list[str]:
    with pytest.raises(RubricError) as err:
        parse_rubric(text)
    return [f"{p.path}: {p.message}" for p in err.value.problems]


def test_the_rule_needs_bands_and_lets_a_case_be_asked_several_questions(rubric: Rubric) -> None:
    # shares under this rule count cases by their verdicts: three questions per case are fine
    assert rubric.scoring.shares and len(rubric.standards[0].key_questions) == 3
    text = (RUBRICS / "all-questions.toml").read_text(encoding="utf-8")
    no_bands = text[: text.index("[[scoring.bands]]")] + text[text.index("[[attributes]]") :]
    assert _problems(no_bands) == [
        'scoring.bands: at least one band is needed to rate standards (standard_rule = "none"'
        " reports percentages only)"
    ]
