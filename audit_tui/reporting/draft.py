"""Whether a report describes a finished review: "Draft: 12 of 73 items answered" at its top
while any item that applies to a live case is unanswered, and nothing once every one is."""

from __future__ import annotations

from collections.abc import Iterable

from audit_tui.domain.records import CaseInfo
from audit_tui.domain.words import plural


def draft_line(answered: int, applicable: int) -> str | None:
    """`Draft: 12 of 73 items answered`, or None when nothing is left to answer (a review with
    no item at all, no case yet, is not a draft of anything either)."""
    if applicable <= 0 or answered >= applicable:
        return None
    return f"Draft: {answered:,} of {plural(applicable, 'item')} answered"


def cases_draft_line(cases: Iterable[CaseInfo]) -> str | None:
    """The draft line over cases read with their progress (`list_cases(progress=True)`): the
    applicable items each live case has answered, and how many apply to it."""
    answered = applicable = 0
    for case in cases:
        answered += min(case.answered, case.applicable)
        applicable += case.applicable
    return draft_line(answered, applicable)
