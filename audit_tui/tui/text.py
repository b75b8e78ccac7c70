"""How figures read on screen: whole percentages, ratings as words with a mark (never colour alone)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.content import Content

from audit_tui.domain.safe_text import TEXT_LIMIT, one_line

if TYPE_CHECKING:
    from audit_tui.scoring.results import AuditResult

RATING_MARKS = {
    "Outstanding": "★★★",
    "Good": "★★☆",
    "Requires improvement": "★☆☆",
    "Inadequate": "☆☆☆",
}


def literal(text: str) -> Content:
    """Text shown exactly as typed: `[/]` is not markup, an escape is shown, not obeyed (Textual
    passes ESC through to the terminal), and a huge text is cut, saying so."""
    return Content(one_line(text, TEXT_LIMIT))


def cell(text: str) -> Text:
    """A table cell shown exactly as typed (DataTable reads plain strings as markup), one line,
    cut at `LINE_LIMIT`."""
    return Text(one_line(text), no_wrap=True, end="")


def percent_text(value: float | None) -> str:
    from audit_tui.scoring.display import whole_percent

    return whole_percent(value, missing="–")


def rating_text(rating: str | None) -> str:
    return f"{RATING_MARKS[rating]} {rating}" if rating in RATING_MARKS else "not yet rated"


def rating_class(rating: str | None) -> str:
    """`-requires-improvement` for "Requires improvement": the stylesheet's class for a band."""
    return "-" + rating.lower().replace(" ", "-") if rating in RATING_MARKS else "-unrated"


def score_text(result: AuditResult) -> str:
    return (
        f"{result.score}/{result.score_max}"
        if result.score is not None
        else f"–/{result.score_max}"
    )


def band_bar(percent: float | None, edges: tuple[float, ...], width: int = 20) -> str:
    """A bar with the rubric's band edges marked, e.g. `█████░░░┊░░┊░░░┊░░░`."""
    filled = 0 if percent is None else round(percent / 100 * width)
    marks = {round(e / 100 * width) for e in edges}
    return "".join(
        ("┃" if i in marks and i < filled else "┊") if i in marks else ("█" if i < filled else "░")
        for i in range(width)
    )
