"""Answer values and their spellings, shared by the CSV importer, the store and the TUI."""

from __future__ import annotations

from enum import StrEnum


class Answer(StrEnum):
    """What an auditor can say about one item for one case. Unanswered is the absence of a value."""

    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "na"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "na": "N/A"}[self.value]


class NoteTag(StrEnum):
    """A note can be tagged so reports gather it under "Strengths" or "Areas for improvement"."""

    STRENGTH = "strength"
    IMPROVEMENT = "improvement"


_SPELLINGS: dict[str, Answer | None] = {
    "yes": Answer.YES,
    "y": Answer.YES,
    "no": Answer.NO,
    "n": Answer.NO,
    "n/a": Answer.NOT_APPLICABLE,
    "na": Answer.NOT_APPLICABLE,
    "": None,
}

ACCEPTED_SPELLINGS = "yes/y, no/n, n/a/na, or empty for unanswered"


def parse_answer(text: str) -> Answer | None:
    """Read a spreadsheet cell; None means unanswered. Raises ValueError naming the allowed spellings."""
    key = text.strip().lower()
    if key not in _SPELLINGS:
        raise ValueError(f"{text.strip()!r} is not an answer (use {ACCEPTED_SPELLINGS})")
    return _SPELLINGS[key]
