"""A rating looks as its place on the rubric's scale says, whatever the framework calls it: the
same marks and colours for the same rank, counted from the lowest, on screen and in HTML."""

from __future__ import annotations

import pytest

from audit_tui.domain.rubric import Rubric, Scale
from audit_tui.reporting.rating_style import rating_style
from audit_tui.tui.text import rating_class, rating_text

YOUTH = Scale(ratings=("Good", "Requires improvement", "Inadequate"), source="R")
FIVE = Scale(ratings=("Excellent", "Good", "Fair", "Poor", "Failing"), source="R")


def test_marks_count_up_from_the_lowest(rubric: Rubric) -> None:
    hmip = rubric.scale
    assert [rating_text(r, hmip) for r in hmip.ratings] == [
        "★★★ Outstanding",
        "★★☆ Good",
        "★☆☆ Requires improvement",
        "☆☆☆ Inadequate",
    ]
    assert rating_text("Good", YOUTH) == "★★☆ Good"  # the youth scale's best, two places up
    assert rating_text("Excellent", FIVE) == "★★★★ Excellent"
    assert rating_text("Failing", FIVE) == "☆☆☆☆ Failing"
    assert rating_text(None, hmip) == "not yet rated"
    assert rating_text("Excellent", hmip) == "Excellent"  # off this scale: no mark to give it


def test_classes_by_rank_the_highest_sharing_the_last_colour(rubric: Rubric) -> None:
    hmip = rubric.scale
    assert [rating_class(r, hmip) for r in hmip.lowest_first] == [
        "-rating-0",
        "-rating-1",
        "-rating-2",
        "-rating-3",
    ]
    assert rating_class("Good", YOUTH) == rating_class("Good", hmip) == "-rating-2"
    assert rating_class("Excellent", FIVE) == rating_class("Good", FIVE) == "-rating-3"
    assert rating_class(None, hmip) == rating_class("Excellent", hmip) == "-unrated"


def test_html_names_classes_and_colours_from_the_scale(rubric: Rubric) -> None:
    hmip = rating_style(rubric.scale)
    assert hmip.css_class("Requires improvement") == "r-requires-improvement"
    assert hmip.css_class(None) == "r-unrated"
    assert hmip.variables_css() == (
        "--outstanding:#1a7f37; --good:#4c9a2a; --ri:#b26b00; --inadequate:#b3261e;"
    )
    assert hmip.caution() == "--ri"
    youth = rating_style(YOUTH)
    assert youth.fill("Good") == hmip.fill("Good") and youth.fill("Other") == "#eee"
    assert rating_style(FIVE).fill("Excellent") == rating_style(FIVE).fill("Good")


@pytest.mark.parametrize(
    ("ratings", "classes", "variables"),
    [
        (  # the same initials, or a variable the page has already: told apart by rank
            ("Rather important", "Requires improvement", "Ink"),
            ["r-rather-important", "r-requires-improvement", "r-ink"],
            "--rating-2:#4c9a2a; --rating-1:#b26b00; --rating-0:#b3261e;",
        ),
        (  # markup in a name never reaches the page
            ('Good" onclick="x', "<b>"),
            ["r-good-onclick-x", "r-b"],
            "--gox:#b26b00; --b:#b3261e;",
        ),
        (  # no letter to name a class by
            ("★", "Good"),
            ["r-rating-1", "r-rating-0"],
            "--rating-1:#b26b00; --rating-0:#b3261e;",
        ),
    ],
)
def test_names_that_clash_or_hold_markup(
    ratings: tuple[str, ...], classes: list[str], variables: str
) -> None:
    style = rating_style(Scale(ratings=ratings, source="R"))
    assert [style.css_class(r) for r in ratings] == classes
    assert style.variables_css() == variables
