"""The command line's words: counts that agree with their nouns, and `plan` saying each thing
once, plainly."""

from __future__ import annotations

import pytest

from audit_tui.domain.words import plural
from audit_tui.scoring.sampling import plan_sentences
from tests.support.cli import run

EDGES = (50.0, 65.0, 80.0)
NAMES = ("Inadequate", "Requires improvement", "Good", "Outstanding")  # the shipped rubric's


def test_plural_agrees_with_its_count() -> None:
    assert [plural(n, "action") for n in (0, 1, 2, 1204)] == [
        "0 actions",
        "1 action",
        "2 actions",
        "1,204 actions",
    ]
    assert plural(1, "person", "people") == "1 person"
    assert plural(3, "person", "people") == "3 people"


def test_plan_for_a_margin_says_the_size_then_what_its_range_tells() -> None:
    assert plan_sentences(400, 68, 70, EDGES, names=NAMES, margin_asked=10) == [
        "68 cases of 400 are enough for ±10 points around a key question at 70%"
        " (95% confidence, with the finite-population correction).",
        # 60.1% to 79.9%: the top end shown to a decimal, since 80% would be Outstanding
        "That range, 60% to 79.9%, covers two bands (Requires improvement and Good): it rules"
        " out Inadequate and Outstanding, but cannot place the key question in one band.",
    ]


def test_an_end_just_under_a_band_edge_is_never_shown_on_it() -> None:
    # 546 cases, 71 drawn: 70 ± 9.97, so the top is 79.97%, which one decimal would make 80.0%
    [_, words] = plan_sentences(546, 71, 70, EDGES, names=NAMES, margin_asked=10)
    assert words.startswith("That range, 60% to 79.9%, covers two bands")


def test_plan_for_a_size_says_the_margin_once() -> None:
    first, second = plan_sentences(1183, 28, 70, EDGES, names=NAMES)
    assert first == (
        "28 cases of 1,183 give ±16.8 points around a key question at 70%"
        " (95% confidence, with the finite-population correction)."
    )
    assert second == (
        "That range, 53% to 87%, covers three bands (Requires improvement to Outstanding):"
        " it rules out Inadequate, but cannot place the key question in one band."
    )
    assert "±" not in second  # the margin is said once


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((1183, 600, 70), "That range, 67% to 73%, lies within one band (Good)"),
        ((1183, 5, 70), "That range, 30% to 100%, covers all four bands: it rules none out."),
        ((400, 1, 70), "1 case of 400 gives ±89.8 points"),
    ],
)
def test_plan_sentences_read_right_at_the_edges(args: tuple[int, int, float], words: str) -> None:
    assert words in " ".join(plan_sentences(*args, EDGES, names=NAMES))


def test_plan_for_the_whole_caseload_is_one_sentence() -> None:
    assert plan_sentences(40, 40, 70, EDGES, names=NAMES) == [
        "40 cases of 40 is the whole caseload: there is no sampling margin, and a key question"
        " at 70% is Good."
    ]
    assert plan_sentences(10, 10, 70, EDGES, names=NAMES, margin_asked=1) == [
        "All 10 cases are needed for ±1 point around a key question at 70%: reading the whole"
        " caseload leaves no sampling margin, and 70% is Good."
    ]


def test_plan_prints_each_sentence_on_its_own_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "plan", "--population", "400", "--expected", "70", "--margin", "10"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("68 cases of 400 are enough for ±10 points")
    assert out.count("±") == 1 and out.count("68") == 1


def test_one_action_is_counted_in_the_singular() -> None:
    from datetime import date

    from audit_tui.follow_up_cli import render_table
    from audit_tui.store.follow_up import Action

    one = Action(1, "a", "C-1", "P-1", "T-1", "call", date(2030, 1, 1), "open", None, "", None, "")
    assert render_table([one], date(2029, 1, 1)).endswith("\n1 action: 1 open, 0 overdue\n")
