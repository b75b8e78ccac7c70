"""The summary a report opens with, generated from the figures (reporting/key_findings.py), on
small made-up figures: ties, all equal, one standard, a rubric without ratings, nothing answered;
the claims the 95% intervals allow and those they do not; changes since the previous audit; and
the draft line."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from audit_tui.domain.rubric import Rubric
from audit_tui.reporting.draft import draft_line
from audit_tui.reporting.key_findings import Previous, key_findings
from audit_tui.scoring.bands import band_for, overall_for
from audit_tui.scoring.compare import compare
from audit_tui.scoring.results import AuditResult, KeyQuestionResult, StandardResult


def kq(ident: str, yes: int, no: int, label: str = "") -> KeyQuestionResult:
    return KeyQuestionResult(
        id=ident, text=f"Question {ident}?", yes=yes, no=no, not_applicable=0, unanswered=0,
        label=label or f"Label {ident}",
    )  # fmt: skip


@pytest.fixture
def make(rubric: Rubric):  # type: ignore[no-untyped-def]
    """`make({"1": [kq, ...], ...}, rated=True)`: an audit result rated as the rubric's bands
    rate it (a standard from its lowest key question; none while one has no relevant case)."""
    scoring = rubric.scoring

    def build(standards: dict[str, list[KeyQuestionResult]], rated: bool = True) -> AuditResult:
        out = []
        for sid, kqs in standards.items():
            relevant = [k for k in kqs if k.relevant]
            lowest = (
                min(relevant, key=lambda k: Fraction(k.yes, k.relevant))
                if relevant and len(relevant) == len(kqs)
                else None
            )
            band = band_for(lowest.yes, lowest.relevant, scoring) if rated and lowest else None
            out.append(
                StandardResult(
                    id=sid,
                    title=f"Standard {sid}",
                    method="cases",
                    rated=rated,
                    rating=band.rating if band else None,
                    points=band.points if band else None,
                    complete=True,
                    key_questions=tuple(kqs),
                    lowest=lowest,
                )
            )
        points = [s.points for s in out if s.rated]
        score = sum(p or 0 for p in points) if points and None not in points else None
        return AuditResult(
            audit="made-up", rubric_id="r", rubric_version="1", cases=10, standards=tuple(out),
            indicators=(), score=score, score_max=3 * len(points),
            overall=overall_for(score, scoring).rating if score is not None else None,
            complete=True,
        )  # fmt: skip

    return build


def text(result: AuditResult, rubric: Rubric, previous: Previous | None = None) -> str:
    return "\n\n".join(key_findings(result, rubric.scoring, previous))


def test_weakest_and_strongest_with_their_figures_and_clear_apart(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    result = make({"1": [kq("1.1", 2, 18), kq("1.2", 15, 5)], "2": [kq("2.1", 19, 1)]})
    said = text(result, rubric)
    assert (
        "The weakest standard is 1 Standard 1 (lowest key question 10%), rated Inadequate" in said
    )
    assert (
        "the strongest standard is 2 Standard 2 (lowest key question 95%), rated Outstanding"
        in said
    )
    assert (
        "The lowest key question is 1.1 Standard 1: Label 1.1, at 10% (2 of 20; 95% interval 3% to 30%)."
        in said
    )
    assert "The highest key question is 2.1 Standard 2: Label 2.1, at 95% (19 of 20;" in said
    # 10% (3-30) is clear of 75% (53-89) and 95% (76-99): said in so many words
    assert "overlaps no other key question's: it is done worse than all the others" in said
    assert (
        "The 95% interval of the highest overlaps those of 1 other key question, so the sample cannot say it is done better than those; it is done better than 1.1."
        in said
    )


def test_overlapping_intervals_never_make_one_worse(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    result = make({"1": [kq("1.1", 4, 6), kq("1.2", 6, 4)]})
    said = text(result, rubric)
    assert "The lowest key question is 1.1" in said and "The highest key question is 1.2" in said
    assert "Even the lowest and the highest have overlapping 95% intervals" in said
    assert "done worse than" not in said and "done better than" not in said.replace(
        "done better or worse than", ""
    )


def test_ties_are_named_together(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    result = make(
        {
            "1": [kq("1.1", 2, 8), kq("1.2", 9, 1)],
            "2": [kq("2.1", 4, 16), kq("2.2", 9, 1)],  # 20% twice, of 10 and of 20 cases
            "3": [kq("3.1", 9, 1)],
        }
    )
    said = text(result, rubric)
    assert (
        "The weakest standards are 1 Standard 1 (lowest key question 20%) and 2 Standard 2 (lowest key question 20%), rated Inadequate"
        in said
    )
    assert (
        "the strongest standard is 3 Standard 3 (lowest key question 90%), rated Outstanding"
        in said
    )
    assert (
        "The lowest key questions, each at 20%, are 1.1 Standard 1: Label 1.1 (2 of 10) and 2.1 Standard 2: Label 2.1 (4 of 20)."
        in said
    )
    assert (
        "The highest key questions, each at 90%, are 1.2 Standard 1: Label 1.2 (9 of 10), 2.2 Standard 2: Label 2.2 (9 of 10) and 3.1 Standard 3: Label 3.1 (9 of 10)."
        in said
    )
    assert "The 95% interval of the lowest ones" in said


def test_all_equal_says_so_and_ranks_nothing(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    result = make({"1": [kq("1.1", 7, 3)], "2": [kq("2.1", 14, 6), kq("2.2", 7, 3)]})
    said = text(result, rubric)
    assert "All 2 rated standards are Good." in said
    assert "All 3 key questions stand at 70%: none is done better or worse than another." in said
    assert "weakest" not in said and "lowest key question is" not in said


def test_one_standard_and_one_key_question(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    said = text(make({"1": [kq("1.1", 3, 7)]}), rubric)
    assert "The one rated standard, 1 Standard 1 (lowest key question 30%), is Inadequate." in said
    assert (
        "The one key question answered so far, 1.1 Standard 1: Label 1.1, stands at 30% (3 of 10; 95% interval 11% to 60%)."
        in said
    )
    assert "The rating of 1 Standard 1 could be a band different" in said  # 60% is in another band


def test_a_rubric_without_ratings_is_described_by_its_key_questions(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    said = text(make({"1": [kq("1.1", 1, 9), kq("1.2", 9, 1)]}, rated=False), rubric)
    assert "rated" not in said.lower().replace("rated standard", "")
    assert "Overall" not in said and "The lowest key question is 1.1" in said


def test_nothing_answered_yet(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    result = make({"1": [kq("1.1", 0, 0)], "2": [kq("2.1", 0, 0)]})
    assert key_findings(result, rubric.scoring) == [
        "No standard can be rated yet: each needs a Yes or No answer to every key question, or"
        " its judgement.",
        "No key question has a Yes or No answer yet: there is nothing to weigh.",
    ]


def test_partly_rated_says_what_holds_back_the_overall(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    said = text(make({"1": [kq("1.1", 3, 7)], "2": [kq("2.1", 0, 0)]}), rubric)
    assert "No overall rating yet: 1 standard still to be rated." in said
    assert "The one rated standard, 1 Standard 1" in said


def test_changes_since_the_previous_audit_only_where_beyond_chance(make, rubric: Rubric) -> None:  # type: ignore[no-untyped-def]
    before = make({"1": [kq("1.1", 4, 16), kq("1.2", 14, 6)], "2": [kq("2.1", 10, 10)]})
    after = make({"1": [kq("1.1", 16, 4), kq("1.2", 15, 5)], "2": [kq("2.1", 11, 9)]})
    after = replace(after, overall="Requires improvement")  # (the overall bands assume 9)
    previous = Previous(
        name="first", created="3 March 2026", overall=before.overall,
        comparison=compare(before, after),
    )  # fmt: skip
    said = key_findings(after, rubric.scoring, previous)[-1]
    assert said.startswith(
        "Against the previous audit of this PDU (first, created 3 March 2026): the overall"
        " rating went from Inadequate to Requires improvement. 1 Standard 1 went from"
        " Inadequate to Good."
    ), said
    assert "1.1 rose from 20% to 80% (60 points; 95% interval of the change 29 to 77)" in said
    assert "the other 2 key questions moved no more than chance explains." in said
    assert "1.2 rose" not in said and "2.1 rose" not in said  # 5 points with 20 cases: chance
    same = Previous(
        name="first", created="3 March 2026", overall=after.overall,
        comparison=compare(after, after),
    )  # fmt: skip
    said = key_findings(after, rubric.scoring, same)[-1]
    assert said.endswith(
        "no standard's rating changed. No key question moved by more than the chance of"
        " sampling explains (3 key questions compared)."
    ), said


def test_the_draft_line() -> None:
    assert draft_line(12, 73) == "Draft: 12 of 73 items answered"
    assert draft_line(0, 1) == "Draft: 0 of 1 item answered"
    assert draft_line(1204, 2044) == "Draft: 1,204 of 2,044 items answered"
    assert draft_line(73, 73) is None and draft_line(0, 0) is None
